"""Building blocks of PPO (TensorFlow 1): the same as VPG's.

PPO changes how the policy is updated, not what the agent is made of, so it
uses the placeholders, networks, policies, GAE-Lambda buffer and helpers of
:mod:`spinup.algos.tf1.vpg.core`, re-exported here so that
``spinup.algos.tf1.ppo.core.mlp_actor_critic`` works as in Spinning Up.
"""
from spinup.algos.tf1.vpg.core import (  # noqa: F401
    EPS,
    GAEBuffer,
    combined_shape,
    count_vars,
    dense,
    discount_cumsum,
    env_action,
    gaussian_likelihood,
    get_vars,
    load_snapshot,
    mlp,
    mlp_actor_critic,
    mlp_categorical_policy,
    mlp_gaussian_policy,
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

__all__ = ["EPS", "GAEBuffer", "combined_shape", "count_vars", "dense", "discount_cumsum",
           "env_action", "gaussian_likelihood", "get_vars", "load_snapshot", "mlp",
           "mlp_actor_critic", "mlp_categorical_policy", "mlp_gaussian_policy",
           "placeholder", "placeholder_from_space", "placeholders",
           "placeholders_from_spaces", "restore_variables", "resume_seed", "saved_outputs",
           "session_config", "variable_values"]
