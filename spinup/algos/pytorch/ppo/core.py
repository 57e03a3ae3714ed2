"""Building blocks of PPO (PyTorch): the same as VPG's.

PPO changes how the policy is updated, not what the agent is made of, so it
uses the actor-critic modules, the GAE-Lambda buffer and the helpers of
:mod:`spinup.algos.pytorch.vpg.core`, re-exported here so that
``spinup.algos.pytorch.ppo.core.MLPActorCritic`` works as in Spinning Up.
"""
from spinup.algos.pytorch.vpg.core import (  # noqa: F401
    Actor,
    GAEBuffer,
    MLPActorCritic,
    MLPCategoricalActor,
    MLPCritic,
    MLPGaussianActor,
    combined_shape,
    count_vars,
    discount_cumsum,
    env_action,
    load_snapshot,
    mlp,
    resume_seed,
)

__all__ = ["Actor", "GAEBuffer", "MLPActorCritic", "MLPCategoricalActor", "MLPCritic",
           "MLPGaussianActor", "combined_shape", "count_vars", "discount_cumsum",
           "env_action", "load_snapshot", "mlp", "resume_seed"]
