"""TD3 (PyTorch): short real runs on Pendulum-v1, from Python and from the
command line, reloaded through test_policy, and resumed after a real
SIGKILL with its replay buffer.
"""
import json
import os

import gymnasium as gym
import numpy as np
import torch
from algo_testing import (
    TD3_COLUMNS,
    TargetAction,
    check_offpolicy_resume,
    read_progress,
    train_then_test_policy,
)

from spinup.algos.pytorch.td3 import core
from spinup.algos.pytorch.td3.td3 import td3
from spinup.utils.logx import load_state
from spinup.utils.test_policy import load_policy_and_env

# Tiny networks and a short schedule: a few hundred steps in seconds.
SHORT = dict(ac_kwargs=dict(hidden_sizes=(16, 16)), start_steps=100, update_after=50,
             update_every=25, batch_size=32, num_test_episodes=1)


def pendulum():
    # Episodes end by the time limit (truncated) after 60 steps.
    return gym.make("Pendulum-v1", max_episode_steps=60)


def test_pendulum_run_writes_the_original_outputs(tmp_path):
    td3(pendulum, steps_per_epoch=150, epochs=2, seed=1,
        logger_kwargs=dict(output_dir=str(tmp_path), exp_name="td3_pendulum"), **SHORT)

    headers, rows = read_progress(tmp_path)
    assert headers == TD3_COLUMNS
    # Spinning Up's off-policy algorithms count epochs from 1.
    assert [r["Epoch"] for r in rows] == ["1", "2"]
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [150, 300]
    for r in rows:
        assert float(r["EpLen"]) == float(r["TestEpLen"]) == 60
        for q in ("Q1Vals", "Q2Vals"):
            assert float(r["Min" + q]) <= float(r["Average" + q]) <= float(r["Max" + q])
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["env_name"] == "Pendulum-v1" and config["policy_delay"] == 2

    state = load_state(str(tmp_path))
    assert state["epoch"] == 1 and state["env"].spec.id == "Pendulum-v1"
    buffer = state["replay_buffer"]
    assert buffer["size"] == 300 and buffer["act"].shape == (300, 1)
    # Every episode was cut by the time limit: none may stop the bootstrap.
    assert not buffer["done"].any()

    model = torch.load(tmp_path / "pyt_save" / "model.pt", weights_only=False)
    assert isinstance(model, core.MLPActorCritic)
    assert isinstance(model.pi.pi[-1], torch.nn.Tanh)
    env, get_action = load_policy_and_env(str(tmp_path))
    obs, _ = env.reset(seed=0)
    action = get_action(obs)
    assert action.shape == (1,) and abs(float(action[0])) <= 2.0
    np.testing.assert_array_equal(get_action(obs), action)  # deterministic


def test_policy_moves_towards_a_target_action(tmp_path):
    # One-step episodes that end for real: terminated, so done = 1.
    td3(TargetAction, steps_per_epoch=200, epochs=2,
        logger_kwargs=dict(output_dir=str(tmp_path)), **SHORT)
    model = torch.load(tmp_path / "pyt_save" / "model.pt", weights_only=False)
    # The policy starts near 0; the best action is (0.5, 0.5).
    action = model.act(torch.ones(1))
    assert (action > 0.15).all(), action
    assert load_state(str(tmp_path))["replay_buffer"]["done"].all()


def test_command_line_run_and_test_policy(tmp_path):
    run = train_then_test_policy("td3", TD3_COLUMNS, tmp_path)
    assert (run / "pyt_save" / "model.pt").is_file()


def test_sigkilled_run_resumes_with_its_replay_buffer(tmp_path, algo_env):
    env = dict(os.environ, OMP_NUM_THREADS="1", **algo_env)
    check_offpolicy_resume("td3", TD3_COLUMNS, tmp_path, env)
