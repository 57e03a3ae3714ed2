"""What the algorithm tests share: the columns the reference algorithms log,
a progress.txt reader, and tiny environments on which a working policy
gradient learns in seconds.

This is an importable module (not a test file) so that subprocess and MPI
tests can import it too: they put this folder on PYTHONPATH (see the
``algo_env`` fixture in conftest.py).
"""
import csv
import os

import gymnasium as gym
import numpy as np
from gymnasium import spaces

VPG_COLUMNS = ["Epoch", "AverageEpRet", "StdEpRet", "MaxEpRet", "MinEpRet", "EpLen",
               "AverageVVals", "StdVVals", "MaxVVals", "MinVVals", "TotalEnvInteracts",
               "LossPi", "LossV", "DeltaLossPi", "DeltaLossV", "Entropy", "KL", "Time"]
PPO_COLUMNS = VPG_COLUMNS[:-1] + ["ClipFrac", "StopIter", "Time"]


def read_progress(output_dir):
    """The rows of output_dir/progress.txt as (headers, list of dicts)."""
    with open(os.path.join(str(output_dir), "progress.txt"), newline="") as f:
        reader = csv.DictReader(f, delimiter="\t")
        rows = list(reader)
    return reader.fieldnames, rows


class TwoArmedBandit(gym.Env):
    """One-step episodes: action 1 pays 1, action 0 pays 0.

    A policy gradient with the right sign moves the policy towards action 1
    within a few epochs, so the average return climbs from about 0.5.
    """

    observation_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
    action_space = spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.ones(1, dtype=np.float32), {}

    def step(self, action):
        reward = 1.0 if int(action) == 1 else 0.0
        return np.ones(1, dtype=np.float32), reward, True, False, {}


class TargetAction(gym.Env):
    """One-step episodes with a Box action: the reward is minus the squared
    distance between the action and 0.5 (in each of two dimensions)."""

    observation_space = spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)
    action_space = spaces.Box(-1.0, 1.0, shape=(2,), dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.ones(1, dtype=np.float32), {}

    def step(self, action):
        action = np.asarray(action, dtype=np.float64)
        assert action.shape == (2,) and np.all(np.abs(action) <= 1.0), action
        reward = -float(np.sum((action - 0.5) ** 2))
        return np.ones(1, dtype=np.float32), reward, True, False, {}


class CrashAfter(gym.Wrapper):
    """Raises (like a crash) after a given number of steps."""

    def __init__(self, env, steps):
        super().__init__(env)
        self.left = steps

    def step(self, action):
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("simulated crash")
        return self.env.step(action)
