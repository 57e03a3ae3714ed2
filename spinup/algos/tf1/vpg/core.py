"""Building blocks shared by the TensorFlow 1 policy-gradient algorithms.

These build a ``tf.compat.v1`` graph (placeholders, variables from
``get_variable``, a Session to run it), the way Spinning Up's TF1 code did,
on TensorFlow 2. Keras 3 has no ``tf.compat.v1.layers``, so the dense layer
is defined here.

An *actor-critic* is a function
``actor_critic(x, a, **ac_kwargs) -> (pi, logp, logp_pi, v)`` that adds the
policy and value networks to the graph:

===========  ================  ======================================
Symbol       Shape             Description
===========  ================  ======================================
``pi``       (batch, act_dim)  Samples actions from the policy given
                               the states ``x``.
``logp``     (batch,)          Log-probability of the actions in the
                               placeholder ``a`` under the policy.
``logp_pi``  (batch,)          Log-probability of the actions in ``pi``.
``v``        (batch,)          Value estimates of the states ``x``.
===========  ================  ======================================

The policies below also name a deterministic action ``pi/mu`` (the mean of a
Gaussian, the most likely of a categorical); the algorithms save it as the
``'mu'`` output when it exists, which ``test_policy -d`` uses.
"""

import numpy as np
import tensorflow as tf
from gymnasium.spaces import Box, Discrete

from spinup.algos import _common
from spinup.algos._common import (  # noqa: F401  (part of this module's API)
    combined_shape,
    discount_cumsum,
    env_action,
    load_snapshot,
    resume_seed,
)

tf1 = tf.compat.v1

EPS = 1e-8


def placeholder(dim=None):
    """A float32 placeholder for a batch of items of shape ``dim``."""
    return tf1.placeholder(dtype=tf.float32, shape=combined_shape(None, dim))


def placeholders(*args) -> list:
    """One :func:`placeholder` per argument."""
    return [placeholder(dim) for dim in args]


def placeholder_from_space(space):
    """A placeholder for a batch of elements of a gymnasium space."""
    if isinstance(space, Box):
        return placeholder(space.shape)
    if isinstance(space, Discrete):
        return tf1.placeholder(dtype=tf.int32, shape=(None,))
    raise NotImplementedError("Only Box and Discrete spaces are supported, not %r." % (space,))


def placeholders_from_spaces(*args) -> list:
    """One :func:`placeholder_from_space` per argument."""
    return [placeholder_from_space(space) for space in args]


def dense(x, units: int, activation=None, name: str = "dense"):
    """A fully connected layer, ``activation(x @ kernel + bias)``, whose
    variables (Glorot-uniform kernel, zero bias) live in scope ``name``."""
    with tf1.variable_scope(name):
        kernel = tf1.get_variable("kernel", shape=(int(x.shape[-1]), units),
                                  initializer=tf1.glorot_uniform_initializer())
        bias = tf1.get_variable("bias", shape=(units,), initializer=tf1.zeros_initializer())
        y = tf.matmul(x, kernel) + bias
    return y if activation is None else activation(y)


def mlp(x, hidden_sizes=(32,), activation=tf.tanh, output_activation=None):
    """A multi-layer perceptron on ``x``; the last size is the output size."""
    for j, h in enumerate(hidden_sizes[:-1]):
        x = dense(x, units=h, activation=activation, name="dense_%d" % j)
    return dense(x, units=hidden_sizes[-1], activation=output_activation,
                 name="dense_%d" % (len(hidden_sizes) - 1))


def get_vars(scope: str = "") -> list:
    """The trainable variables whose name contains ``scope``."""
    return [x for x in tf1.trainable_variables() if scope in x.name]


def count_vars(scope: str = "") -> int:
    """Number of scalar parameters in the variables of ``scope``."""
    return int(sum(np.prod(var.shape.as_list()) for var in get_vars(scope)))


def gaussian_likelihood(x, mu, log_std):
    """Log-density of x under a diagonal Gaussian, summed over dimensions."""
    pre_sum = -0.5 * (((x - mu) / (tf.exp(log_std) + EPS)) ** 2 + 2 * log_std + np.log(2 * np.pi))
    return tf.reduce_sum(pre_sum, axis=1)


# Policies


def mlp_categorical_policy(x, a, hidden_sizes, activation, output_activation, action_space):
    """A policy for Discrete action spaces: an MLP produces the logits."""
    act_dim = int(action_space.n)
    logits = mlp(x, list(hidden_sizes) + [act_dim], activation, None)
    logp_all = tf.nn.log_softmax(logits)
    pi = tf.squeeze(tf.random.categorical(logits, 1), axis=1)
    tf.identity(tf.argmax(logits, axis=1), name="mu")
    logp = tf.reduce_sum(tf.one_hot(a, depth=act_dim) * logp_all, axis=1)
    logp_pi = tf.reduce_sum(tf.one_hot(pi, depth=act_dim) * logp_all, axis=1)
    return pi, logp, logp_pi


