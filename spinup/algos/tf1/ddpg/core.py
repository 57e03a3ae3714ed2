"""Building blocks of DDPG (TensorFlow 1): a deterministic policy and a
Q-function, as MLPs in a ``tf.compat.v1`` graph.

An *actor-critic* for DDPG is a function
``actor_critic(x, a, **ac_kwargs) -> (pi, q, q_pi)``:

========  ================  ============================================
Symbol    Shape             Description
========  ================  ============================================
``pi``    (batch, act_dim)  Deterministically computes actions from the
                            policy given states ``x``.
``q``     (batch,)          Q(x, a): the Q-value of the states and the
                            actions in the placeholder ``a``.
``q_pi``  (batch,)          Q(x, pi(x)): the same Q-function (same
                            weights) evaluated at the policy's actions.
========  ================  ============================================

The placeholders, layers and snapshot helpers are those of
:mod:`spinup.algos.tf1.vpg.core`, re-exported here.
"""
import numpy as np
import tensorflow as tf
from gymnasium.spaces import Box

from spinup.algos._replay import ReplayBuffer  # noqa: F401  (part of this module's API)
from spinup.algos.tf1.vpg.core import (  # noqa: F401
    combined_shape,
    count_vars,
    dense,
    get_vars,
    mlp,
    placeholder,
    placeholders,
    restore_variables,
    variable_values,
)

tf1 = tf.compat.v1


def check_action_space(action_space, algo: str) -> float:
    """Return the action limit of a Box action space with symmetric bounds,
    the only kind these off-policy agents handle, or say what is wrong."""
    if not isinstance(action_space, Box):
        raise TypeError("%s needs a continuous (Box) action space, not %r; use VPG, PPO "
                        "or TRPO for discrete actions." % (algo, action_space))
    if not (np.all(np.isfinite(action_space.high))
            and np.allclose(action_space.low, -action_space.high)
            and np.allclose(action_space.high, action_space.high.flat[0])):
        raise ValueError("%s needs the same bounds [-c, c] on every action dimension "
                         "(got low=%s, high=%s); rescale the actions with "
                         "gymnasium.wrappers.RescaleAction(env, -1, 1)."
                         % (algo, action_space.low, action_space.high))
    return float(action_space.high.flat[0])


def q_function(x, a, hidden_sizes, activation):
    """An MLP Q-function on the concatenated state and action, squeezed to
    one number per row."""
    return tf.squeeze(mlp(tf.concat([x, a], axis=-1), list(hidden_sizes) + [1],
                          activation, None), axis=1)


def target_update_ops(polyak: float, main: str = "main", target: str = "target",
                      after=()):
    """The ops that move the target networks towards the main ones:
    ``(init, update)``, where ``init`` copies them and ``update`` does
    ``target <- polyak * target + (1 - polyak) * main``.

    Variables are paired by name (``main/...`` with ``target/...``), so the
    optimizers' slots never get in the way. ``update`` runs only after the
    ops in ``after`` (say, the training op it must follow).
    """
    main_vars = {v.name[len(main) + 1:]: v for v in get_vars(main + "/")
                 if v.name.startswith(main + "/")}
    pairs = [(main_vars[v.name[len(target) + 1:]], v) for v in get_vars(target + "/")
             if v.name.startswith(target + "/")]
    init = tf.group([tf1.assign(v_targ, v_main) for v_main, v_targ in pairs])
    with tf.control_dependencies(list(after)):
        update = tf.group([tf1.assign(v_targ, polyak * v_targ + (1 - polyak) * v_main)
                           for v_main, v_targ in pairs])
    return init, update


def mlp_actor_critic(x, a, hidden_sizes=(256, 256), activation=tf.nn.relu,
                     output_activation=tf.tanh, action_space=None):
    """The default actor-critic for DDPG: a tanh-squashed MLP policy scaled
    to the action bounds (scope ``pi``) and an MLP Q-function (scope ``q``).

    Args:
        x: Placeholder for a batch of states.
        a: Placeholder for a batch of actions.
        hidden_sizes (tuple): Sizes of the hidden layers of both networks.
        activation: Activation function between layers.
        output_activation: Activation of the policy's output layer (tanh
            keeps actions within the bounds).
        action_space: The environment's Box action space (DDPG passes it
            in); its bounds must be symmetric, as in the original.

    Returns:
        ``(pi, q, q_pi)``, as described at the top of this module.
    """
    act_dim = int(a.shape[-1])
    act_limit = check_action_space(action_space, "DDPG")
    with tf1.variable_scope("pi"):
        pi = act_limit * mlp(x, list(hidden_sizes) + [act_dim], activation, output_activation)
    with tf1.variable_scope("q"):
        q = q_function(x, a, hidden_sizes, activation)
    with tf1.variable_scope("q", reuse=True):
        q_pi = q_function(x, pi, hidden_sizes, activation)
    return pi, q, q_pi
