"""The simplest policy gradient, in PyTorch.

This is the smallest program that trains a policy with a policy gradient:
no value function, no advantage estimates, no MPI, no logger. Each epoch it

1. plays whole episodes with the current (stochastic) policy until it has
   collected about ``batch_size`` steps;
2. gives every action of an episode the same weight, that episode's total
   return R(tau);
3. takes one gradient step on the "loss" ``-mean(log pi(a|s) * R(tau))``,
   whose gradient is (an estimate of) minus the policy gradient.

That loss is not a performance measure: it only has the right gradient, for
the data it was computed on. Watch the average return instead.

Run it with::

    python examples/pg_simplest.py --env_name CartPole-v1 --epochs 50

(add ``--render`` to watch it play; this needs a display and slows training
down). See examples/pg_reward_to_go.py for the next step.
"""
import argparse
from collections.abc import Sequence

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn
from gymnasium.spaces import Box, Discrete
from torch.distributions import Categorical
from torch.optim import Adam


def mlp(sizes: Sequence[int], activation=nn.Tanh, output_activation=nn.Identity) -> nn.Module:
    """A feedforward network: ``sizes[0]`` inputs, ``sizes[-1]`` outputs."""
    layers = []
    for j in range(len(sizes) - 1):
        act = activation if j < len(sizes) - 2 else output_activation
        layers += [nn.Linear(sizes[j], sizes[j + 1]), act()]
    return nn.Sequential(*layers)


def train(env_name: str = "CartPole-v1", hidden_sizes: Sequence[int] = (32,),
          lr: float = 1e-2, epochs: int = 50, batch_size: int = 5000,
          render: bool = False, seed: int = 0) -> list:
    """Train a categorical MLP policy; return the average return per epoch."""
    env = gym.make(env_name, render_mode="human" if render else None)
    assert isinstance(env.observation_space, Box), \
        "This example only works for envs with continuous state spaces."
    assert isinstance(env.action_space, Discrete), \
        "This example only works for envs with discrete action spaces."
    torch.manual_seed(seed)

    obs_dim = env.observation_space.shape[0]
    n_acts = env.action_space.n

    # The policy network outputs one logit per action.
    logits_net = mlp([obs_dim, *hidden_sizes, n_acts])

    def get_policy(obs):
        return Categorical(logits=logits_net(obs))

    def get_action(obs):
        return get_policy(obs).sample().item()

    # Its gradient, for the right data (state-action pairs of the current
    # policy, weighted by the return of their episode), is the policy
    # gradient.
    def compute_loss(obs, act, weights):
        logp = get_policy(obs).log_prob(act)
        return -(logp * weights).mean()

    optimizer = Adam(logits_net.parameters(), lr=lr)

    def train_one_epoch(first_seed):
        batch_obs, batch_acts, batch_weights = [], [], []
        batch_rets, batch_lens = [], []

        obs, _ = env.reset(seed=first_seed)
        ep_rews = []
        while True:
            batch_obs.append(obs.copy())
            act = get_action(torch.as_tensor(obs, dtype=torch.float32))
            obs, rew, terminated, truncated, _ = env.step(act)
            batch_acts.append(act)
            ep_rews.append(rew)

            if terminated or truncated:
                ep_ret, ep_len = sum(ep_rews), len(ep_rews)
                batch_rets.append(ep_ret)
                batch_lens.append(ep_len)
                # Every decision of the episode is weighted by its return.
                batch_weights += [ep_ret] * ep_len

                # Stop once there is enough experience (whole episodes only).
                if len(batch_obs) >= batch_size:
                    break
                obs, _ = env.reset()
                ep_rews = []

        optimizer.zero_grad()
        batch_loss = compute_loss(obs=torch.as_tensor(np.array(batch_obs), dtype=torch.float32),
                                  act=torch.as_tensor(batch_acts, dtype=torch.int64),
                                  weights=torch.as_tensor(batch_weights, dtype=torch.float32))
        batch_loss.backward()
        optimizer.step()
        return batch_loss.item(), batch_rets, batch_lens

    history = []
    for i in range(epochs):
        batch_loss, batch_rets, batch_lens = train_one_epoch(seed if i == 0 else None)
        history.append(float(np.mean(batch_rets)))
        print("epoch: %3d \t loss: %.3f \t return: %.3f \t ep_len: %.3f"
              % (i, batch_loss, np.mean(batch_rets), np.mean(batch_lens)), flush=True)
    env.close()
    return history


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="The simplest policy gradient (PyTorch).")
    parser.add_argument("--env_name", "--env", type=str, default="CartPole-v1")
    parser.add_argument("--render", action="store_true")
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch_size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("\nUsing simplest formulation of policy gradient.\n")
    train(env_name=args.env_name, render=args.render, lr=args.lr, epochs=args.epochs,
          batch_size=args.batch_size, seed=args.seed)