def mlp_gaussian_policy(x, a, hidden_sizes, activation, output_activation, action_space):
    """A policy for Box action spaces: a diagonal Gaussian whose mean comes
    from an MLP and whose log standard deviations are free variables
    (independent of the state), starting at -0.5."""
    act_dim = int(a.shape[-1])
    mu = mlp(x, list(hidden_sizes) + [act_dim], activation, output_activation)
    tf.identity(mu, name="mu")
    log_std = tf1.get_variable(name="log_std",
                               initializer=-0.5 * np.ones(act_dim, dtype=np.float32))
    std = tf.exp(log_std)
    pi = mu + tf.random.normal(tf.shape(mu)) * std
    logp = gaussian_likelihood(a, mu, log_std)
    logp_pi = gaussian_likelihood(pi, mu, log_std)
    return pi, logp, logp_pi


# Actor-Critics


def mlp_actor_critic(x, a, hidden_sizes=(64, 64), activation=tf.tanh,
                     output_activation=None, policy=None, action_space=None):
    """The default actor-critic: separate MLPs for the policy (scope ``pi``)
    and the value function (scope ``v``).

    Args:
        x: Placeholder for a batch of states.
        a: Placeholder for a batch of actions.
        hidden_sizes (tuple): Sizes of the hidden layers of both networks.
        activation: Activation function between layers (e.g. ``tf.tanh``,
            ``tf.nn.relu``).
        output_activation: Activation of the policy network's output layer.
        policy: The policy builder; by default chosen from the action space
            (:func:`mlp_gaussian_policy` for Box,
            :func:`mlp_categorical_policy` for Discrete).
        action_space: The environment's action space (the algorithms pass
            it in).

    Returns:
        ``(pi, logp, logp_pi, v)``, as described at the top of this module.
    """
    if policy is None:
        if isinstance(action_space, Box):
            policy = mlp_gaussian_policy
        elif isinstance(action_space, Discrete):
            policy = mlp_categorical_policy
        else:
            raise TypeError("mlp_actor_critic supports Box and Discrete action spaces, "
                            "not %r; pass your own actor_critic for other spaces."
                            % (action_space,))

    with tf1.variable_scope("pi"):
        pi, logp, logp_pi = policy(x, a, hidden_sizes, activation, output_activation,
                                   action_space)
    with tf1.variable_scope("v"):
        v = tf.squeeze(mlp(x, list(hidden_sizes) + [1], activation, None), axis=1)
    return pi, logp, logp_pi, v


# Algorithm helpers


class GAEBuffer(_common.GAEBuffer):
    """Stores one epoch of experience (on this MPI rank) and turns it into
    the batch a policy-gradient update needs, as numpy arrays to feed.

    Advantages are computed with GAE-Lambda, and returns (the value
    function's targets) are the rewards-to-go, both per finished trajectory
    segment in ``finish_path`` (see :class:`spinup.algos._common.GAEBuffer`).
    """

    def get(self) -> list[np.ndarray]:
        """Return ``[obs, act, adv, ret, logp]`` for the epoch and empty the
        buffer.

        The advantages are normalised to mean 0 and standard deviation 1
        over all MPI ranks. Call only when the buffer is full.
        """
        data = self.get_arrays()
        return [data["obs"], data["act"], data["adv"], data["ret"], data["logp"]]


def saved_outputs(pi, v) -> dict[str, tf.Tensor]:
    """The outputs to save with the model: 'pi' and 'v', and 'mu' when the
    policy named a deterministic action ``pi/mu``."""
    outputs = {"pi": pi, "v": v}
    try:
        outputs["mu"] = tf1.get_default_graph().get_tensor_by_name("pi/mu:0")
    except KeyError:
        pass
    return outputs


def session_config(num_procs: int):
    """A Session config that shares this machine's cores among MPI ranks."""
    import os

    if num_procs <= 1:
        return None
    threads = max(1, (os.cpu_count() or 1) // num_procs)
    return tf1.ConfigProto(intra_op_parallelism_threads=threads,
                           inter_op_parallelism_threads=threads)


def variable_values(sess) -> dict[str, np.ndarray]:
    """The values of all global variables (the networks and the optimizers'
    slots), by variable name: what a snapshot needs to resume training."""
    variables = tf1.global_variables()
    return dict(zip([var.name for var in variables], sess.run(variables)))


def restore_variables(sess, values: dict[str, np.ndarray]) -> None:
    """Set the global variables to ``values`` (from :func:`variable_values`).

    Raises ValueError when the snapshot does not fit the graph (a variable
    is missing, or has another shape).
    """
    variables = tf1.global_variables()
    missing = [var.name for var in variables if var.name not in values]
    wrong = [var.name for var in variables if var.name in values
             and tuple(np.shape(values[var.name])) != tuple(var.shape.as_list())]
    if missing or wrong:
        raise ValueError("Cannot resume: the snapshot does not fit this graph (were "
                         "ac_kwargs changed?). Missing: %s; wrong shape: %s."
                         % (missing or "none", wrong or "none"))
    feeds, ops = {}, []
    with tf1.name_scope("restore_snapshot"):
        for var in variables:
            value_ph = tf1.placeholder(var.dtype.base_dtype, shape=var.shape)
            ops.append(tf1.assign(var, value_ph))
            feeds[value_ph] = values[var.name]
    sess.run(ops, feed_dict=feeds)
