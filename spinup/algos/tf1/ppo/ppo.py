"""Proximal Policy Optimization (by clipping), with early stopping based on
approximate KL divergence. TensorFlow 1 (graph) version, on
``tf.compat.v1``.

The whole algorithm is in this file and reads top to bottom: set up the
graph, then for each epoch collect experience, update the policy and the
value function, log, and save. The networks and the experience buffer are in
``core.py``.
"""
import time

import numpy as np
import tensorflow as tf

import spinup.algos.tf1.ppo.core as core
from spinup.algos import _common
from spinup.utils.mpi_tf import MpiAdamOptimizer, sync_all_params
from spinup.utils.mpi_tools import mpi_avg, num_procs, proc_id

tf1 = tf.compat.v1


def ppo(env_fn, actor_critic=core.mlp_actor_critic, ac_kwargs=dict(), seed=0,
        steps_per_epoch=4000, epochs=50, gamma=0.99, clip_ratio=0.2, pi_lr=3e-4,
        vf_lr=1e-3, train_pi_iters=80, train_v_iters=80, lam=0.97, max_ep_len=1000,
        target_kl=0.01, logger_kwargs=dict(), save_freq=10, *, resume=False):
    """
    Proximal Policy Optimization (by clipping),

    with early stopping based on approximate KL

    Args:
        env_fn : A function which creates a copy of the environment.
            The environment must satisfy the gymnasium API (``reset``
            returns ``(obs, info)``, ``step`` returns ``(obs, reward,
            terminated, truncated, info)``).

        actor_critic: A function which takes in placeholder symbols
            for state, ``x_ph``, and action, ``a_ph``, and returns the main
            outputs from the agent's Tensorflow computation graph:
            ``pi`` (actions sampled from the policy given states),
            ``logp`` (log-probabilities of the actions in ``a_ph``),
            ``logp_pi`` (log-probabilities of the actions in ``pi``) and
            ``v`` (value estimates of the states). It also receives
            ``action_space`` and the ``ac_kwargs``. See
            :func:`~spinup.algos.tf1.vpg.core.mlp_actor_critic`.

        ac_kwargs (dict): Any kwargs appropriate for the actor_critic
            function you provided to PPO.

        seed (int): Seed for random number generators.

        steps_per_epoch (int): Number of steps of interaction (state-action
            pairs) for the agent and the environment in each epoch, summed
            over all MPI processes.

        epochs (int): Number of epochs of interaction (equivalent to
            number of policy updates) to perform.

        gamma (float): Discount factor. (Always between 0 and 1.)

        clip_ratio (float): Hyperparameter for clipping in the policy
            objective. Roughly: how far can the new policy go from the old
            policy while still profiting (improving the objective function)?
            The new policy can still go farther than the clip_ratio says, but
            it doesn't help on the objective anymore. (Usually small, 0.1 to
            0.3.)

        pi_lr (float): Learning rate for policy optimizer.

        vf_lr (float): Learning rate for value function optimizer.

        train_pi_iters (int): Maximum number of gradient descent steps to
            take on policy loss per epoch. (Early stopping may cause
            optimizer to take fewer than this.)

        train_v_iters (int): Number of gradient descent steps to take on
            value function per epoch.

        lam (float): Lambda for GAE-Lambda. (Always between 0 and 1, close
            to 1.)

        max_ep_len (int): Maximum length of trajectory / episode / rollout.
            (An environment's own time limit, which ends an episode with
            ``truncated=True``, also applies.)

        target_kl (float): Roughly what KL divergence we think is
            appropriate between new and old policies after an update. This
            will get used for early stopping. (Usually small, 0.01 or 0.05.)

        logger_kwargs (dict): Keyword args for EpochLogger.

        save_freq (int): How often (in terms of gap between epochs) to save
            the current policy and value function. The last epoch is
            always saved.

        resume (bool): Keyword only (an extension). Continue the run whose
            ``logger_kwargs['output_dir']`` holds a snapshot: the variables
            (networks and optimizers) and the epoch count are restored from
            the last snapshot, rows of progress.txt logged after it are
            dropped (the full old file is kept as progress.txt.N), and
            training goes on with the next epoch in the same progress.txt.
            Without a snapshot it starts from scratch.
    """
    # The arguments, for config.json. (The original saved locals(), which
    # dragged in the logger object itself; the arguments are what matters.)
    config = dict(locals())

    # Set up logger, resuming from the last snapshot when asked (every rank
    # reads it: the variables are the same on all ranks).
    run = _common.start_run(logger_kwargs, seed + 10000 * proc_id(), resume, rank=proc_id())
    logger, snapshot, start_epoch, seed = run.logger, run.snapshot, run.start_epoch, run.seed

    # A fresh TF1 graph for this run.
    tf1.disable_eager_execution()
    tf1.reset_default_graph()

    # Random seed
    tf1.set_random_seed(seed)
    np.random.seed(seed)

    # Instantiate environment
    env = env_fn()
    if getattr(env, "spec", None) is not None:
        config["env_name"] = env.spec.id  # lets test_policy rebuild the env
    logger.save_config(config)
    obs_dim = env.observation_space.shape
    act_dim = env.action_space.shape

    # Share information about action space with policy architecture
    ac_kwargs = dict(ac_kwargs, action_space=env.action_space)

    # Inputs to computation graph
    x_ph, a_ph = core.placeholders_from_spaces(env.observation_space, env.action_space)
    adv_ph, ret_ph, logp_old_ph = core.placeholders(None, None, None)

    # Main outputs from computation graph
    pi, logp, logp_pi, v = actor_critic(x_ph, a_ph, **ac_kwargs)

    # Need all placeholders in *this* order later (to zip with data from buffer)
    all_phs = [x_ph, a_ph, adv_ph, ret_ph, logp_old_ph]

    # Every step, get: action, value, and logprob
    get_action_ops = [pi, v, logp_pi]

    # Experience buffer
    local_steps_per_epoch = int(steps_per_epoch / num_procs())
    buf = core.GAEBuffer(obs_dim, act_dim, local_steps_per_epoch, gamma, lam,
                         act_dtype=a_ph.dtype.as_numpy_dtype)

    # Count variables
    var_counts = tuple(core.count_vars(scope) for scope in ["pi", "v"])
    logger.log("\nNumber of parameters: \t pi: %d, \t v: %d\n" % var_counts)

    # PPO objectives: the clipped surrogate for the policy, squared error
    # against the rewards-to-go for the value function.
    ratio = tf.exp(logp - logp_old_ph)          # pi(a|s) / pi_old(a|s)
    min_adv = tf.where(adv_ph > 0, (1 + clip_ratio) * adv_ph, (1 - clip_ratio) * adv_ph)
    pi_loss = -tf.reduce_mean(tf.minimum(ratio * adv_ph, min_adv))
    v_loss = tf.reduce_mean((ret_ph - v) ** 2)

    # Info (useful to watch during learning)
    approx_kl = tf.reduce_mean(logp_old_ph - logp)      # a sample estimate for KL
    approx_ent = tf.reduce_mean(-logp)                  # a sample estimate for entropy
    clipped = tf.logical_or(ratio > (1 + clip_ratio), ratio < (1 - clip_ratio))
    clipfrac = tf.reduce_mean(tf.cast(clipped, tf.float32))

    # Optimizers
    train_pi = MpiAdamOptimizer(learning_rate=pi_lr).minimize(
        pi_loss, var_list=core.get_vars("pi"))
    train_v = MpiAdamOptimizer(learning_rate=vf_lr).minimize(
        v_loss, var_list=core.get_vars("v"))

    sess = tf1.Session(config=core.session_config(num_procs()))
    sess.run(tf1.global_variables_initializer())
    _common.restore(snapshot, model_state=lambda values: core.restore_variables(sess, values))

    # Sync params across processes
    sess.run(sync_all_params())

    # Setup model saving
    logger.setup_tf_saver(sess, inputs={"x": x_ph}, outputs=core.saved_outputs(pi, v))

    def update():
        inputs = dict(zip(all_phs, buf.get()))
        pi_l_old, v_l_old, ent = sess.run([pi_loss, v_loss, approx_ent], feed_dict=inputs)

        # Training: policy steps until the new policy has moved too far (in
        # KL) from the old one, then value function steps.
        i = 0
        for i in range(train_pi_iters):
            kl = mpi_avg(sess.run(approx_kl, feed_dict=inputs))
            if kl > 1.5 * target_kl:
                logger.log("Early stopping at step %d due to reaching max kl." % i)
                break
            sess.run(train_pi, feed_dict=inputs)
        logger.store(StopIter=i)
        for _ in range(train_v_iters):
            sess.run(train_v, feed_dict=inputs)

        # Log changes from update
        pi_l_new, v_l_new, kl, cf = sess.run([pi_loss, v_loss, approx_kl, clipfrac],
                                             feed_dict=inputs)
        logger.store(LossPi=pi_l_old, LossV=v_l_old,
                     KL=kl, Entropy=ent, ClipFrac=cf,
                     DeltaLossPi=(pi_l_new - pi_l_old),
                     DeltaLossV=(v_l_new - v_l_old))

    start_time = time.time() - (0.0 if snapshot is None else snapshot["elapsed"])
    o, _ = env.reset(seed=seed)
    ep_ret, ep_len = 0, 0

    # Main loop: collect experience in env and update/log each epoch
    for epoch in range(start_epoch, epochs):
        episodes_finished = 0
        for t in range(local_steps_per_epoch):
            a, v_t, logp_t = sess.run(get_action_ops,
                                      feed_dict={x_ph: np.asarray(o, np.float32)[None]})

            next_o, r, terminated, truncated, _ = env.step(
                core.env_action(a[0], env.action_space))
            ep_ret += r
            ep_len += 1

            # save and log
            buf.store(o, a[0], r, v_t[0], logp_t[0])
            logger.store(VVals=v_t[0])

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
                    last_val = 0
                else:
                    last_val = sess.run(v, feed_dict={x_ph: np.asarray(o, np.float32)[None]})[0]
                buf.finish_path(last_val)
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

        # Perform PPO update!
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
        logger.log_tabular("ClipFrac", average_only=True)
        logger.log_tabular("StopIter", average_only=True)
        logger.log_tabular("Time", time.time() - start_time)
        logger.dump_tabular()

        # Save model, after the epoch's row: a snapshot taken after epoch e
        # promises that rows 0..e are in progress.txt, which resume relies on.
        if (epoch % save_freq == 0) or (epoch == epochs - 1):
            state = {"env": env, "epoch": epoch, "elapsed": time.time() - start_time,
                     "model_state": core.variable_values(sess)}
            logger.save_epoch(state, epoch)

    logger.close()
    sess.close()


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
    parser.add_argument("--exp_name", type=str, default="ppo")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    from spinup.utils.mpi_tools import mpi_fork
    from spinup.utils.run_utils import setup_logger_kwargs

    mpi_fork(args.cpu)  # run parallel code with mpi
    logger_kwargs = setup_logger_kwargs(args.exp_name, args.seed)

    ppo(lambda: gym.make(args.env), actor_critic=core.mlp_actor_critic,
        ac_kwargs=dict(hidden_sizes=[args.hid] * args.l), gamma=args.gamma,
        seed=args.seed, steps_per_epoch=args.steps, epochs=args.epochs,
        logger_kwargs=logger_kwargs, resume=args.resume)
