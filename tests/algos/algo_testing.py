"""What the algorithm tests share: the columns the reference algorithms log,
a progress.txt reader, and tiny environments on which a working policy
gradient learns in seconds.

This is an importable module (not a test file) so that subprocess and MPI
tests can import it too: they put this folder on PYTHONPATH (see the
``algo_env`` fixture in conftest.py).
"""
import csv
import os
import signal
import subprocess
import sys
import time

import gymnasium as gym
import numpy as np
from gymnasium import spaces

VPG_COLUMNS = ["Epoch", "AverageEpRet", "StdEpRet", "MaxEpRet", "MinEpRet", "EpLen",
               "AverageVVals", "StdVVals", "MaxVVals", "MinVVals", "TotalEnvInteracts",
               "LossPi", "LossV", "DeltaLossPi", "DeltaLossV", "Entropy", "KL", "Time"]
PPO_COLUMNS = VPG_COLUMNS[:-1] + ["ClipFrac", "StopIter", "Time"]


def stats_columns(key):
    """The columns of ``log_tabular(key, with_min_and_max=True)``."""
    return ["Average" + key, "Std" + key, "Max" + key, "Min" + key]


# The off-policy algorithms of the original, PyTorch versions.
OFFPOLICY_RETURN_COLUMNS = (["Epoch"] + stats_columns("EpRet") + stats_columns("TestEpRet")
                            + ["EpLen", "TestEpLen", "TotalEnvInteracts"])
DDPG_COLUMNS = OFFPOLICY_RETURN_COLUMNS + stats_columns("QVals") + ["LossPi", "LossQ", "Time"]
TD3_COLUMNS = (OFFPOLICY_RETURN_COLUMNS + stats_columns("Q1Vals") + stats_columns("Q2Vals")
               + ["LossPi", "LossQ", "Time"])
SAC_COLUMNS = (OFFPOLICY_RETURN_COLUMNS + stats_columns("Q1Vals") + stats_columns("Q2Vals")
               + stats_columns("LogPi") + ["LossPi", "LossQ", "Time"])


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


def count_rows(path):
    """Rows written so far to a progress.txt (0 if there is none yet)."""
    try:
        with open(path) as f:
            return max(0, f.read().count("\n") - 1)
    except FileNotFoundError:
        return 0


def kill_then_resume(script, out, env, min_rows=3, extra_epochs=2, timeout=600):
    """SIGKILL a training run once it has logged ``min_rows`` epochs, then
    run it again with resume for ``extra_epochs`` more epochs than it logged.

    ``script`` runs as ``python -c script OUTPUT_DIR EPOCHS fresh|resume``.
    Returns ``(killed_rows, epochs, resumed)``: rows in progress.txt at the
    kill, the epochs of the resumed run, and its CompletedProcess.
    """
    progress = os.path.join(str(out), "progress.txt")
    proc = subprocess.Popen([sys.executable, "-c", script, str(out), "1000", "fresh"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + timeout
    while count_rows(progress) < min_rows and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    killed_rows = count_rows(progress)
    assert min_rows <= killed_rows < 1000

    epochs = killed_rows + extra_epochs
    resumed = subprocess.run([sys.executable, "-c", script, str(out), str(epochs), "resume"],
                             env=env, capture_output=True, text=True, timeout=timeout)
    assert resumed.returncode == 0, resumed.stderr
    return killed_rows, epochs, resumed


# A tiny PyTorch off-policy run on Pendulum, as `python -c` script for
# kill_then_resume: {algo} is ddpg, td3 or sac.
OFFPOLICY_RESUME_SCRIPT = """
import sys
import gymnasium as gym
from spinup.algos.pytorch.{algo}.{algo} import {algo}
{algo}(lambda: gym.make("Pendulum-v1", max_episode_steps=60), ac_kwargs=dict(hidden_sizes=(16,)),
       steps_per_epoch=60, epochs=int(sys.argv[2]), start_steps=60, update_after=30,
       update_every=30, batch_size=32, num_test_episodes=1, save_freq=1,
       logger_kwargs=dict(output_dir=sys.argv[1]), resume=sys.argv[3] == "resume")
"""


def check_offpolicy_resume(algo, columns, out, env):
    """SIGKILL a PyTorch off-policy run, resume it, and check that every epoch
    is logged once and that the replay buffer came back with the snapshot."""
    from spinup.utils.logx import load_state

    _, epochs, resumed = kill_then_resume(OFFPOLICY_RESUME_SCRIPT.format(algo=algo), out, env)
    assert "Resuming from the snapshot taken after epoch" in resumed.stdout
    headers, rows = read_progress(out)
    assert headers == columns
    assert [int(r["Epoch"]) for r in rows] == list(range(1, epochs + 1))
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [60 * e for e in range(1, epochs + 1)]
    times = [float(r["Time"]) for r in rows]
    assert times == sorted(times)
    # The buffer holds every step of both runs.
    assert load_state(str(out))["replay_buffer"]["size"] == 60 * epochs


def train_then_test_policy(cmd, columns, out, *test_flags):
    """Train one epoch of ``cmd`` on Pendulum from the command line, check its
    progress.txt, then run two 20-step episodes of it through test_policy.
    Returns the run's folder."""
    env = dict(os.environ, SPINUP_WAIT_BEFORE_LAUNCH="0", OMP_NUM_THREADS="1")
    name = cmd + "_cli"
    train = subprocess.run(
        [sys.executable, "-m", "spinup.run", cmd, "--env", "Pendulum-v1",
         "--hid", "[16,16]", "--epochs", "1", "--steps_per_epoch", "120",
         "--start_steps", "100", "--update_after", "50", "--num_test_episodes", "1",
         "--max_ep_len", "60", "--exp_name", name, "--data_dir", str(out)],
        capture_output=True, text=True, env=env, timeout=600)
    assert train.returncode == 0, train.stdout[-3000:] + train.stderr[-3000:]
    run = out / name / (name + "_s0")
    headers, rows = read_progress(run)
    assert headers == columns and [r["Epoch"] for r in rows] == ["1"]

    shown = subprocess.run(
        [sys.executable, "-m", "spinup.run", "test_policy", str(run), *test_flags,
         "-nr", "-n", "2", "-l", "20"], capture_output=True, text=True, env=env, timeout=600)
    assert shown.returncode == 0, shown.stderr
    returns = [line for line in shown.stdout.splitlines() if line.startswith("Episode ")]
    assert len(returns) == 2 and all("EpLen 20" in line for line in returns)
    return run
