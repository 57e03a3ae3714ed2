"""Vanilla Policy Gradient (with GAE-Lambda for advantage estimation).
PyTorch version.

The whole algorithm is in this file and reads top to bottom: set up, then
for each epoch collect experience, take one policy-gradient step, fit the
value function, log, and save. The networks and the experience buffer are in
``core.py``.
"""
import time

import numpy as np
import torch
from torch.optim import Adam

import spinup.algos.pytorch.vpg.core as core
from spinup.algos import _common
from spinup.utils.mpi_pytorch import mpi_avg_grads, setup_pytorch_for_mpi, sync_params
from spinup.utils.mpi_tools import num_procs, proc_id


def vpg(env_fn, actor_critic=core.MLPActorCritic, ac_kwargs=dict(), seed=0,
        steps_per_epoch=4000, epochs=50, gamma=0.99, pi_lr=3e-4, vf_lr=1e-3,
        train_v_iters=80, lam=0.97, max_ep_len=1000, logger_kwargs=dict(), save_freq=10,
        *, resume=False):
    """
    Vanilla Policy Gradient

    (with GAE-Lambda for advantage estimation)

    Args:
        env_fn : A function which creates a copy of the environment.
            The environment must satisfy the gymnasium API (``reset``
            returns ``(obs, info)``, ``step`` returns ``(obs, reward,
            terminated, truncated, info)``).

        actor_critic: The constructor method for a PyTorch Module with a
            ``step`` method, an ``act`` method, a ``pi`` module, and a ``v``
            module, called as ``actor_critic(observation_space,
            action_space, **ac_kwargs)``. ``step(obs)`` returns numpy arrays
            ``(a, v, logp_a)``: actions sampled for the observations, value
            estimates, and the log-probabilities of those actions. ``act``
            returns only ``a``. ``pi(obs, act=None)`` returns a torch
            Distribution over actions and, when actions are given, their
            log-probabilities (else None). ``v(obs)`` returns value
            estimates, shape (batch,). See
            :class:`~spinup.algos.pytorch.vpg.core.MLPActorCritic`.

        ac_kwargs (dict): Any kwargs appropriate for the ActorCritic object
            you provided to VPG.

        seed (int): Seed for random number generators.

        steps_per_epoch (int): Number of steps of interaction (state-action
            pairs) for the agent and the environment in each epoch, summed
            over all MPI processes.

        epochs (int): Number of epochs of interaction (equivalent to
            number of policy updates) to perform.

        gamma (float): Discount factor. (Always between 0 and 1.)

        pi_lr (float): Learning rate for policy optimizer.

        vf_lr (float): Learning rate for value function optimizer.

        train_v_iters (int): Number of gradient descent steps to take on
            value function per epoch.

        lam (float): Lambda for GAE-Lambda. (Always between 0 and 1,
            close to 1.)

        max_ep_len (int): Maximum length of trajectory / episode / rollout.
            (An environment's own time limit, which ends an episode with
            ``truncated=True``, also applies.)

        logger_kwargs (dict): Keyword args for EpochLogger.

        save_freq (int): How often (in terms of gap between epochs) to save
            the current policy and value function. The last epoch is
            always saved.

        resume (bool): Keyword only (an extension). Continue the run whose
            ``logger_kwargs['output_dir']`` holds a snapshot: the model, the
            optimizers and the epoch count are restored from the last
            snapshot, rows of progress.txt logged after it are dropped (the
            full old file is kept as progress.txt.N), and training goes on
            with the next epoch in the same progress.txt. Without a snapshot
            it starts from scratch.
    """
    # The arguments, for config.json. (The original saved locals(), which
    # dragged in the logger object itself; the arguments are what matters.)
    config = dict(locals())

    # Special function to avoid certain slowdowns from PyTorch + MPI combo.
    setup_pytorch_for_mpi()

    # Set up logger, resuming from the last snapshot when asked (every rank
    # reads it: the model and optimizer states are the same on all ranks).
    run = _common.start_run(logger_kwargs, seed + 10000 * proc_id(), resume, rank=proc_id())
    logger, snapshot, start_epoch, seed = run.logger, run.snapshot, run.start_epoch, run.seed

    # Random seed
    torch.manual_seed(seed)
    np.random.seed(seed)

    # Instantiate environment
    env = env_fn()
    if getattr(env, "spec", None) is not None:
        config["env_name"] = env.spec.id  # lets test_policy rebuild the env
    logger.save_config(config)
    obs_dim = env.observation_space.shape
    act_dim = env.action_space.shape

    # Create actor-critic module
    ac = actor_critic(env.observation_space, env.action_space, **ac_kwargs)

    # Sync params across processes
    sync_params(ac)

    # Count variables
    var_counts = tuple(core.count_vars(module) for module in [ac.pi, ac.v])
    logger.log("\nNumber of parameters: \t pi: %d, \t v: %d\n" % var_counts)

    # Set up experience buffer
    local_steps_per_epoch = int(steps_per_epoch / num_procs())
    buf = core.GAEBuffer(obs_dim, act_dim, local_steps_per_epoch, gamma, lam)

    # The policy loss: minus the advantage-weighted log-likelihood, whose
    # gradient is the policy gradient; plus the approximate KL to the policy
    # that collected the data, and the entropy.
    def compute_loss_pi(data):
        obs, act, adv, logp_old = data["obs"], data["act"], data["adv"], data["logp"]
        pi, logp = ac.pi(obs, act)
        loss_pi = -(logp * adv).mean()

        approx_kl = (logp_old - logp).mean().item()
        ent = pi.entropy()
        if ent.dim() > 1:  # a diagonal Gaussian: the dimensions add up
            ent = ent.sum(-1)
        return loss_pi, dict(kl=approx_kl, ent=ent.mean().item())

    # The value loss: mean squared error against the rewards-to-go.
    def compute_loss_v(data):
        return ((ac.v(data["obs"]) - data["ret"]) ** 2).mean()

    # Set up optimizers for policy and value function
    pi_optimizer = Adam(ac.pi.parameters(), lr=pi_lr)
    vf_optimizer = Adam(ac.v.parameters(), lr=vf_lr)

    _common.restore(snapshot, model_state=ac, pi_optimizer=pi_optimizer,
                    vf_optimizer=vf_optimizer)

    # Set up model saving
    logger.setup_pytorch_saver(ac)

    def update():
        data = buf.get()

        # One step of policy gradient ascent (as descent on the loss); the
        # loss before the step is the "old" one.
        pi_optimizer.zero_grad()
        loss_pi, pi_info_old = compute_loss_pi(data)
        pi_l_old = loss_pi.item()
        loss_pi.backward()
        mpi_avg_grads(ac.pi)    # average grads across MPI processes
        pi_optimizer.step()

        with torch.no_grad():
            v_l_old = compute_loss_v(data).item()

        # Value function learning
        for _i in range(train_v_iters):
            vf_optimizer.zero_grad()
            loss_v = compute_loss_v(data)
            loss_v.backward()
            mpi_avg_grads(ac.v)    # average grads across MPI processes
            vf_optimizer.step()

        # Log changes from update (measured after it)
        with torch.no_grad():
            loss_pi, pi_info = compute_loss_pi(data)
            loss_v = compute_loss_v(data)
        kl, ent = pi_info["kl"], pi_info_old["ent"]
        logger.store(LossPi=pi_l_old, LossV=v_l_old,
                     KL=kl, Entropy=ent,
                     DeltaLossPi=(loss_pi.item() - pi_l_old),
                     DeltaLossV=(loss_v.item() - v_l_old))

    # Prepare for interaction with environment
    start_time = time.time() - (0.0 if snapshot is None else snapshot["elapsed"])
    o, _ = env.reset(seed=seed)
    ep_ret, ep_len = 0, 0

    # Main loop: collect experience in env and update/log each epoch
    for epoch in range(start_epoch, epochs):
        episodes_finished = 0
        for t in range(local_steps_per_epoch):
            a, v, logp = ac.step(torch.as_tensor(o, dtype=torch.float32))

            next_o, r, terminated, truncated, _ = env.step(core.env_action(a, env.action_space))
            ep_ret += r
            ep_len += 1

            # save and log
            buf.store(o, a, r, v, logp)
            logger.store(VVals=v)

            # Update obs (critical!)
            o = next_o

            timeout = ep_len == max_ep_len
            episode_over = terminated or truncated or timeout
            epoch_ended = t == local_steps_per_epoch - 1

            if episode_over or epoch_ended:
                if epoch_ended and not episode_over:
                    print("Warning: trajectory cut off by epoch at %d steps." % ep_len,
                          flush=True)
                # A true terminal state is worth nothing more; a cut-off one
                # (time limit or end of epoch) is worth what V says.
                if terminated:
                    v = 0
                else:
                    _, v, _ = ac.step(torch.as_tensor(o, dtype=torch.float32))
                buf.finish_path(v)
                if episode_over:
                    # only save EpRet / EpLen if trajectory finished
                    logger.store(EpRet=ep_ret, EpLen=ep_len)
                    episodes_finished += 1
                o, _ = env.reset()
                ep_ret, ep_len = 0, 0

        if episodes_finished == 0:
            # No episode ended on this rank: nothing to add to the statistics
            # (if no rank finished one, they come out as nan).
            logger.store(EpRet=np.zeros(0, np.float32), EpLen=np.zeros(0, np.float32))

        # Perform VPG update!
        update()

        # Log info about epoch
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("EpRet", with_min_and_max=True)
        logger.log_tabular("EpLen", average_only=True)
        logger.log_tabular("VVals", with_min_and_max=True)
        logger.log_tabular("TotalEnvInteracts", (epoch + 1) * steps_per_epoch)
        logger.log_tabular("LossPi", average_only=True)
        logger.log_tabular("LossV", average_only=True)
        logger.log_tabular("DeltaLossPi", average_only=True)
        logger.log_tabular("DeltaLossV", average_only=True)
        logger.log_tabular("Entropy", average_only=True)
        logger.log_tabular("KL", average_only=True)
        logger.log_tabular("Time", time.time() - start_time)
        logger.dump_tabular()

        # Save model, after the epoch's row: a snapshot taken after epoch e
        # promises that rows 0..e are in progress.txt, which resume relies on.
        if (epoch % save_freq == 0) or (epoch == epochs - 1):
            state = {"env": env, "epoch": epoch, "elapsed": time.time() - start_time,
                     "model_state": ac.state_dict(),
                     "pi_optimizer": pi_optimizer.state_dict(),
                     "vf_optimizer": vf_optimizer.state_dict()}
            logger.save_epoch(state, epoch)

    logger.close()


if __name__ == "__main__":
    import argparse

    import gymnasium as gym

    parser = argparse.ArgumentParser()
    parser.add_argument("--env", type=str, default="CartPole-v1")
    parser.add_argument("--hid", type=int, default=64)
    parser.add_argument("--l", type=int, default=2)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--seed", "-s", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=1)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--exp_name", type=str, default="vpg")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    from spinup.utils.mpi_tools import mpi_fork
    from spinup.utils.run_utils import setup_logger_kwargs

    mpi_fork(args.cpu)  # run parallel code with mpi
    logger_kwargs = setup_logger_kwargs(args.exp_name, args.seed)

    vpg(lambda: gym.make(args.env), actor_critic=core.MLPActorCritic,
        ac_kwargs=dict(hidden_sizes=[args.hid] * args.l), gamma=args.gamma,
        seed=args.seed, steps_per_epoch=args.steps, epochs=args.epochs,
        logger_kwargs=logger_kwargs, resume=args.resume)
