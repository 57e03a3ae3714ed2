"""Building blocks of SAC (TensorFlow 1): a squashed Gaussian policy and
two Q-functions, as MLPs in a ``tf.compat.v1`` graph.

An *actor-critic* for SAC is a function
``actor_critic(x, a, **ac_kwargs) -> (mu, pi, logp_pi, q1, q2)``:

===========  ================  ==========================================
Symbol       Shape             Description
===========  ================  ==========================================
``mu``       (batch, act_dim)  The mean action of the policy, squashed and
                               scaled: the deterministic action, used at
                               test time (and by ``test_policy -d``).
``pi``       (batch, act_dim)  Samples actions from the policy given
                               states ``x``.
``logp_pi``  (batch,)          Log-probability of the actions in ``pi``,
                               with the correction for the tanh squashing.
``q1``       (batch,)          Q1(x, a), for the actions in ``a``.
``q2``       (batch,)          Q2(x, a), the second Q-function.
===========  ================  ==========================================

The layers, replay buffer and helpers are those of
:mod:`spinup.algos.tf1.ddpg.core`, re-exported here.
"""
import numpy as np
import tensorflow as tf

from spinup.algos.tf1.ddpg.core import (  # noqa: F401  (part of this module's API)
    ReplayBuffer,
    check_action_space,
    combined_shape,
    count_vars,
    dense,
    get_vars,
    mlp,
    placeholder,
    placeholders,
    q_function,
    restore_variables,
    target_update_ops,
    variable_values,
)
from spinup.algos.tf1.vpg.core import gaussian_likelihood  # noqa: F401

tf1 = tf.compat.v1

LOG_STD_MAX = 2
LOG_STD_MIN = -20


def mlp_gaussian_policy(x, a, hidden_sizes, activation, output_activation):
    """A diagonal Gaussian whose mean and (clipped) log standard deviation
    both come from an MLP on the state. Returns ``(mu, pi, logp_pi)``
    before squashing."""
    act_dim = int(a.shape[-1])
    net = mlp(x, list(hidden_sizes), activation, activation)
    mu = dense(net, act_dim, activation=output_activation, name="mu_layer")
    log_std = dense(net, act_dim, activation=None, name="log_std_layer")
    log_std = tf.clip_by_value(log_std, LOG_STD_MIN, LOG_STD_MAX)
    std = tf.exp(log_std)
    pi = mu + tf.random.normal(tf.shape(mu)) * std
    logp_pi = gaussian_likelihood(pi, mu, log_std)
    return mu, pi, logp_pi


def apply_squashing_func(mu, pi, logp_pi):
    """Squash the Gaussian's samples (and mean) with tanh, and correct the
    log-probabilities for it: subtract sum log(1 - tanh(u)^2), computed as
    2 (log 2 - u - softplus(-2u)), which stays finite for large u."""
    logp_pi -= tf.reduce_sum(2 * (np.log(2) - pi - tf.nn.softplus(-2 * pi)), axis=1)
    return tf.tanh(mu), tf.tanh(pi), logp_pi


def mlp_actor_critic(x, a, hidden_sizes=(256, 256), activation=tf.nn.relu,
                     output_activation=None, policy=mlp_gaussian_policy, action_space=None):
    """The default actor-critic for SAC: a tanh-squashed Gaussian policy
    scaled to the action bounds (scope ``pi``) and two MLP Q-functions
    (scopes ``q1`` and ``q2``).

    Args:
        x: Placeholder for a batch of states.
        a: Placeholder (or tensor) for a batch of actions.
        hidden_sizes (tuple): Sizes of the hidden layers of all networks.
        activation: Activation function between layers.
        output_activation: Activation of the policy's mean layer.
        policy: The policy builder, returning ``(mu, pi, logp_pi)``.
        action_space: The environment's Box action space (SAC passes it in).

    Returns:
        ``(mu, pi, logp_pi, q1, q2)``, as described at the top of this module.
    """
    action_scale = check_action_space(action_space, "SAC")
    with tf1.variable_scope("pi"):
        mu, pi, logp_pi = policy(x, a, hidden_sizes, activation, output_activation)
        mu, pi, logp_pi = apply_squashing_func(mu, pi, logp_pi)

    # make sure actions are in correct range
    mu *= action_scale
    pi *= action_scale

    with tf1.variable_scope("q1"):
        q1 = q_function(x, a, hidden_sizes, activation)
    with tf1.variable_scope("q2"):
        q2 = q_function(x, a, hidden_sizes, activation)
    return mu, pi, logp_pi, q1, q2
