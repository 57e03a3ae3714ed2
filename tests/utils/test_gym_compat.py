"""gym_compat: training code written for the old gym API, on gymnasium environments."""
import inspect
import os
import sys

import cloudpickle
import gymnasium as gym
import numpy as np
import pytest

from spinup.utils.gym_compat import OldGymEnv, old_gym_api, thunk_for_env_api
from spinup.utils.run_utils import ExperimentGrid, GridError, call_experiment

# The training function travels to the experiment's process by value, as one
# defined in a user's script does.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def old_style_train(env_fn, seed=0, steps=300, logger_kwargs=dict()):
    """A loop in the style of the original Spinning Up (gym < 0.26): reset
    returns the observation, step returns (obs, reward, done, info)."""
    from spinup.utils.logx import EpochLogger

    logger = EpochLogger(**logger_kwargs)
    logger.save_config(dict(seed=seed, steps=steps))
    env = env_fn()
    rng = np.random.RandomState(seed)
    o, ep_ret, ep_len = env.reset(), 0, 0
    for _t in range(steps):
        obs = np.asarray(o, dtype=np.float32)  # a (obs, info) pair fails here
        a = int(obs[2] + 0.1 * rng.randn() > 0)  # lean with the pole, a little noisily
        o, r, d, info = env.step(a)
        ep_ret += r
        ep_len += 1
        if d:
            logger.store(EpRet=ep_ret, EpLen=ep_len,
                         Cut=float(info.get("TimeLimit.truncated", False)))
            o, ep_ret, ep_len = env.reset(), 0, 0
    logger.log_tabular("Epoch", 0)
    logger.log_tabular("EpRet", with_min_and_max=True)
    logger.log_tabular("EpLen", average_only=True)
    logger.log_tabular("Cut", average_only=True)
    logger.log_tabular("TotalEnvInteracts", steps)
    logger.dump_tabular()


def read_row(output_dir):
    with open(os.path.join(output_dir, "progress.txt")) as f:
        header, row = f.read().splitlines()[:2]
    return dict(zip(header.split("\t"), map(float, row.split("\t"))))


def test_old_api_reset_step_and_seed():
    env = OldGymEnv(gym.make("CartPole-v1"))
    assert env.seed(3) == [3]
    obs = env.reset()
    assert isinstance(obs, np.ndarray) and obs.shape == (4,)
    # Seeded like gymnasium's reset(seed=3).
    np.testing.assert_array_equal(obs, gym.make("CartPole-v1").reset(seed=3)[0])
    o, r, d, info = env.step(env.action_space.sample())
    assert o.shape == (4,) and r == 1.0 and d is False and isinstance(info, dict)
    # Everything else is the gymnasium env's.
    assert env.observation_space == env.env.observation_space
    assert env.spec.id == "CartPole-v1" and env.unwrapped is env.env.unwrapped
    env.close()


def test_the_wrapped_env_pickles_as_a_saved_state_does(tmp_path):
    # Old code saves the env it was given: logger.save_state({'env': env}).
    import joblib

    env = old_gym_api(gym.make("CartPole-v1"))
    joblib.dump({"env": env}, tmp_path / "vars.pkl")
    loaded = joblib.load(tmp_path / "vars.pkl")["env"]
    assert isinstance(loaded, OldGymEnv) and loaded.reset().shape == (4,)
    assert len(loaded.step(0)) == 4


def test_time_limit_sets_the_old_truncated_flag():
    env = old_gym_api(gym.make("CartPole-v1", max_episode_steps=5))
    env.reset()
    dones = []
    for _ in range(5):
        _, _, d, info = env.step(0 if len(dones) % 2 else 1)  # keep the pole up
        dones.append(d)
    assert dones == [False] * 4 + [True]
    assert info["TimeLimit.truncated"] is True

    # An episode that ends on its own has no such flag.
    env = old_gym_api(gym.make("CartPole-v1"))
    env.reset()
    d, info = False, {}
    while not d:
        _, _, d, info = env.step(1)
    assert "TimeLimit.truncated" not in info


def test_thunk_for_env_api_keeps_the_functions_face():
    assert thunk_for_env_api(old_style_train) is old_style_train
    wrapped = thunk_for_env_api(old_style_train, "gym")
    assert wrapped.__name__ == "old_style_train"
    assert inspect.signature(wrapped) == inspect.signature(old_style_train)
    with pytest.raises(ValueError, match="env_api must be 'gymnasium'"):
        thunk_for_env_api(old_style_train, "gym0.21")


def test_call_experiment_and_grid_run_old_api_code(tmp_path):
    # Without env_api='gym' the old code fails on gymnasium's (obs, info).
    with pytest.raises(Exception):  # noqa: B017 - the experiment's own failure
        call_experiment("plain", old_style_train, env_name="CartPole-v1",
                        data_dir=str(tmp_path))

    call_experiment("compat", old_style_train, env_name="CartPole-v1", data_dir=str(tmp_path),
                    env_api="gym")
    row = read_row(tmp_path / "compat" / "compat_s0")
    assert row["TotalEnvInteracts"] == 300 and row["EpLen"] > 20

    eg = ExperimentGrid("grid")
    eg.add("env_name", "CartPole-v1", "", True)
    eg.add("seed", [0, 1])
    eg.add("steps", 600)
    eg.run(old_style_train, data_dir=str(tmp_path), env_api="gym")
    for seed in (0, 1):
        row = read_row(tmp_path / "grid_cartpole-v1" / ("grid_cartpole-v1_s%d" % seed))
        # 600 steps of a 500-step-limited env: at least one episode was cut
        # or ended, and the loop went on past it.
        assert row["TotalEnvInteracts"] == 600 and row["EpLen"] > 0

    with pytest.raises(GridError, match="env_api must be"):
        eg.run(old_style_train, data_dir=str(tmp_path), env_api="old")
