"""Trust Region Policy Optimization (with support for Natural Policy
Gradient). TensorFlow 1 (graph) version, on ``tf.compat.v1``.

The whole algorithm is in this file and reads top to bottom: set up the
graph, then for each epoch collect experience, take one natural-gradient
step on the policy (found by conjugate gradient, kept inside the trust
region by a backtracking line search), fit the value function, log, and
save. The networks, the KL divergences and the experience buffer are in
``core.py``.
"""
import time

import numpy as np
import tensorflow as tf

import spinup.algos.tf1.trpo.core as core
from spinup.algos import _common
from spinup.utils.mpi_tf import MpiAdamOptimizer, sync_all_params
from spinup.utils.mpi_tools import mpi_avg, num_procs, proc_id

tf1 = tf.compat.v1

EPS = 1e-8


def trpo(env_fn, actor_critic=core.mlp_actor_critic, ac_kwargs=dict(), seed=0,
         steps_per_epoch=4000, epochs=50, gamma=0.99, delta=0.01, vf_lr=1e-3,
         train_v_iters=80, damping_coeff=0.1, cg_iters=10, backtrack_iters=10,
         backtrack_coeff=0.8, lam=0.97, max_ep_len=1000, logger_kwargs=dict(),
         save_freq=10, algo="trpo", *, resume=False):
    """
    Trust Region Policy Optimization

    (with support for Natural Policy Gradient)

    Args:
        env_fn : A function which creates a copy of the environment.
            The environment must satisfy the gymnasium API (``reset``
            returns ``(obs, info)``, ``step`` returns ``(obs, reward,
            terminated, truncated, info)``).

        actor_critic: A function which takes in placeholder symbols
            for state, ``x_ph``, and action, ``a_ph``, and returns the main
            outputs from the agent's Tensorflow computation graph:

            ============  ================  ========================================
            Symbol        Shape             Description
            ============  ================  ========================================
            ``pi``        (batch, act_dim)  | Samples actions from policy given
                                            | states.
            ``logp``      (batch,)          | Gives log probability, according to
                                            | the policy, of taking actions ``a_ph``
                                            | in states ``x_ph``.
            ``logp_pi``   (batch,)          | Gives log probability, according to
                                            | the policy, of the action sampled by
                                            | ``pi``.
            ``info``      N/A               | A dict of any intermediate quantities
                                            | (from calculating the policy or log
                                            | probabilities) which are needed for
                                            | analytically computing KL divergence.
                                            | (eg sufficient statistics of the
                                            | distributions)
            ``info_phs``  N/A               | A dict of placeholders for old values
                                            | of the entries in ``info``.
            ``d_kl``      ()                | A symbol for computing the mean KL
                                            | divergence between the current policy
                                            | (``pi``) and the old policy (as
                                            | specified by the inputs to
                                            | ``info_phs``) over the batch of
                                            | states given in ``x_ph``.
            ``v``         (batch,)          | Gives the value estimate for states
                                            | in ``x_ph``. (Critical: make sure
                                            | to flatten this!)
            ============  ================  ========================================

            See :func:`~spinup.algos.tf1.trpo.core.mlp_actor_critic`.

        ac_kwargs (dict): Any kwargs appropriate for the actor_critic
            function you provided to TRPO.

        seed (int): Seed for random number generators.

        steps_per_epoch (int): Number of steps of interaction (state-action
            pairs) for the agent and the environment in each epoch, summed
            over all MPI processes.

        epochs (int): Number of epochs of interaction (equivalent to
            number of policy updates) to perform.

        gamma (float): Discount factor. (Always between 0 and 1.)

        delta (float): KL-divergence limit for TRPO / NPG update.
            (Should be small for stability. Values like 0.01, 0.05.)

        vf_lr (float): Learning rate for value function optimizer.

        train_v_iters (int): Number of gradient descent steps to take on
            value function per epoch.

        damping_coeff (float): Artifact for numerical stability, should be
            smallish. Adjusts Hessian-vector product calculation:

            .. math:: Hv \\rightarrow (\\alpha I + H)v

            where :math:`\\alpha` is the damping coefficient.
            Probably don't play with this hyperparameter.

        cg_iters (int): Number of iterations of conjugate gradient to perform.
            Increasing this will lead to a more accurate approximation
            to :math:`H^{-1} g`, and possibly slightly-improved performance,
            but at the cost of slowing things down.

            Also probably don't play with this hyperparameter.

        backtrack_iters (int): Maximum number of steps allowed in the
            backtracking line search. Since the line search usually doesn't
            backtrack, and usually only steps back once when it does, this
            hyperparameter doesn't often matter.

        backtrack_coeff (float): How far back to step during backtracking line
            search. (Always between 0 and 1, usually above 0.5.)

        lam (float): Lambda for GAE-Lambda. (Always between 0 and 1,
            close to 1.)

        max_ep_len (int): Maximum length of trajectory / episode / rollout.
            (An environment's own time limit, which ends an episode with
            ``truncated=True``, also applies.)

        logger_kwargs (dict): Keyword args for EpochLogger.

        save_freq (int): How often (in terms of gap between epochs) to save
            the current policy and value function. The last epoch is
            always saved.

        algo: Either 'trpo' or 'npg': this code supports both, since they are
            almost the same.

        resume (bool): Keyword only (an extension). Continue the run whose
            ``logger_kwargs['output_dir']`` holds a snapshot: the variables
            (networks and the value function's optimizer) and the epoch
            count are restored from the last snapshot, rows of progress.txt
            logged after it are dropped (the full old file is kept as
            progress.txt.N), and training goes on with the next epoch in the
            same progress.txt. Without a snapshot it starts from scratch.
    """
    if algo not in ("trpo", "npg"):
        raise ValueError("algo must be 'trpo' or 'npg', not %r." % (algo,))
    # The arguments, for config.json.
    config = dict(locals())

    # Logger (appending to progress.txt when resuming) and the seed; every
    # rank reads the snapshot, since the variables are the same on all.
    run = _common.start_run(logger_kwargs, seed + 10000 * proc_id(), resume, rank=proc_id())
    logger, snapshot, start_epoch, seed = run.logger, run.snapshot, run.start_epoch, run.seed

    # A fresh TF1 graph for this run.
    tf1.disable_eager_execution()
    tf1.reset_default_graph()
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

    # Main outputs from computation graph, plus placeholders for old pdist (for KL)
    pi, logp, logp_pi, info, info_phs, d_kl, v = actor_critic(x_ph, a_ph, **ac_kwargs)

    # Need all placeholders in *this* order later (to zip with data from buffer)
    all_phs = [x_ph, a_ph, adv_ph, ret_ph, logp_old_ph] + core.values_as_sorted_list(info_phs)

    # Every step, get: action, value, logprob, & info for pdist (for computing kl div)
    get_action_ops = [pi, v, logp_pi] + core.values_as_sorted_list(info)

    # Experience buffer
    local_steps_per_epoch = int(steps_per_epoch / num_procs())
    info_shapes = {k: v.shape.as_list()[1:] for k, v in info_phs.items()}
    buf = core.GAEBuffer(obs_dim, act_dim, local_steps_per_epoch, info_shapes, gamma, lam,
                         act_dtype=a_ph.dtype.as_numpy_dtype)

    # Count variables
    var_counts = tuple(core.count_vars(scope) for scope in ["pi", "v"])
    logger.log("\nNumber of parameters: \t pi: %d, \t v: %d\n" % var_counts)

    # TRPO losses: the surrogate advantage (whose gradient at the old policy
    # is the policy gradient), and squared error for the value function.
    ratio = tf.exp(logp - logp_old_ph)          # pi(a|s) / pi_old(a|s)
    pi_loss = -tf.reduce_mean(ratio * adv_ph)
    v_loss = tf.reduce_mean((ret_ph - v) ** 2)

    # Optimizer for value function
    train_vf = MpiAdamOptimizer(learning_rate=vf_lr).minimize(
        v_loss, var_list=core.get_vars("v"))

    # Symbols needed for CG solver: the policy gradient and the product of
    # the KL's Hessian (the Fisher matrix) with a vector.
    pi_params = core.get_vars("pi")
    gradient = core.flat_grad(pi_loss, pi_params)
    v_ph, hvp = core.hessian_vector_product(d_kl, pi_params)
    if damping_coeff > 0:
        hvp += damping_coeff * v_ph

    # Symbols for getting and setting params
    get_pi_params = core.flat_concat(pi_params)
    set_pi_params = core.assign_params_from_flat(v_ph, pi_params)

    sess = tf1.Session(config=core.session_config(num_procs()))
    sess.run(tf1.global_variables_initializer())
    if snapshot is not None:
        core.restore_variables(sess, snapshot["model_state"])

    # Sync params across processes
    sess.run(sync_all_params())

    # Setup model saving
    logger.setup_tf_saver(sess, inputs={"x": x_ph}, outputs=core.saved_outputs(pi, v))

    def cg(Ax, b):
        """Conjugate gradient algorithm: approximately solve ``Ax = b`` for
        x, using only products of A with vectors (see Wikipedia's
        "Conjugate gradient method")."""
        x = np.zeros_like(b)
        r = b.copy()  # the residual b - Ax, with x = 0 at the start
        p = r.copy()
        r_dot_old = np.dot(r, r)
        for _ in range(cg_iters):
            z = Ax(p)
            alpha = r_dot_old / (np.dot(p, z) + EPS)
            x += alpha * p
            r -= alpha * z
            r_dot_new = np.dot(r, r)
            p = r + (r_dot_new / (r_dot_old + EPS)) * p
            r_dot_old = r_dot_new
        return x

    def update():
        # Prepare hessian func, gradient eval
        inputs = dict(zip(all_phs, buf.get()))

        def Hx(x):
            return mpi_avg(sess.run(hvp, feed_dict={**inputs, v_ph: x}))

        g, pi_l_old, v_l_old = sess.run([gradient, pi_loss, v_loss], feed_dict=inputs)
        g, pi_l_old = mpi_avg(g), mpi_avg(pi_l_old)

        # Core calculations for TRPO or NPG: the natural gradient direction
        # x = H^-1 g, scaled so the quadratic model of the KL equals delta.
        x = cg(Hx, g)
        alpha = np.sqrt(2 * delta / (np.dot(x, Hx(x)) + EPS))
        old_params = sess.run(get_pi_params)

        def set_and_eval(step):
            sess.run(set_pi_params, feed_dict={v_ph: old_params - alpha * x * step})
            return mpi_avg(sess.run([d_kl, pi_loss], feed_dict=inputs))

        if algo == "npg":
            # npg has no backtracking or hard kl constraint enforcement
            kl, pi_l_new = set_and_eval(step=1.0)
        else:
            # trpo augments npg with backtracking line search, hard kl
            for j in range(backtrack_iters):
                kl, pi_l_new = set_and_eval(step=backtrack_coeff ** j)
                if kl <= delta and pi_l_new <= pi_l_old:
                    logger.log("Accepting new params at step %d of line search." % j)
                    logger.store(BacktrackIters=j)
                    break
                if j == backtrack_iters - 1:
                    logger.log("Line search failed! Keeping old params.")
                    logger.store(BacktrackIters=j)
                    kl, pi_l_new = set_and_eval(step=0.0)

        # Value function updates
        for _ in range(train_v_iters):
            sess.run(train_vf, feed_dict=inputs)
        v_l_new = sess.run(v_loss, feed_dict=inputs)

        # Log changes from update
        logger.store(LossPi=pi_l_old, LossV=v_l_old, KL=kl,
                     DeltaLossPi=(pi_l_new - pi_l_old),
                     DeltaLossV=(v_l_new - v_l_old))

    start_time = time.time() - (0.0 if snapshot is None else snapshot["elapsed"])
    o, _ = env.reset(seed=seed)
    ep_ret, ep_len = 0, 0

    # Main loop: collect experience in env and update/log each epoch
    for epoch in range(start_epoch, epochs):
        episodes_finished = 0
        for t in range(local_steps_per_epoch):
            agent_outs = sess.run(get_action_ops,
                                  feed_dict={x_ph: np.asarray(o, np.float32)[None]})
            a, v_t, logp_t = agent_outs[0][0], agent_outs[1][0], agent_outs[2][0]
            info_t = [out[0] for out in agent_outs[3:]]

            next_o, r, terminated, truncated, _ = env.step(core.env_action(a, env.action_space))
            ep_ret += r
            ep_len += 1

            # save and log
            buf.store(o, a, r, v_t, logp_t, info_t)
            logger.store(VVals=v_t)

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
            # No episode ended on this rank: nothing to add to the statistics.
            logger.store(EpRet=np.zeros(0, np.float32), EpLen=np.zeros(0, np.float32))

        # Perform TRPO or NPG update!
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
        logger.log_tabular("KL", average_only=True)
        if algo == "trpo":
            logger.log_tabular("BacktrackIters", average_only=True)
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
    parser.add_argument("--exp_name", type=str, default="trpo")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()

    from spinup.utils.mpi_tools import mpi_fork
    from spinup.utils.run_utils import setup_logger_kwargs

    mpi_fork(args.cpu)  # run parallel code with mpi
    logger_kwargs = setup_logger_kwargs(args.exp_name, args.seed)

    trpo(lambda: gym.make(args.env), actor_critic=core.mlp_actor_critic,
         ac_kwargs=dict(hidden_sizes=[args.hid] * args.l), gamma=args.gamma,
         seed=args.seed, steps_per_epoch=args.steps, epochs=args.epochs,
         logger_kwargs=logger_kwargs, resume=args.resume)
