"""Building blocks of TD3 (TensorFlow 1): a deterministic policy and two
Q-functions, as MLPs in a ``tf.compat.v1`` graph.

An *actor-critic* for TD3 is a function
``actor_critic(x, a, **ac_kwargs) -> (pi, q1, q2, q1_pi)``:

=========  ================  ============================================
Symbol     Shape             Description
=========  ================  ============================================
``pi``     (batch, act_dim)  Deterministically computes actions from the
                             policy given states ``x``.
``q1``     (batch,)          Q1(x, a), for the actions in placeholder ``a``.
``q2``     (batch,)          Q2(x, a), the second Q-function.
``q1_pi``  (batch,)          Q1(x, pi(x)): the first Q-function (same
                             weights) at the policy's actions.
=========  ================  ============================================

The layers, replay buffer and helpers are those of
:mod:`spinup.algos.tf1.ddpg.core`, re-exported here.
"""
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

tf1 = tf.compat.v1


def mlp_actor_critic(x, a, hidden_sizes=(256, 256), activation=tf.nn.relu,
                     output_activation=tf.tanh, action_space=None):
    """The default actor-critic for TD3: a tanh-squashed MLP policy scaled
    to the action bounds (scope ``pi``) and two MLP Q-functions (scopes
    ``q1`` and ``q2``).

    Args:
        x: Placeholder for a batch of states.
        a: Placeholder (or tensor) for a batch of actions.
        hidden_sizes (tuple): Sizes of the hidden layers of all networks.
        activation: Activation function between layers.
        output_activation: Activation of the policy's output layer.
        action_space: The environment's Box action space (TD3 passes it in).

    Returns:
        ``(pi, q1, q2, q1_pi)``, as described at the top of this module.
    """
    act_dim = int(a.shape[-1])
    act_limit = check_action_space(action_space, "TD3")
    with tf1.variable_scope("pi"):
        pi = act_limit * mlp(x, list(hidden_sizes) + [act_dim], activation, output_activation)
    with tf1.variable_scope("q1"):
        q1 = q_function(x, a, hidden_sizes, activation)
    with tf1.variable_scope("q2"):
        q2 = q_function(x, a, hidden_sizes, activation)
    with tf1.variable_scope("q1", reuse=True):
        q1_pi = q_function(x, pi, hidden_sizes, activation)
    return pi, q1, q2, q1_pi
