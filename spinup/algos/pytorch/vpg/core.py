"""Building blocks shared by the PyTorch policy-gradient algorithms.

An *actor-critic* here is a ``torch.nn.Module`` with two parts:

- ``pi``, the actor: given observations, it returns a distribution over
  actions (and, given actions too, their log-probabilities);
- ``v``, the critic: given observations, it returns value estimates.

It also has ``step(obs)`` (sample an action, return ``(a, v, logp_a)`` as
numpy arrays, used while collecting experience) and ``act(obs)`` (just the
action, used by ``test_policy``). Any module with that interface can be passed
to :func:`~spinup.algos.pytorch.vpg.vpg.vpg` or
:func:`~spinup.algos.pytorch.ppo.ppo.ppo` as ``actor_critic``.

The rest of the file holds the little numerical helpers the algorithms need:
discounted cumulative sums and a buffer for GAE-Lambda advantages.
"""
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn as nn
from gymnasium.spaces import Box, Discrete
from torch.distributions import Categorical, Normal

from spinup.algos import _common
from spinup.algos._common import (  # noqa: F401  (part of this module's API)
    combined_shape,
    discount_cumsum,
    env_action,
    load_snapshot,
    resume_seed,
)


def mlp(sizes: Sequence[int], activation: type[nn.Module],
        output_activation: type[nn.Module] = nn.Identity) -> nn.Sequential:
    """A multi-layer perceptron: ``sizes[0]`` inputs, ``sizes[-1]`` outputs.

    Every hidden layer is followed by ``activation``; the last one by
    ``output_activation`` (the identity by default).
    """
    layers = []
    for j in range(len(sizes) - 1):
        act = activation if j < len(sizes) - 2 else output_activation
        layers += [nn.Linear(sizes[j], sizes[j + 1]), act()]
    return nn.Sequential(*layers)


def count_vars(module: nn.Module) -> int:
    """Number of scalar parameters in a module."""
    return sum(int(np.prod(p.shape)) for p in module.parameters())


class Actor(nn.Module):
    """Base class of the policies: a distribution over actions per observation.

    Subclasses implement ``_distribution(obs)`` and
    ``_log_prob_from_distribution(pi, act)``.
    """

    def _distribution(self, obs):
        raise NotImplementedError

    def _log_prob_from_distribution(self, pi, act):
        raise NotImplementedError

    def forward(self, obs: torch.Tensor, act: torch.Tensor | None = None):
        """Return the action distribution for ``obs`` and, when ``act`` is
        given, the log-likelihood of those actions under it (else None)."""
        pi = self._distribution(obs)
        logp_a = None if act is None else self._log_prob_from_distribution(pi, act)
        return pi, logp_a


class MLPCategoricalActor(Actor):
    """A policy for Discrete action spaces: an MLP produces the logits."""

    def __init__(self, obs_dim, act_dim, hidden_sizes, activation):
        super().__init__()
        self.logits_net = mlp([obs_dim, *hidden_sizes, act_dim], activation)

    def _distribution(self, obs):
        return Categorical(logits=self.logits_net(obs))

    def _log_prob_from_distribution(self, pi, act):
        return pi.log_prob(act)

    def mode(self, obs: torch.Tensor) -> torch.Tensor:
        """The most likely action (for deterministic evaluation)."""
        return torch.argmax(self.logits_net(obs), dim=-1)


class MLPGaussianActor(Actor):
    """A policy for Box action spaces: a diagonal Gaussian whose mean comes
    from an MLP and whose log standard deviations are free parameters
    (independent of the observation), starting at -0.5."""

    def __init__(self, obs_dim, act_dim, hidden_sizes, activation):
        super().__init__()
        self.log_std = nn.Parameter(torch.full((act_dim,), -0.5, dtype=torch.float32))
        self.mu_net = mlp([obs_dim, *hidden_sizes, act_dim], activation)

    def _distribution(self, obs):
        return Normal(self.mu_net(obs), torch.exp(self.log_std))

    def _log_prob_from_distribution(self, pi, act):
        # The dimensions are independent: the joint log-prob is their sum.
        return pi.log_prob(act).sum(axis=-1)

    def mode(self, obs: torch.Tensor) -> torch.Tensor:
        """The mean action (for deterministic evaluation)."""
        return self.mu_net(obs)


class MLPCritic(nn.Module):
    """A state-value function V(s): an MLP with one output."""

    def __init__(self, obs_dim, hidden_sizes, activation):
        super().__init__()
        self.v_net = mlp([obs_dim, *hidden_sizes, 1], activation)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """Value estimates, shape ``(batch,)``."""
        return torch.squeeze(self.v_net(obs), -1)


class MLPActorCritic(nn.Module):
    """The default actor-critic: separate MLPs for the policy and the value.

    Args:
        observation_space: The environment's observation space (a Box).
        action_space: The environment's action space (Box or Discrete).
        hidden_sizes (tuple): Sizes of the hidden layers of both networks.
        activation: The activation class used between layers (e.g.
            ``torch.nn.Tanh``, ``torch.nn.ReLU``).
    """

    def __init__(self, observation_space, action_space,
                 hidden_sizes: Sequence[int] = (64, 64),
                 activation: type[nn.Module] = nn.Tanh):
        super().__init__()
        obs_dim = int(np.prod(observation_space.shape))
        hidden_sizes = tuple(hidden_sizes)
        if isinstance(action_space, Box):
            self.pi = MLPGaussianActor(obs_dim, int(np.prod(action_space.shape)),
                                       hidden_sizes, activation)
        elif isinstance(action_space, Discrete):
            self.pi = MLPCategoricalActor(obs_dim, int(action_space.n), hidden_sizes, activation)
        else:
            raise TypeError("MLPActorCritic supports Box and Discrete action spaces, "
                            "not %r; pass your own actor_critic for other spaces."
                            % (action_space,))
        self.v = MLPCritic(obs_dim, hidden_sizes, activation)

    def step(self, obs: torch.Tensor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sample an action for ``obs``; return ``(a, v, logp_a)`` as numpy."""
        with torch.no_grad():
            pi = self.pi._distribution(obs)
            a = pi.sample()
            logp_a = self.pi._log_prob_from_distribution(pi, a)
            v = self.v(obs)
        return a.numpy(), v.numpy(), logp_a.numpy()

    def act(self, obs: torch.Tensor, deterministic: bool = False) -> np.ndarray:
        """Just the action for ``obs`` (the most likely one if deterministic)."""
        if deterministic:
            with torch.no_grad():
                return self.pi.mode(obs).numpy()
        return self.step(obs)[0]


class GAEBuffer(_common.GAEBuffer):
    """Stores one epoch of experience (on this MPI rank) and turns it into
    the batch a policy-gradient update needs, as torch tensors.

    Advantages are computed with GAE-Lambda, and returns (the value
    function's targets) are the rewards-to-go, both per finished trajectory
    segment in ``finish_path`` (see :class:`spinup.algos._common.GAEBuffer`).
    """

    def get(self) -> dict[str, torch.Tensor]:
        """Return the epoch's data as tensors and empty the buffer.

        The advantages are normalised to mean 0 and standard deviation 1
        over all MPI ranks. Call only when the buffer is full.
        """
        return {k: torch.as_tensor(v, dtype=torch.float32) for k, v in self.get_arrays().items()}
