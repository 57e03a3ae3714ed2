"""Building blocks of SAC (PyTorch): a squashed Gaussian actor and two
Q-functions.

SAC's policy is stochastic: it samples ``u`` from a diagonal Gaussian whose
mean and log standard deviation an MLP computes, then squashes it into the
action bounds with ``act_limit * tanh(u)``. Its log-probability has to
account for the squashing (the change-of-variables term below). The
Q-functions are DDPG's (see :mod:`spinup.algos.pytorch.ddpg.core`).

The class and attribute names are those of Spinning Up, so that a model it
saved whole with ``torch.save`` loads with this package.
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions.normal import Normal

from spinup.algos.pytorch.ddpg.core import (  # noqa: F401  (part of this module's API)
    MLPQFunction,
    _box_sizes,
    combined_shape,
    count_vars,
    mlp,
)

__all__ = ["LOG_STD_MAX", "LOG_STD_MIN", "MLPActorCritic", "MLPQFunction",
           "SquashedGaussianMLPActor", "combined_shape", "count_vars", "mlp"]

# The log standard deviation is clipped to this range: a very small one makes
# log-probabilities blow up, a very large one is useless after the tanh.
LOG_STD_MAX = 2
LOG_STD_MIN = -20


class SquashedGaussianMLPActor(nn.Module):
    """The policy ``act_limit * tanh(u)``, ``u ~ N(mu(s), exp(log_std(s)))``.

    ``net`` is the shared MLP trunk; ``mu_layer`` and ``log_std_layer`` read
    the mean and the log standard deviation off its last hidden layer.
    """

    def __init__(self, obs_dim: int, act_dim: int, hidden_sizes, activation: type[nn.Module],
                 act_limit: float):
        super().__init__()
        self.net = mlp([obs_dim] + list(hidden_sizes), activation, activation)
        self.mu_layer = nn.Linear(hidden_sizes[-1], act_dim)
        self.log_std_layer = nn.Linear(hidden_sizes[-1], act_dim)
        self.act_limit = act_limit

    def forward(self, obs: torch.Tensor, deterministic: bool = False,
                with_logprob: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Sample actions (or take the mean, when ``deterministic``).

        Returns ``(actions, logp)``: ``logp`` is the log-probability of each
        action under the squashed distribution, shape (batch,), or None
        when ``with_logprob`` is False. Sampling uses the
        reparameterization trick, so gradients flow through the actions.
        """
        net_out = self.net(obs)
        mu = self.mu_layer(net_out)
        log_std = torch.clamp(self.log_std_layer(net_out), LOG_STD_MIN, LOG_STD_MAX)
        std = torch.exp(log_std)

        pi_distribution = Normal(mu, std)
        u = mu if deterministic else pi_distribution.rsample()

        logp_pi = None
        if with_logprob:
            # log pi(a) = log N(u) - sum_i log(1 - tanh(u_i)^2), where
            # log(1 - tanh(u)^2) = 2 * (log 2 - u - softplus(-2u)) without
            # the cancellation of 1 - tanh(u)^2 for large |u|.
            logp_pi = pi_distribution.log_prob(u).sum(dim=-1)
            logp_pi = logp_pi - (2 * (math.log(2) - u - F.softplus(-2 * u))).sum(dim=-1)

        pi_action = self.act_limit * torch.tanh(u)
        return pi_action, logp_pi


class MLPActorCritic(nn.Module):
    """SAC's actor-critic: a squashed Gaussian actor ``pi`` and critics
    ``q1``, ``q2``.

    Args:
        observation_space: A gymnasium Box (flat observations).
        action_space: A gymnasium Box, symmetric around 0.
        hidden_sizes: Sizes of the hidden layers of all three networks.
        activation: The activation class of the hidden layers.
    """

    def __init__(self, observation_space, action_space, hidden_sizes=(256, 256),
                 activation=nn.ReLU):
        super().__init__()
        obs_dim, act_dim, act_limit = _box_sizes(observation_space, action_space)
        self.pi = SquashedGaussianMLPActor(obs_dim, act_dim, hidden_sizes, activation, act_limit)
        self.q1 = MLPQFunction(obs_dim, act_dim, hidden_sizes, activation)
        self.q2 = MLPQFunction(obs_dim, act_dim, hidden_sizes, activation)

    def act(self, obs: torch.Tensor, deterministic: bool = False) -> np.ndarray:
        """An action for ``obs`` as a numpy array: a sample from the policy,
        or its mean action (squashed) when ``deterministic``."""
        with torch.no_grad():
            a, _ = self.pi(obs, deterministic, False)
            return a.numpy()
