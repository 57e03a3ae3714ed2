"""A tiny policy-gradient training function for the CLI, plot and test_policy tests.

It is a real (if very small) PyTorch training run that writes the same
outputs as the reference algorithms: config.json, progress.txt, vars.pkl with
the env, and pyt_save/model.pt holding the whole module. It lives in an
importable module (not a test file) because test_policy must import the
model's class to unpickle it; the tests put this folder on PYTHONPATH.
"""
import numpy as np
import torch
import torch.nn as nn

from spinup.utils.logx import EpochLogger


class TinyPolicy(nn.Module):
    """A linear softmax policy over discrete actions."""

    def __init__(self, obs_dim, n_acts):
        super().__init__()
        self.logits = nn.Linear(obs_dim, n_acts)

    def distribution(self, obs):
        return torch.distributions.Categorical(logits=self.logits(obs))

    def act(self, obs):
        return self.distribution(obs).sample().numpy()


def train(env_fn=None, seed=0, epochs=2, steps_per_epoch=200, lr=1e-2,
          logger_kwargs=dict(), save_itr=False, env_name=None):
    """Train a linear softmax policy with REINFORCE on a Discrete-action env.

    Args:
        env_fn: Makes the environment.
        seed: Seed for torch, numpy and the env.
        epochs: Number of epochs.
        steps_per_epoch: Environment steps per epoch.
        lr: Adam learning rate.
        logger_kwargs: For the EpochLogger.
        save_itr: Save numbered snapshots (model<epoch>.pt) instead of one.
        env_name: Instead of env_fn, the gymnasium id of the environment
            (then config.json records the name).
    """
    logger = EpochLogger(**logger_kwargs)
    logger.save_config(locals())
    torch.manual_seed(seed)
    np.random.seed(seed)
    if env_fn is None:
        import gymnasium as gym
        env_fn = lambda: gym.make(env_name)  # noqa: E731
    env = env_fn()
    pi = TinyPolicy(env.observation_space.shape[0], env.action_space.n)
    opt = torch.optim.Adam(pi.parameters(), lr=lr)
    logger.setup_pytorch_saver(pi)

    o, _ = env.reset(seed=seed)
    ep_ret, ep_len = 0.0, 0
    for epoch in range(epochs):
        obs, acts, weights, ep_rews = [], [], [], []
        for t in range(steps_per_epoch):
            a = pi.act(torch.as_tensor(o, dtype=torch.float32))
            obs.append(o)
            acts.append(a)
            o, r, term, trunc, _ = env.step(a)
            ep_rews.append(r)
            ep_ret, ep_len = ep_ret + r, ep_len + 1
            if term or trunc or t == steps_per_epoch - 1:
                weights += [sum(ep_rews)] * len(ep_rews)
                ep_rews = []
                if term or trunc:
                    logger.store(EpRet=ep_ret, EpLen=ep_len)
                    o, _ = env.reset()
                    ep_ret, ep_len = 0.0, 0
        obs_t = torch.as_tensor(np.array(obs), dtype=torch.float32)
        logp = pi.distribution(obs_t).log_prob(torch.as_tensor(np.array(acts)))
        loss = -(logp * torch.as_tensor(weights, dtype=torch.float32)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

        logger.save_state({"env": env}, epoch if save_itr else None)
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("EpRet", with_min_and_max=True)
        logger.log_tabular("EpLen", average_only=True)
        logger.log_tabular("TotalEnvInteracts", (epoch + 1) * steps_per_epoch)
        logger.log_tabular("LossPi", loss.item())
        logger.dump_tabular()
