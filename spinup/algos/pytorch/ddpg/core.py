"""Building blocks of DDPG (PyTorch): a deterministic actor and a Q-function.

An *actor-critic* here is a ``torch.nn.Module`` with two parts:

- ``pi``, the actor: given observations, it returns actions (deterministic,
  within the action space's bounds);
- ``q``, the critic: given observations and actions, it returns Q-values.

and ``act(obs)``, which returns ``pi``'s action as a numpy array (what
``test_policy`` calls). Any module with that interface can be passed to
:func:`~spinup.algos.pytorch.ddpg.ddpg.ddpg` as ``actor_critic``.

The class and attribute names are those of Spinning Up, so that a model it
saved whole with ``torch.save`` loads with this package. TD3 and SAC reuse
:class:`MLPActor` and :class:`MLPQFunction`.
"""
import numpy as np
import torch
import torch.nn as nn

from spinup.algos._common import combined_shape  # noqa: F401  (part of this module's API)
from spinup.algos.pytorch.vpg.core import count_vars, mlp

__all__ = ["MLPActor", "MLPActorCritic", "MLPQFunction", "combined_shape", "count_vars", "mlp"]


class MLPActor(nn.Module):
    """A deterministic policy: an MLP whose tanh output is scaled to the
    action bounds, ``act_limit * tanh(...)``.

    It assumes a symmetric Box action space, ``[-act_limit, act_limit]`` in
    every dimension, as Spinning Up does.
    """

    def __init__(self, obs_dim: int, act_dim: int, hidden_sizes, activation: type[nn.Module],
                 act_limit: float):
        super().__init__()
        pi_sizes = [obs_dim] + list(hidden_sizes) + [act_dim]
        self.pi = mlp(pi_sizes, activation, nn.Tanh)
        self.act_limit = act_limit

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.act_limit * self.pi(obs)


class MLPQFunction(nn.Module):
    """Q(s, a): an MLP on the observation and action put side by side."""

    def __init__(self, obs_dim: int, act_dim: int, hidden_sizes, activation: type[nn.Module]):
        super().__init__()
        self.q = mlp([obs_dim + act_dim] + list(hidden_sizes) + [1], activation)

    def forward(self, obs: torch.Tensor, act: torch.Tensor) -> torch.Tensor:
        q = self.q(torch.cat([obs, act], dim=-1))
        return torch.squeeze(q, -1)  # one Q-value per (obs, act) pair, shape (batch,)


def _box_sizes(observation_space, action_space) -> tuple[int, int, float]:
    """Flat observation size, action size and action bound of Box spaces."""
    from gymnasium.spaces import Box

    if not isinstance(action_space, Box):
        raise TypeError("This actor-critic needs a continuous (Box) action space, got %r; "
                        "DDPG, TD3 and SAC do not handle discrete actions (use PPO or VPG)."
                        % (action_space,))
    if len(observation_space.shape) != 1 or len(action_space.shape) != 1:
        raise TypeError("This actor-critic needs flat (1-D) observations and actions, got "
                        "shapes %s and %s; flatten them with gymnasium.wrappers.FlattenObservation."
                        % (observation_space.shape, action_space.shape))
    return observation_space.shape[0], action_space.shape[0], action_space.high[0]


class MLPActorCritic(nn.Module):
    """DDPG's actor-critic: a deterministic actor ``pi`` and a critic ``q``.

    Args:
        observation_space: A gymnasium Box (flat observations).
        action_space: A gymnasium Box, symmetric around 0.
        hidden_sizes: Sizes of the hidden layers of both networks.
        activation: The activation class of the hidden layers.
    """

    def __init__(self, observation_space, action_space, hidden_sizes=(256, 256),
                 activation=nn.ReLU):
        super().__init__()
        obs_dim, act_dim, act_limit = _box_sizes(observation_space, action_space)
        self.pi = MLPActor(obs_dim, act_dim, hidden_sizes, activation, act_limit)
        self.q = MLPQFunction(obs_dim, act_dim, hidden_sizes, activation)

    def act(self, obs: torch.Tensor) -> np.ndarray:
        """The policy's action for ``obs``, as a numpy array (no gradients)."""
        with torch.no_grad():
            return self.pi(obs).numpy()
