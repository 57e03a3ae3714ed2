"""Soft Actor-Critic (SAC). PyTorch version.

SAC trains a stochastic policy to maximise the expected return plus
``alpha`` times the policy's entropy, with two Q-functions (the smaller
estimate makes the target, as in TD3) whose target includes the entropy
bonus ``-alpha * log pi(a'|s')``. At test time it takes the mean action.

The whole algorithm is in this file and reads top to bottom: set up, then
step the environment, storing every transition in a replay buffer, and every
``update_every`` steps do as many gradient updates on batches drawn from it;
at the end of each epoch, test the policy's mean action, log, and save. The
networks are in ``core.py``, the replay buffer in ``spinup/algos/_replay.py``.
"""
import itertools
import time
from copy import deepcopy

import numpy as np
import torch
from torch.optim import Adam

import spinup.algos.pytorch.sac.core as core
from spinup.algos import _common
from spinup.algos._replay import ReplayBuffer

# What update() and the episodes store each epoch (see the end of the epoch).
STORED_KEYS = ("EpRet", "EpLen", "TestEpRet", "TestEpLen", "Q1Vals", "Q2Vals", "LogPi",
               "LossPi", "LossQ")


def sac(env_fn, actor_critic=core.MLPActorCritic, ac_kwargs=dict(), seed=0,
        steps_per_epoch=4000, epochs=100, replay_size=int(1e6), gamma=0.99,
        polyak=0.995, lr=1e-3, alpha=0.2, batch_size=100, start_steps=10000,
        update_after=1000, update_every=50, num_test_episodes=10, max_ep_len=1000,
        logger_kwargs=dict(), save_freq=1, *, resume=False):
    """
    Soft Actor-Critic (SAC)

    Args:
        env_fn : A function which creates a copy of the environment.
            The environment must satisfy the gymnasium API, with a Box
            action space symmetric around 0.

        actor_critic: The constructor method for a PyTorch Module with an
            ``act`` method, a ``pi`` module, a ``q1`` module, and a ``q2``
            module, called as ``actor_critic(observation_space,
            action_space, **ac_kwargs)``. ``act(obs, deterministic=False)``
            returns actions for a batch of observations as a numpy array
            (sampled, or the mean action when deterministic);
            ``pi(obs, deterministic=False, with_logprob=True)`` returns
            ``(actions, logp)`` as tensors: sampled actions (with gradients,
            by the reparameterization trick), shape (batch, act_dim), and
            their log-probabilities, shape (batch,), or None without
            with_logprob; ``q1(obs, act)`` and ``q2(obs, act)`` return
            Q-values, shape (batch,). See
            :class:`~spinup.algos.pytorch.sac.core.MLPActorCritic`.

        ac_kwargs (dict): Any kwargs appropriate for the ActorCritic object
            you provided to SAC.

        seed (int): Seed for random number generators.

        steps_per_epoch (int): Number of steps of interaction (state-action
            pairs) for the agent and the environment in each epoch.

        epochs (int): Number of epochs to run and train agent.

        replay_size (int): Maximum length of replay buffer.

        gamma (float): Discount factor. (Always between 0 and 1.)

        polyak (float): Interpolation factor in polyak averaging for target
            networks. Target networks are updated towards main networks
            according to:

            .. math:: \\theta_{\\text{targ}} \\leftarrow
                \\rho \\theta_{\\text{targ}} + (1-\\rho) \\theta

            where :math:`\\rho` is polyak. (Always between 0 and 1, usually
            close to 1.)

        lr (float): Learning rate (used for both policy and value learning).

        alpha (float): Entropy regularization coefficient. (Equivalent to
            inverse of reward scale in the original SAC paper.)

        batch_size (int): Minibatch size for SGD.

        start_steps (int): Number of steps for uniform-random action selection,
            before running real policy. Helps exploration.

        update_after (int): Number of env interactions to collect before
            starting to do gradient descent updates. Ensures replay buffer
            is full enough for useful updates.

        update_every (int): Number of env interactions that should elapse
            between gradient descent updates. Note: Regardless of how long
            you wait between updates, the ratio of env steps to gradient steps
            is locked to 1.

        num_test_episodes (int): Number of episodes to test the deterministic
            policy (its mean action) at the end of each epoch.

        max_ep_len (int): Maximum length of trajectory / episode / rollout.
            (An environment's own time limit, which ends an episode with
            ``truncated=True``, also applies.)

        logger_kwargs (dict): Keyword args for EpochLogger.

        save_freq (int): How often (in terms of gap between epochs) to save
            the current policy and value function. The last epoch is
            always saved.

        resume (bool): Keyword only (an extension). Continue the run whose
            ``logger_kwargs['output_dir']`` holds a snapshot: the networks,
            their targets, the optimizers, the replay buffer and the epoch
            count are restored from the last snapshot, rows of progress.txt
            logged after it are dropped, and training goes on with the next
            epoch. Without a snapshot it starts from scratch.
    """
    config = dict(locals())

    # Set up logger, resuming from the last snapshot when asked.
    run = _common.start_run(logger_kwargs, seed, resume)
    logger, snapshot, start_epoch, seed = run.logger, run.snapshot, run.start_epoch, run.seed

    torch.manual_seed(seed)
    np.random.seed(seed)

    env, test_env = env_fn(), env_fn()
    if getattr(env, "spec", None) is not None:
        config["env_name"] = env.spec.id  # lets test_policy rebuild the env
    logger.save_config(config)
    obs_dim = env.observation_space.shape
    act_dim = env.action_space.shape[0]

    # Create actor-critic module and target networks
    ac = actor_critic(env.observation_space, env.action_space, **ac_kwargs)
    ac_targ = deepcopy(ac)

    # Freeze target networks with respect to optimizers (only update via polyak averaging)
    for p in ac_targ.parameters():
        p.requires_grad = False

    # List of parameters for both Q-networks (save this for convenience)
    q_params = list(itertools.chain(ac.q1.parameters(), ac.q2.parameters()))

    # Experience buffer
    replay_buffer = ReplayBuffer(obs_dim=obs_dim, act_dim=act_dim, size=replay_size)

    # Count variables (protip: try to get a feel for how different size networks behave!)
    var_counts = tuple(core.count_vars(module) for module in [ac.pi, ac.q1, ac.q2])
    logger.log("\nNumber of parameters: \t pi: %d, \t q1: %d, \t q2: %d\n" % var_counts)

    # The Q loss: both Q-functions regress on one soft target: the smaller
    # target Q-value at an action the current policy samples for the next
    # state, plus its entropy bonus. A terminal state (d = 1) has no value
    # after it.
    def compute_loss_q(data):
        o, a, r, o2, d = data["obs"], data["act"], data["rew"], data["obs2"], data["done"]
        q1 = ac.q1(o, a)
        q2 = ac.q2(o, a)

        with torch.no_grad():
            # Target actions come from the *current* policy
            a2, logp_a2 = ac.pi(o2)

            # Clipped double-Q soft target
            q_pi_targ = torch.min(ac_targ.q1(o2, a2), ac_targ.q2(o2, a2))
            backup = r + gamma * (1 - d) * (q_pi_targ - alpha * logp_a2)

        loss_q = ((q1 - backup) ** 2).mean() + ((q2 - backup) ** 2).mean()
        return loss_q, dict(Q1Vals=q1.detach().numpy(), Q2Vals=q2.detach().numpy())

    # The policy loss: maximise the smaller Q-value of a sampled action plus
    # the entropy bonus (gradients flow through the reparameterized sample).
    def compute_loss_pi(data):
        o = data["obs"]
        pi, logp_pi = ac.pi(o)
        q_pi = torch.min(ac.q1(o, pi), ac.q2(o, pi))
        loss_pi = (alpha * logp_pi - q_pi).mean()
        return loss_pi, dict(LogPi=logp_pi.detach().numpy())

    # Set up optimizers for policy and q-functions
    pi_optimizer = Adam(ac.pi.parameters(), lr=lr)
    q_optimizer = Adam(q_params, lr=lr)

    _common.restore(snapshot, model_state=ac, target_state=ac_targ, pi_optimizer=pi_optimizer,
                    q_optimizer=q_optimizer, replay_buffer=replay_buffer)

    # Set up model saving
    logger.setup_pytorch_saver(ac)

    def update(data):
        # First run one gradient descent step for Q1 and Q2
        q_optimizer.zero_grad()
        loss_q, q_info = compute_loss_q(data)
        loss_q.backward()
        q_optimizer.step()

        logger.store(LossQ=loss_q.item(), **q_info)

        # Freeze Q-networks so you don't waste computational effort
        # computing gradients for them during the policy learning step.
        for p in q_params:
            p.requires_grad = False

        # Next run one gradient descent step for pi.
        pi_optimizer.zero_grad()
        loss_pi, pi_info = compute_loss_pi(data)
        loss_pi.backward()
        pi_optimizer.step()

        # Unfreeze Q-networks so you can optimize them at the next step.
        for p in q_params:
            p.requires_grad = True

        logger.store(LossPi=loss_pi.item(), **pi_info)

        # Finally, update target networks by polyak averaging (in place).
        with torch.no_grad():
            for p, p_targ in zip(ac.parameters(), ac_targ.parameters()):
                p_targ.mul_(polyak)
                p_targ.add_((1 - polyak) * p)

    def get_action(o, deterministic=False):
        return ac.act(torch.as_tensor(o, dtype=torch.float32), deterministic)

    def test_agent():
        for _ in range(num_test_episodes):
            o, _ = test_env.reset()
            done, ep_ret, ep_len = False, 0, 0
            while not (done or (ep_len == max_ep_len)):
                # Take deterministic actions (the mean) at test time
                o, r, terminated, truncated, _ = test_env.step(get_action(o, True))
                done = terminated or truncated
                ep_ret += r
                ep_len += 1
            logger.store(TestEpRet=ep_ret, TestEpLen=ep_len)

    # Prepare for interaction with environment
    start_time = time.time() - (0.0 if snapshot is None else snapshot["elapsed"])
    o, _ = env.reset(seed=seed)
    test_env.reset(seed=seed + 1)
    env.action_space.seed(seed)
    ep_ret, ep_len = 0, 0

    # Main loop: collect experience in env and update/log each epoch. The
    # epochs count from 0 here and from 1 in progress.txt, as in Spinning Up.
    for epoch in range(start_epoch, epochs):
        for t in range(epoch * steps_per_epoch, (epoch + 1) * steps_per_epoch):
            # Until start_steps have elapsed, randomly sample actions
            # from a uniform distribution for better exploration. Afterwards,
            # sample actions from the learned policy.
            if t > start_steps:
                a = get_action(o)
            else:
                a = env.action_space.sample()

            o2, r, terminated, truncated, _ = env.step(a)
            ep_ret += r
            ep_len += 1

            # Only a true terminal state ends the bootstrap: hitting a time
            # limit (truncated, or max_ep_len) says nothing about the state.
            replay_buffer.store(o, a, r, o2, terminated)

            # Super critical, easy to overlook step: make sure to update
            # most recent observation!
            o = o2

            # End of trajectory handling
            if terminated or truncated or ep_len == max_ep_len:
                logger.store(EpRet=ep_ret, EpLen=ep_len)
                o, _ = env.reset()
                ep_ret, ep_len = 0, 0

            # Update handling
            if t >= update_after and t % update_every == 0:
                for _ in range(update_every):
                    batch = replay_buffer.sample_batch(batch_size)
                    update({k: torch.as_tensor(v) for k, v in batch.items()})

        # End of epoch handling: test the policy's mean action.
        test_agent()

        # Keys with nothing this epoch (no episode ended yet, no update before
        # update_after) come out as nan instead of failing.
        logger.store(**{k: np.zeros(0, np.float32) for k in STORED_KEYS
                        if not logger.epoch_dict.get(k)})

        # Log info about epoch
        logger.log_tabular("Epoch", epoch + 1)
        logger.log_tabular("EpRet", with_min_and_max=True)
        logger.log_tabular("TestEpRet", with_min_and_max=True)
        logger.log_tabular("EpLen", average_only=True)
        logger.log_tabular("TestEpLen", average_only=True)
        logger.log_tabular("TotalEnvInteracts", (epoch + 1) * steps_per_epoch)
        logger.log_tabular("Q1Vals", with_min_and_max=True)
        logger.log_tabular("Q2Vals", with_min_and_max=True)
        logger.log_tabular("LogPi", with_min_and_max=True)
        logger.log_tabular("LossPi", average_only=True)
        logger.log_tabular("LossQ", average_only=True)
        logger.log_tabular("Time", time.time() - start_time)
        logger.dump_tabular()

        # Save model and replay buffer, after the epoch's row: a snapshot
        # taken after epoch e promises that rows up to e are in progress.txt,
        # which resume relies on.
        if ((epoch + 1) % save_freq == 0) or (epoch == epochs - 1):
            state = {"env": env, "epoch": epoch, "elapsed": time.time() - start_time,
                     "model_state": ac.state_dict(), "target_state": ac_targ.state_dict(),
                     "pi_optimizer": pi_optimizer.state_dict(),
                     "q_optimizer": q_optimizer.state_dict(),
                     "replay_buffer": replay_buffer.state_dict()}
            logger.save_epoch(state, epoch)

    logger.close()


if __name__ == "__main__":
    import argparse

    import gymnasium as gym

    parser = argparse.ArgumentParser()
    parser.add_argument("--env", type=str, default="HalfCheetah-v4")
    parser.add_argument("--hid", type=int, default=256)
    parser.add_argument("--l", type=int, default=2)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--seed", "-s", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--exp_name", type=str, default="sac")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    from spinup.utils.run_utils import setup_logger_kwargs
    logger_kwargs = setup_logger_kwargs(args.exp_name, args.seed)

    sac(lambda: gym.make(args.env), actor_critic=core.MLPActorCritic,
        ac_kwargs=dict(hidden_sizes=[args.hid] * args.l), gamma=args.gamma,
        seed=args.seed, epochs=args.epochs, logger_kwargs=logger_kwargs, resume=args.resume)
