"""Deep Deterministic Policy Gradient (DDPG). TensorFlow 1 (graph) version,
on ``tf.compat.v1``.

The whole algorithm is in this file and reads top to bottom: set up the
graph, then step the environment, storing every transition in a replay
buffer, and every ``update_every`` steps take as many gradient steps on
the Q-function (towards its Bellman backup) and the policy (up the
Q-function); at the end of each epoch test the deterministic policy, log,
and save. The networks are in ``core.py``, the replay buffer in
``spinup/algos/_replay.py``.
"""
import time

import numpy as np
import tensorflow as tf

import spinup.algos.tf1.ddpg.core as core
from spinup.algos import _common
from spinup.algos.tf1.ddpg.core import get_vars

tf1 = tf.compat.v1

# What the updates and the episodes store each epoch (see the end of the epoch).
STORED_KEYS = ("EpRet", "EpLen", "TestEpRet", "TestEpLen", "QVals", "LossPi", "LossQ")


def ddpg(env_fn, actor_critic=core.mlp_actor_critic, ac_kwargs=dict(), seed=0,
         steps_per_epoch=4000, epochs=100, replay_size=int(1e6), gamma=0.99,
         polyak=0.995, pi_lr=1e-3, q_lr=1e-3, batch_size=100, start_steps=10000,
         update_after=1000, update_every=50, act_noise=0.1, num_test_episodes=10,
         max_ep_len=1000, logger_kwargs=dict(), save_freq=1, *, resume=False):
    """
    Deep Deterministic Policy Gradient (DDPG)

    Args:
        env_fn : A function which creates a copy of the environment.
            The environment must satisfy the gymnasium API, with a Box
            action space whose bounds are the same on every dimension.

        actor_critic: A function which takes in placeholder symbols
            for state, ``x_ph``, and action, ``a_ph``, and returns the main
            outputs from the agent's Tensorflow computation graph:

            ===========  ================  ======================================
            Symbol       Shape             Description
            ===========  ================  ======================================
            ``pi``       (batch, act_dim)  | Deterministically computes actions
                                           | from policy given states.
            ``q``        (batch,)          | Gives the current estimate of Q* for
                                           | states in ``x_ph`` and actions in
                                           | ``a_ph``.
            ``q_pi``     (batch,)          | Gives the composition of ``q`` and
                                           | ``pi`` for states in ``x_ph``:
                                           | q(x, pi(x)).
            ===========  ================  ======================================

        ac_kwargs (dict): Any kwargs appropriate for the actor_critic
            function you provided to DDPG.

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

        pi_lr (float): Learning rate for policy.

        q_lr (float): Learning rate for Q-networks.

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

        act_noise (float): Stddev for Gaussian exploration noise added to
            policy at training time. (At test time, no noise is added.)

        num_test_episodes (int): Number of episodes to test the deterministic
            policy at the end of each epoch.

        max_ep_len (int): Maximum length of trajectory / episode / rollout.
            (An environment's own time limit also applies.)

        logger_kwargs (dict): Keyword args for EpochLogger.

        save_freq (int): How often (in terms of gap between epochs) to save
            the current policy and value function. The last epoch is always
            saved.

        resume (bool): Keyword only (an extension). Continue the run whose
            ``logger_kwargs['output_dir']`` holds a snapshot: the networks,
            target networks, optimizers, replay buffer and step count come
            back from the last snapshot, rows of progress.txt logged after
            it are dropped (the full old file is kept as progress.txt.N),
            and training goes on with the next epoch in the same
            progress.txt. Without a snapshot it starts from scratch.
    """
    config = dict(locals())

    run = _common.start_run(logger_kwargs, seed, resume)
    logger, snapshot, start_epoch, seed = run.logger, run.snapshot, run.start_epoch, run.seed

    # A fresh TF1 graph for this run.
    tf1.disable_eager_execution()
    tf1.reset_default_graph()
    tf1.set_random_seed(seed)
    np.random.seed(seed)

    env, test_env = env_fn(), env_fn()
    if getattr(env, "spec", None) is not None:
        config["env_name"] = env.spec.id  # lets test_policy rebuild the env
    logger.save_config(config)
    obs_dim = env.observation_space.shape[0]
    act_dim = env.action_space.shape[0]

    # Action limit for clamping: critically, assumes all dimensions share the same bound!
    act_limit = core.check_action_space(env.action_space, "DDPG")

    # Share information about action space with policy architecture
    ac_kwargs = dict(ac_kwargs, action_space=env.action_space)

    # Inputs to computation graph
    x_ph, a_ph, x2_ph, r_ph, d_ph = core.placeholders(obs_dim, act_dim, obs_dim, None, None)

    # Main outputs from computation graph
    with tf1.variable_scope("main"):
        pi, q, q_pi = actor_critic(x_ph, a_ph, **ac_kwargs)

    # Target networks
    with tf1.variable_scope("target"):
        # Note that the action placeholder going to actor_critic here is
        # irrelevant, because we only need q_targ(s, pi_targ(s)).
        pi_targ, _, q_pi_targ = actor_critic(x2_ph, a_ph, **ac_kwargs)

    # Experience buffer
    replay_buffer = core.ReplayBuffer(obs_dim=obs_dim, act_dim=act_dim, size=replay_size)

    # Count variables
    var_counts = tuple(core.count_vars(scope) for scope in ["main/pi", "main/q", "main"])
    logger.log("\nNumber of parameters: \t pi: %d, \t q: %d, \t total: %d\n" % var_counts)

    # Bellman backup for Q function; d_ph is 1 only for a true terminal state.
    backup = tf.stop_gradient(r_ph + gamma * (1 - d_ph) * q_pi_targ)

    # DDPG losses
    pi_loss = -tf.reduce_mean(q_pi)
    q_loss = tf.reduce_mean((q - backup) ** 2)

    # Separate train ops for pi, q
    pi_optimizer = tf1.train.AdamOptimizer(learning_rate=pi_lr)
    q_optimizer = tf1.train.AdamOptimizer(learning_rate=q_lr)
    train_pi_op = pi_optimizer.minimize(pi_loss, var_list=get_vars("main/pi"))
    train_q_op = q_optimizer.minimize(q_loss, var_list=get_vars("main/q"))

    # Polyak averaging for target variables, and their initialisation
    target_init, target_update = core.target_update_ops(polyak)

    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())
    sess.run(target_init)
    if snapshot is not None:
        try:
            core.restore_variables(sess, snapshot["model_state"])
            replay_buffer.load_state_dict(snapshot["replay_buffer"])
        except (KeyError, ValueError) as e:
            raise ValueError("Cannot resume: the snapshot does not fit this actor-critic "
                             "(were ac_kwargs or replay_size changed?): %s" % e) from e

    # Setup model saving
    logger.setup_tf_saver(sess, inputs={"x": x_ph, "a": a_ph}, outputs={"pi": pi, "q": q})

    def get_action(o, noise_scale):
        a = sess.run(pi, feed_dict={x_ph: np.asarray(o, np.float32).reshape(1, -1)})[0]
        a += noise_scale * np.random.randn(act_dim)
        return np.clip(a, -act_limit, act_limit)

    def test_agent():
        for _ in range(num_test_episodes):
            (o, _), done, ep_ret, ep_len = test_env.reset(), False, 0, 0
            while not (done or (ep_len == max_ep_len)):
                # Take deterministic actions at test time (noise_scale=0)
                o, r, terminated, truncated, _ = test_env.step(get_action(o, 0))
                done = terminated or truncated
                ep_ret += r
                ep_len += 1
            logger.store(TestEpRet=ep_ret, TestEpLen=ep_len)

    # Prepare for interaction with environment
    total_steps = steps_per_epoch * epochs
    start_time = time.time() - (0.0 if snapshot is None else snapshot["elapsed"])
    o, _ = env.reset(seed=seed)
    test_env.reset(seed=seed + 1)
    env.action_space.seed(seed)
    ep_ret, ep_len = 0, 0

    # Main loop: collect experience in env and update/log each epoch.
    # A resumed run starts at the first step of the epoch after its snapshot
    # (the episode that was under way is started afresh).
    for t in range(start_epoch * steps_per_epoch, total_steps):

        # Until start_steps have elapsed, randomly sample actions from a
        # uniform distribution for better exploration. Afterwards, use the
        # learned policy (with some noise, via act_noise).
        if t > start_steps:
            a = get_action(o, act_noise)
        else:
            a = env.action_space.sample()

        # Step the env
        o2, r, terminated, truncated, _ = env.step(a)
        ep_ret += r
        ep_len += 1

        # Only a true terminal state ends the bootstrap; hitting a time limit
        # (truncated, or max_ep_len) does not, since the state is not
        # terminal. (The original's `d = False if ep_len==max_ep_len else d`.)
        replay_buffer.store(o, a, r, o2, terminated)

        # Super critical, easy to overlook step: make sure to update
        # most recent observation!
        o = o2

        # End of trajectory handling
        if terminated or truncated or (ep_len == max_ep_len):
            logger.store(EpRet=ep_ret, EpLen=ep_len)
            (o, _), ep_ret, ep_len = env.reset(), 0, 0

        # Update handling
        if t >= update_after and t % update_every == 0:
            for _ in range(update_every):
                batch = replay_buffer.sample_batch(batch_size)
                feed_dict = {x_ph: batch["obs"], x2_ph: batch["obs2"], a_ph: batch["act"],
                             r_ph: batch["rew"], d_ph: batch["done"]}

                # Q-learning update
                outs = sess.run([q_loss, q, train_q_op], feed_dict)
                logger.store(LossQ=outs[0], QVals=outs[1])

                # Policy update
                outs = sess.run([pi_loss, train_pi_op, target_update], feed_dict)
                logger.store(LossPi=outs[0])

        # End of epoch wrap-up
        if (t + 1) % steps_per_epoch == 0:
            epoch = (t + 1) // steps_per_epoch

            # Test the performance of the deterministic version of the agent.
            test_agent()

            # Keys with nothing this epoch (no episode ended yet, no update
            # before update_after) come out as nan instead of failing.
            logger.store(**{k: np.zeros(0, np.float32) for k in STORED_KEYS
                            if not logger.epoch_dict.get(k)})

            # Log info about epoch (numbered from 1, as in the original)
            logger.log_tabular("Epoch", epoch)
            logger.log_tabular("EpRet", with_min_and_max=True)
            logger.log_tabular("TestEpRet", with_min_and_max=True)
            logger.log_tabular("EpLen", average_only=True)
            logger.log_tabular("TestEpLen", average_only=True)
            logger.log_tabular("TotalEnvInteracts", t + 1)
            logger.log_tabular("QVals", with_min_and_max=True)
            logger.log_tabular("LossPi", average_only=True)
            logger.log_tabular("LossQ", average_only=True)
            logger.log_tabular("Time", time.time() - start_time)
            logger.dump_tabular()

            # Save model, after the epoch's row (resume relies on it). The
            # snapshot counts epochs from 0, like the rows of progress.txt.
            if (epoch % save_freq == 0) or (epoch == epochs):
                state = {"env": env, "epoch": epoch - 1, "elapsed": time.time() - start_time,
                         "model_state": core.variable_values(sess),
                         "replay_buffer": replay_buffer.state_dict()}
                logger.save_epoch(state, epoch - 1)

    logger.close()
    sess.close()


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
    parser.add_argument("--exp_name", type=str, default="ddpg")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    from spinup.utils.run_utils import setup_logger_kwargs
    logger_kwargs = setup_logger_kwargs(args.exp_name, args.seed)

    ddpg(lambda: gym.make(args.env), actor_critic=core.mlp_actor_critic,
         ac_kwargs=dict(hidden_sizes=[args.hid] * args.l), gamma=args.gamma,
         seed=args.seed, epochs=args.epochs, logger_kwargs=logger_kwargs, resume=args.resume)
