"""SAC (PyTorch): short real runs on Pendulum-v1, from Python and from the
command line, reloaded through test_policy with its deterministic mean
action, and resumed after a real SIGKILL with its replay buffer.
"""
import json
import os

import gymnasium as gym
import numpy as np
import torch
from algo_testing import (
    SAC_COLUMNS,
    TargetAction,
    check_offpolicy_resume,
    read_progress,
    train_then_test_policy,
)

from spinup.algos.pytorch.sac import core
from spinup.algos.pytorch.sac.sac import sac
from spinup.utils.logx import load_state
from spinup.utils.test_policy import load_policy_and_env

# Tiny networks and a short schedule: a few hundred steps in seconds.
SHORT = dict(ac_kwargs=dict(hidden_sizes=(16, 16)), start_steps=100, update_after=50,
             update_every=25, batch_size=32, num_test_episodes=1)


def pendulum():
    # Episodes end by the time limit (truncated) after 60 steps.
    return gym.make("Pendulum-v1", max_episode_steps=60)


def test_pendulum_run_writes_the_original_outputs(tmp_path):
    sac(pendulum, steps_per_epoch=150, epochs=2, seed=1,
        logger_kwargs=dict(output_dir=str(tmp_path), exp_name="sac_pendulum"), **SHORT)

    headers, rows = read_progress(tmp_path)
    assert headers == SAC_COLUMNS
    # Spinning Up's off-policy algorithms count epochs from 1.
    assert [r["Epoch"] for r in rows] == ["1", "2"]
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [150, 300]
    for r in rows:
        assert float(r["EpLen"]) == float(r["TestEpLen"]) == 60
        assert float(r["MinTestEpRet"]) <= float(r["AverageTestEpRet"]) <= 0
        assert float(r["MinLogPi"]) <= float(r["AverageLogPi"]) <= float(r["MaxLogPi"])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["env_name"] == "Pendulum-v1" and config["alpha"] == 0.2

    state = load_state(str(tmp_path))
    assert state["epoch"] == 1 and state["env"].spec.id == "Pendulum-v1"
    buffer = state["replay_buffer"]
    assert buffer["size"] == 300 and buffer["obs"].shape == (300, 3)
    # Every episode was cut by the time limit: none may stop the bootstrap.
    assert not buffer["done"].any()

    model = torch.load(tmp_path / "pyt_save" / "model.pt", weights_only=False)
    assert isinstance(model, core.MLPActorCritic)
    assert isinstance(model.pi, core.SquashedGaussianMLPActor)
    env, get_mean = load_policy_and_env(str(tmp_path), deterministic=True)
    obs, _ = env.reset(seed=0)
    mean = get_mean(obs)
    assert mean.shape == (1,) and abs(float(mean[0])) <= 2.0
    np.testing.assert_array_equal(get_mean(obs), mean)
    samples = [float(model.act(torch.as_tensor(obs)).item()) for _ in range(5)]
    assert len(set(samples)) == 5  # the stochastic policy samples


def test_policy_learns_a_target_action(tmp_path):
    # One-step episodes that end for real: terminated, so done = 1.
    sac(TargetAction, steps_per_epoch=200, epochs=2,
        logger_kwargs=dict(output_dir=str(tmp_path)), **dict(SHORT, num_test_episodes=5))
    _, rows = read_progress(tmp_path)
    # The mean action starts near 0 (return -0.5) and heads for (0.5, 0.5).
    assert float(rows[-1]["AverageTestEpRet"]) > -0.1, rows[-1]
    assert load_state(str(tmp_path))["replay_buffer"]["done"].all()


def test_command_line_run_and_test_policy_with_the_mean_action(tmp_path):
    run = train_then_test_policy("sac", SAC_COLUMNS, tmp_path, "-d")
    # `sac` is the PyTorch version (user_config.DEFAULT_BACKEND).
    assert (run / "pyt_save" / "model.pt").is_file()


def test_sigkilled_run_resumes_with_its_replay_buffer(tmp_path, algo_env):
    env = dict(os.environ, OMP_NUM_THREADS="1", **algo_env)
    check_offpolicy_resume("sac", SAC_COLUMNS, tmp_path, env)
