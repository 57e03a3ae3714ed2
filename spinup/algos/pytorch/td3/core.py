"""Building blocks of TD3 (PyTorch): a deterministic actor and two Q-functions.

The actor and the Q-functions are DDPG's (see
:mod:`spinup.algos.pytorch.ddpg.core`); TD3's actor-critic holds two critics,
``q1`` and ``q2``, whose smaller estimate makes the target. The names are
those of Spinning Up, so that a model it saved whole loads with this package.
"""
import numpy as np
import torch
import torch.nn as nn

from spinup.algos.pytorch.ddpg.core import (  # noqa: F401  (part of this module's API)
    MLPActor,
    MLPQFunction,
    _box_sizes,
    combined_shape,
    count_vars,
    mlp,
)

__all__ = ["MLPActor", "MLPActorCritic", "MLPQFunction", "combined_shape", "count_vars", "mlp"]


class MLPActorCritic(nn.Module):
    """TD3's actor-critic: a deterministic actor ``pi`` and critics ``q1``, ``q2``.

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
        self.pi = MLPActor(obs_dim, act_dim, hidden_sizes, activation, act_limit)
        self.q1 = MLPQFunction(obs_dim, act_dim, hidden_sizes, activation)
        self.q2 = MLPQFunction(obs_dim, act_dim, hidden_sizes, activation)

    def act(self, obs: torch.Tensor) -> np.ndarray:
        """The policy's action for ``obs``, as a numpy array (no gradients)."""
        with torch.no_grad():
            return self.pi(obs).numpy()
