"""TRPO (TensorFlow 1 only, as in the original): from the command line on
two MPI ranks with a Box action space, and from Python with a discrete one,
where it learns, survives a real SIGKILL and resumes in the same
progress.txt.
"""
import os
import signal
import subprocess
import sys
import time

import joblib
import pytest
from algo_testing import count_rows, read_progress

import spinup
from spinup import run
from spinup._cli_grid import UsageError

TRPO_COLUMNS = ["Epoch", "AverageEpRet", "StdEpRet", "MaxEpRet", "MinEpRet", "EpLen",
                "AverageVVals", "StdVVals", "MaxVVals", "MinVVals", "TotalEnvInteracts",
                "LossPi", "LossV", "DeltaLossPi", "DeltaLossV", "KL", "BacktrackIters", "Time"]

TRAIN = """
import sys
from algo_testing import TwoArmedBandit, read_progress
from spinup.algos.tf1.trpo.trpo import trpo
from spinup.utils.test_policy import load_policy_and_env, run_policy

out = sys.argv[1]
trpo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300,
     epochs=int(sys.argv[2]), delta=0.05, train_v_iters=5, save_freq=1,
     logger_kwargs=dict(output_dir=out), resume=sys.argv[3] == "resume")
if sys.argv[3] == "resume":
    env, get_action = load_policy_and_env(out)
    run_policy(env, get_action, num_episodes=2, render=False)
    # Natural Policy Gradient: the same update without the line search.
    trpo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=100, epochs=1,
         train_v_iters=5, algo="npg", logger_kwargs=dict(output_dir=out + "_npg"))
    print("NPG", read_progress(out + "_npg")[0])
"""


def subprocess_env(algo_env):
    return dict(os.environ, SPINUP_WAIT_BEFORE_LAUNCH="0", OMP_NUM_THREADS="1",
                TF_CPP_MIN_LOG_LEVEL="2", **algo_env)


def test_trpo_from_the_command_line_on_two_mpi_ranks(tmp_path):
    env = subprocess_env({})
    proc = subprocess.run(
        [sys.executable, "-m", "spinup.run", "trpo", "--env", "Pendulum-v1", "--cpu", "2",
         "--hid", "[16]", "--steps_per_epoch", "300", "--epochs", "2", "--train_v_iters", "5",
         "--exp_name", "trpo_cli", "--data_dir", str(tmp_path)],
        capture_output=True, text=True, timeout=400, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    run = tmp_path / "trpo_cli" / "trpo_cli_s0"
    headers, rows = read_progress(run)
    assert headers == TRPO_COLUMNS
    assert [int(r["Epoch"]) for r in rows] == [0, 1]
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [300, 600]
    # Each rank ran 150 steps an epoch, too few to finish a Pendulum episode
    # (200 steps), which one process with all 300 steps would have.
    assert "trajectory cut off by epoch at 150 steps" in proc.stdout
    assert all(r["EpLen"] == "nan" for r in rows)
    assert all(0 <= float(r["KL"]) <= 0.01 * 1.0001 for r in rows)
    info = joblib.load(run / "tf1_save" / "model_info.pkl")
    assert sorted(info["outputs"]) == ["mu", "pi", "v"]

    test = subprocess.run([sys.executable, "-m", "spinup.run", "test_policy", str(run), "-nr",
                           "-n", "1", "-l", "20", "-d"],
                          capture_output=True, text=True, timeout=200, env=env)
    assert test.returncode == 0, test.stderr
    assert "Episode 0 \t EpRet" in test.stdout and "EpLen 20" in test.stdout


def test_trpo_learns_and_resumes_after_sigkill(tmp_path, algo_env):
    out = tmp_path / "run"
    env = subprocess_env(algo_env)
    proc = subprocess.Popen([sys.executable, "-c", TRAIN, str(out), "200", "fresh"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while count_rows(out / "progress.txt") < 5 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    killed_rows = count_rows(out / "progress.txt")
    assert 5 <= killed_rows < 200

    epochs = killed_rows + 3
    resumed = subprocess.run([sys.executable, "-c", TRAIN, str(out), str(epochs), "resume"],
                             env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from the snapshot taken after epoch" in resumed.stdout

    headers, rows = read_progress(out)
    assert headers == TRPO_COLUMNS
    assert [int(r["Epoch"]) for r in rows] == list(range(epochs))
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [300 * (e + 1) for e in range(epochs)]
    # Every accepted step stays inside the trust region.
    assert all(float(r["KL"]) <= 0.05 * 1.0001 for r in rows)
    # It learns to pull the paying arm, and the resumed run carries on from
    # the restored policy instead of starting over at about 0.5.
    returns = [float(r["AverageEpRet"]) for r in rows]
    assert returns[0] < 0.65 and min(returns[killed_rows:]) > 0.75, returns
    # The saved graph runs through test_policy.
    assert "Episode 1 \t EpRet" in resumed.stdout
    npg_headers = resumed.stdout.split("NPG ", 1)[1].splitlines()[0]
    assert npg_headers == str(TRPO_COLUMNS[:-2] + ["Time"])


def test_trpo_means_trpo_tf1_and_a_pytorch_default_for_it_is_a_usage_error(monkeypatch):
    assert "trpo_tf1" in run.add_with_backends(run.BASE_ALGO_NAMES)
    assert "trpo_pytorch" not in run.add_with_backends(run.BASE_ALGO_NAMES)
    assert spinup._LAZY["trpo"] == spinup._LAZY["trpo_tf1"]
    monkeypatch.setitem(run.DEFAULT_BACKEND, "trpo", "pytorch")
    with pytest.raises(UsageError, match="trpo exists only in tf1; fix it there"):
        run.parse_and_execute_grid_search("trpo", ["--env", "CartPole-v1"])
