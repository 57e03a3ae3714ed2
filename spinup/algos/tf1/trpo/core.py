"""Building blocks of TRPO (TensorFlow 1).

TRPO needs more from its policy than VPG and PPO do: besides sampling
actions and scoring them, the policy must say how far it has moved from the
policy that collected the data, as a mean KL divergence ``d_kl`` the update
can differentiate twice. So the policies here also return the numbers that
describe the action distribution at each state (``info``: the Gaussian's
``mu`` and ``log_std``, or the categorical ``logp_all``), and placeholders
(``info_phs``) through which the old policy's numbers are fed back in.

An *actor-critic* for TRPO is a function
``actor_critic(x, a, **ac_kwargs) -> (pi, logp, logp_pi, info, info_phs, d_kl, v)``.
The placeholders, layers and helpers are those of
:mod:`spinup.algos.tf1.vpg.core`, re-exported here.
"""
import numpy as np
import tensorflow as tf
from gymnasium.spaces import Box, Discrete

from spinup.algos import _common
from spinup.algos.tf1.vpg.core import (  # noqa: F401  (part of this module's API)
    EPS,
    combined_shape,
    count_vars,
    dense,
    discount_cumsum,
    env_action,
    gaussian_likelihood,
    get_vars,
    load_snapshot,
    mlp,
    placeholder,
    placeholder_from_space,
    placeholders,
    placeholders_from_spaces,
    restore_variables,
    resume_seed,
    saved_outputs,
    session_config,
    variable_values,
)
from spinup.utils.mpi_tf import assign_params_from_flat, flat_concat  # noqa: F401

tf1 = tf.compat.v1


def keys_as_sorted_list(dict_: dict) -> list:
    """The keys of a dict, sorted (a fixed order to feed and fetch in)."""
    return sorted(dict_)


def values_as_sorted_list(dict_: dict) -> list:
    """The values of a dict, in the order of its sorted keys."""
    return [dict_[k] for k in keys_as_sorted_list(dict_)]


def diagonal_gaussian_kl(mu0, log_std0, mu1, log_std1):
    """Mean over the batch of KL(p0 || p1) for diagonal Gaussians
    p0 = N(mu0, exp(log_std0)^2) and p1 = N(mu1, exp(log_std1)^2)."""
    var0, var1 = tf.exp(2 * log_std0), tf.exp(2 * log_std1)
    pre_sum = 0.5 * (((mu1 - mu0) ** 2 + var0) / (var1 + EPS) - 1) + log_std1 - log_std0
    return tf.reduce_mean(tf.reduce_sum(pre_sum, axis=1))


def categorical_kl(logp0, logp1):
    """Mean over the batch of KL(p1 || p0) for categorical distributions
    given by their log-probabilities (one row per state)."""
    return tf.reduce_mean(tf.reduce_sum(tf.exp(logp1) * (logp1 - logp0), axis=1))


def flat_grad(f, params):
    """The gradient of the scalar ``f`` with respect to ``params``, as one
    1-D tensor."""
    return flat_concat(tf.gradients(xs=params, ys=f))


def hessian_vector_product(f, params):
    """Build ``H x``, the Hessian of ``f`` (w.r.t. ``params``) times a vector.

    Returns ``(x, hvp)``: the placeholder to feed the vector into, and the
    product. Differentiating ``g . x`` (g the gradient) avoids ever forming
    the Hessian itself.
    """
    g = flat_grad(f, params)
    x = tf1.placeholder(tf.float32, shape=g.shape)
    return x, flat_grad(tf.reduce_sum(g * x), params)


# Policies


def mlp_categorical_policy(x, a, hidden_sizes, activation, output_activation, action_space):
    """A policy for Discrete action spaces, with what TRPO needs: the
    log-probabilities of every action as ``info`` and the KL from the old
    ones."""
    act_dim = int(action_space.n)
    logits = mlp(x, list(hidden_sizes) + [act_dim], activation, None)
    logp_all = tf.nn.log_softmax(logits)
    pi = tf.squeeze(tf.random.categorical(logits, 1), axis=1)
    tf.identity(tf.argmax(logits, axis=1), name="mu")
    logp = tf.reduce_sum(tf.one_hot(a, depth=act_dim) * logp_all, axis=1)
    logp_pi = tf.reduce_sum(tf.one_hot(pi, depth=act_dim) * logp_all, axis=1)

    old_logp_all = placeholder(act_dim)
    d_kl = categorical_kl(logp_all, old_logp_all)

    info = {"logp_all": logp_all}
    info_phs = {"logp_all": old_logp_all}
    return pi, logp, logp_pi, info, info_phs, d_kl


