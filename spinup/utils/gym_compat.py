"""Run code written for the old gym API on gymnasium environments.

The original Spinning Up was written for gym before 0.26, where ::

    obs = env.reset()
    obs, reward, done, info = env.step(action)

Gymnasium (and gym from 0.26) changed both calls::

    obs, info = env.reset(seed=None)
    obs, reward, terminated, truncated, info = env.step(action)

spinup's algorithms use the new API. Training code written for the old one
(the original algorithms, or your own) runs unchanged on a gymnasium
environment wrapped in :class:`OldGymEnv`, or, from the experiment tools,
with ``env_api='gym'``::

    from spinup.utils.run_utils import ExperimentGrid
    eg = ExperimentGrid('old_ppo')
    eg.add('env_name', 'CartPole-v1')
    eg.run(my_old_ppo, env_api='gym')

or ``python -m spinup.run my_module:my_old_ppo --env CartPole-v1 --env_api gym``.
"""
import functools
from collections.abc import Callable
from typing import Any

__all__ = ["ENV_APIS", "OldGymEnv", "old_gym_api", "thunk_for_env_api"]

# 'gymnasium': env_fn makes the environment as it is (the new API);
# 'gym': env_fn makes it with the old gym API (OldGymEnv).
ENV_APIS = ("gymnasium", "gym")


class OldGymEnv:
    """A gymnasium environment seen through the old gym API (gym < 0.26).

    * ``reset()`` returns only the observation. A seed given with
      :meth:`seed` is used by the next reset, as old code expects.
    * ``step(a)`` returns ``(obs, reward, done, info)`` with
      ``done = terminated or truncated``. When the episode was cut by a time
      limit, ``info['TimeLimit.truncated']`` is set as old gym's ``TimeLimit``
      set it: True when the time limit alone ended the episode, False when
      it ended on its own at the same step.
    * Everything else (``observation_space``, ``action_space``, ``render``,
      ``close``, ``spec``, ``unwrapped``, ...) is the wrapped environment's.

    Args:
        env: A gymnasium environment.
    """

    def __init__(self, env: Any):
        self.env = env
        self._next_seed: int | None = None

    def reset(self, **kwargs) -> Any:
        """Start an episode; returns the first observation only."""
        if self._next_seed is not None and "seed" not in kwargs:
            kwargs["seed"] = self._next_seed
        self._next_seed = None
        obs, _info = self.env.reset(**kwargs)
        return obs

    def step(self, action: Any) -> tuple[Any, float, bool, dict]:
        """One step; returns ``(obs, reward, done, info)``."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        if truncated:
            info = dict(info)
            info["TimeLimit.truncated"] = not terminated
        return obs, reward, bool(terminated or truncated), info

    def seed(self, seed: int | None = None) -> list[int | None]:
        """Seed the next :meth:`reset` (and the action space's sampler), the
        old way; returns ``[seed]``."""
        self._next_seed = seed
        self.env.action_space.seed(seed)
        return [seed]

    def render(self, *args, **kwargs) -> Any:
        """Render with the mode the environment was made with (gymnasium
        fixes it at ``make``; an old-style ``mode`` argument is ignored)."""
        return self.env.render()

    def close(self) -> None:
        """Close the wrapped environment."""
        self.env.close()

    @property
    def unwrapped(self) -> Any:
        """The innermost environment."""
        return self.env.unwrapped

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "env":
            raise AttributeError(name)
        return getattr(self.env, name)

    def __repr__(self) -> str:
        return "<OldGymEnv%s>" % (self.env,)


def old_gym_api(env: Any) -> Any:
    """``env`` with the old gym API: gymnasium environments are wrapped in
    :class:`OldGymEnv`; anything else (a classic gym environment, already
    old-style) is returned as it is."""
    try:
        import gymnasium
    except ImportError:
        return env
    return OldGymEnv(env) if isinstance(env, gymnasium.Env) else env


class _OldApiEnvFn:
    """``env_fn`` whose environments have the old gym API (picklable, so it
    can travel to an experiment's process)."""

    def __init__(self, env_fn: Callable[[], Any]):
        self.env_fn = env_fn

    def __call__(self) -> Any:
        return old_gym_api(self.env_fn())


class _OldApiThunk:
    """A training function called with an ``env_fn`` that makes old-API
    environments. It looks like the function it wraps (name, docstring,
    signature, attributes such as ``mpi_capable``)."""

    def __init__(self, thunk: Callable[..., Any]):
        self.thunk = thunk
        functools.update_wrapper(self, thunk)

    def __call__(self, *args, **kwargs) -> Any:
        if kwargs.get("env_fn") is not None:
            kwargs["env_fn"] = _OldApiEnvFn(kwargs["env_fn"])
        return self.thunk(*args, **kwargs)


def thunk_for_env_api(thunk: Any, env_api: str = "gymnasium") -> Any:
    """The training function to launch for ``env_api``.

    Args:
        thunk: The training function (as given to call_experiment or
            ExperimentGrid.run).
        env_api: ``'gymnasium'`` (the default): ``env_fn`` makes environments
            with the current API, and ``thunk`` is returned as it is.
            ``'gym'``: ``env_fn`` makes them with the old gym API (see
            :class:`OldGymEnv`), for code written for gym < 0.26.

    Raises:
        ValueError: an unknown env_api, or 'gym' with a thunk that is not a
            function (the name of a grid key).
    """
    if env_api not in ENV_APIS:
        raise ValueError("env_api must be 'gymnasium' (env_fn makes gymnasium environments) "
                         "or 'gym' (the old API: reset returns obs, step returns 4 values), "
                         "not %r." % (env_api,))
    if env_api == "gymnasium":
        return thunk
    if not callable(thunk):
        raise ValueError("env_api='gym' needs the training function itself as thunk, not "
                         "%r." % (thunk,))
    return _OldApiThunk(thunk)
