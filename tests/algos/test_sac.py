"""SAC (PyTorch): short real runs on Pendulum-v1, from Python and from the
command line, reloaded through test_policy with its deterministic mean
action, and resumed after a real SIGKILL with its replay buffer.
"""
import json
import os
import subprocess
import sys

import gymnasium as gym
import numpy as np
import torch
from algo_testing import SAC_COLUMNS, TargetAction, kill_then_resume, read_progress

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
    env = dict(os.environ, SPINUP_WAIT_BEFORE_LAUNCH="0", OMP_NUM_THREADS="1")
    train = subprocess.run(
        [sys.executable, "-m", "spinup.run", "sac", "--env", "Pendulum-v1", "--hid", "[16,16]",
         "--epochs", "1", "--steps_per_epoch", "120", "--start_steps", "100",
         "--update_after", "50", "--num_test_episodes", "1", "--max_ep_len", "60",
         "--exp_name", "sac_cli", "--data_dir", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=600)
    assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
    run = tmp_path / "sac_cli" / "sac_cli_s0"
    headers, rows = read_progress(run)
    assert headers == SAC_COLUMNS and [r["Epoch"] for r in rows] == ["1"]
    # `sac` is the PyTorch version (user_config.DEFAULT_BACKEND).
    assert (run / "pyt_save" / "model.pt").is_file()

    shown = subprocess.run(
        [sys.executable, "-m", "spinup.run", "test_policy", str(run), "-d", "-nr", "-n", "2",
         "-l", "20"], capture_output=True, text=True, env=env, timeout=600)
    assert shown.returncode == 0, shown.stderr
    returns = [line for line in shown.stdout.splitlines() if line.startswith("Episode ")]
    assert len(returns) == 2 and all("EpLen 20" in line for line in returns)


TRAIN = """
import sys
import gymnasium as gym
from spinup.algos.pytorch.sac.sac import sac
sac(lambda: gym.make("Pendulum-v1", max_episode_steps=60), ac_kwargs=dict(hidden_sizes=(16,)),
    steps_per_epoch=60, epochs=int(sys.argv[2]), start_steps=60, update_after=30,
    update_every=30, batch_size=32, num_test_episodes=1, save_freq=1,
    logger_kwargs=dict(output_dir=sys.argv[1]), resume=sys.argv[3] == "resume")
"""


def test_sigkilled_run_resumes_with_its_replay_buffer(tmp_path, algo_env):
    env = dict(os.environ, OMP_NUM_THREADS="1", **algo_env)
    killed_rows, epochs, resumed = kill_then_resume(TRAIN, tmp_path, env)
    assert "Resuming from the snapshot taken after epoch" in resumed.stdout

    headers, rows = read_progress(tmp_path)
    assert headers == SAC_COLUMNS
    assert [int(r["Epoch"]) for r in rows] == list(range(1, epochs + 1))
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [60 * e for e in range(1, epochs + 1)]
    times = [float(r["Time"]) for r in rows]
    assert times == sorted(times)
    # The buffer came back with the snapshot: it holds every step of both runs.
    assert load_state(str(tmp_path))["replay_buffer"]["size"] == 60 * epochs