def mlp_gaussian_policy(x, a, hidden_sizes, activation, output_activation, action_space):
    """A diagonal Gaussian policy for Box action spaces (mean from an MLP,
    state-independent log standard deviations starting at -0.5), with its
    mean and log standard deviation as ``info`` and the KL from the old
    ones."""
    act_dim = int(a.shape[-1])
    mu = mlp(x, list(hidden_sizes) + [act_dim], activation, output_activation)
    tf.identity(mu, name="mu")
    log_std = tf1.get_variable(name="log_std",
                               initializer=-0.5 * np.ones(act_dim, dtype=np.float32))
    std = tf.exp(log_std)
    pi = mu + tf.random.normal(tf.shape(mu)) * std
    logp = gaussian_likelihood(a, mu, log_std)
    logp_pi = gaussian_likelihood(pi, mu, log_std)

    old_mu_ph, old_log_std_ph = placeholders(act_dim, act_dim)
    d_kl = diagonal_gaussian_kl(mu, log_std, old_mu_ph, old_log_std_ph)

    # log_std is one row for all states; broadcasting it to the batch lets
    # the buffer store it per step like mu.
    info = {"mu": mu, "log_std": log_std + tf.zeros_like(mu)}
    info_phs = {"mu": old_mu_ph, "log_std": old_log_std_ph}
    return pi, logp, logp_pi, info, info_phs, d_kl


# Actor-Critics


def mlp_actor_critic(x, a, hidden_sizes=(64, 64), activation=tf.tanh,
                     output_activation=None, policy=None, action_space=None):
    """The default actor-critic for TRPO: separate MLPs for the policy
    (scope ``pi``) and the value function (scope ``v``).

    Args:
        x: Placeholder for a batch of states.
        a: Placeholder for a batch of actions.
        hidden_sizes (tuple): Sizes of the hidden layers of both networks.
        activation: Activation function between layers.
        output_activation: Activation of the policy network's output layer.
        policy: The policy builder; by default chosen from the action space
            (:func:`mlp_gaussian_policy` for Box,
            :func:`mlp_categorical_policy` for Discrete).
        action_space: The environment's action space (TRPO passes it in).

    Returns:
        ``(pi, logp, logp_pi, info, info_phs, d_kl, v)``.
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
        pi, logp, logp_pi, info, info_phs, d_kl = policy(
            x, a, hidden_sizes, activation, output_activation, action_space)
    with tf1.variable_scope("v"):
        v = tf.squeeze(mlp(x, list(hidden_sizes) + [1], activation, None), axis=1)
    return pi, logp, logp_pi, info, info_phs, d_kl, v


# Algorithm helpers


class GAEBuffer(_common.GAEBuffer):
    """The GAE-Lambda buffer of VPG and PPO, which also keeps, for every
    step, the old policy's ``info`` (distribution parameters), so the update
    can measure the KL divergence from it.

    Args:
        obs_dim, act_dim: Shapes of one observation and one action.
        size (int): Steps per epoch on this MPI rank.
        info_shapes (dict): Shape of one step's entry for each ``info`` key.
        gamma, lam: Discount and GAE-Lambda parameters.
        act_dtype: dtype of the stored actions.
    """

    def __init__(self, obs_dim, act_dim, size: int, info_shapes: dict, gamma: float = 0.99,
                 lam: float = 0.95, act_dtype=np.float32):
        super().__init__(obs_dim, act_dim, size, gamma, lam, act_dtype=act_dtype)
        self.info_bufs = {k: np.zeros([size] + list(shape), dtype=np.float32)
                          for k, shape in info_shapes.items()}
        self.sorted_info_keys = keys_as_sorted_list(self.info_bufs)

    def store(self, obs, act, rew, val, logp, info=()) -> None:
        """Append one timestep; ``info`` holds the values of the sorted info keys."""
        for i, k in enumerate(self.sorted_info_keys):
            if self.ptr < self.max_size:
                self.info_bufs[k][self.ptr] = info[i]
        super().store(obs, act, rew, val, logp)

    def get(self) -> list[np.ndarray]:
        """Return ``[obs, act, adv, ret, logp]`` plus the info arrays (in
        sorted key order) for the epoch, and empty the buffer. The advantages
        are normalised over all MPI ranks."""
        data = self.get_arrays()
        return [data["obs"], data["act"], data["adv"], data["ret"], data["logp"]] + \
            values_as_sorted_list(self.info_bufs)

