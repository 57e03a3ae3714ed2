"""DDPG, TD3 and SAC in TensorFlow 1: each trains on Pendulum-v1 from the
command line and from Python, logs the original's columns, saves a graph
that test_policy runs (SAC with -d, its mean action), and resumes after a
real SIGKILL with its replay buffer.

Building a TF1 graph takes a while, so the runs of the three algorithms go
side by side in subprocesses, started once per module, and each test reads
what they left behind.
"""
import os
import signal
import subprocess
import sys
import time

import joblib
import pytest
from algo_testing import count_rows, read_progress

ALGOS = ["ddpg", "td3", "sac"]
COMMON = ["Epoch", "AverageEpRet", "StdEpRet", "MaxEpRet", "MinEpRet",
          "AverageTestEpRet", "StdTestEpRet", "MaxTestEpRet", "MinTestEpRet",
          "EpLen", "TestEpLen", "TotalEnvInteracts"]


def with_min_and_max(name):
    return ["Average" + name, "Std" + name, "Max" + name, "Min" + name]


COLUMNS = {
    "ddpg": COMMON + with_min_and_max("QVals") + ["LossPi", "LossQ", "Time"],
    "td3": COMMON + with_min_and_max("Q1Vals") + with_min_and_max("Q2Vals")
    + ["LossPi", "LossQ", "Time"],
    "sac": COMMON + with_min_and_max("Q1Vals") + with_min_and_max("Q2Vals")
    + with_min_and_max("LogPi") + ["LossPi", "LossQ1", "LossQ2", "Time"],
}
SAVED_OUTPUTS = {"ddpg": ["pi", "q"], "td3": ["pi", "q1", "q2"],
                 "sac": ["mu", "pi", "q1", "q2"]}

# Small but complete: random actions, then updates, test episodes and saves.
TINY = dict(steps_per_epoch=200, start_steps=100, update_after=100, update_every=50,
            batch_size=32, num_test_episodes=1, max_ep_len=100, replay_size=10000)

TRAIN = """
import sys
import gymnasium as gym
from spinup.algos.tf1.{algo}.{algo} import {algo}
from spinup.utils.test_policy import load_policy_and_env, run_policy
{algo}(lambda: gym.make("Pendulum-v1"), ac_kwargs=dict(hidden_sizes=(16,)),
       epochs=int(sys.argv[2]), logger_kwargs=dict(output_dir=sys.argv[1]),
       resume=sys.argv[3] == "resume", **{tiny!r})
env, get_action = load_policy_and_env(sys.argv[1], deterministic=True)
run_policy(env, get_action, max_ep_len=30, num_episodes=1, render=False)
"""


def subprocess_env():
    return dict(os.environ, SPINUP_WAIT_BEFORE_LAUNCH="0", OMP_NUM_THREADS="1",
                TF_CPP_MIN_LOG_LEVEL="2")


def spinup_cli(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "spinup.run", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env=subprocess_env())


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """``spinup.run ALGO_tf1`` for each algorithm, side by side."""
    base = tmp_path_factory.mktemp("offpolicy_tf1_cli")
    procs = {}
    for algo in ALGOS:
        flags = [w for k, v in TINY.items() for w in ("--" + k, str(v))]
        procs[algo] = subprocess.Popen(
            [sys.executable, "-m", "spinup.run", algo + "_tf1", "--env", "Pendulum-v1",
             "--hid", "[16]", "--epochs", "2", "--exp_name", algo, "--data_dir", str(base),
             *flags],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=subprocess_env())
    outputs = {algo: proc.communicate(timeout=400)[0] for algo, proc in procs.items()}
    return {algo: (procs[algo].returncode, outputs[algo], base / algo / (algo + "_s0"))
            for algo in ALGOS}


@pytest.mark.parametrize("algo", ALGOS)
def test_command_line_run_logs_saves_and_test_policy_runs_it(algo, cli_runs):
    code, output, run = cli_runs[algo]
    assert code == 0, output[-4000:]
    headers, rows = read_progress(run)
    assert headers == COLUMNS[algo]
    assert [r["Epoch"] for r in rows] == ["1", "2"]
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [200, 400]
    assert all(float(r["TestEpLen"]) == 100 for r in rows)
    info = joblib.load(run / "tf1_save" / "model_info.pkl")
    assert sorted(info["inputs"]) == ["a", "x"]
    assert sorted(info["outputs"]) == SAVED_OUTPUTS[algo]



def test_test_policy_runs_sacs_mean_action_from_the_command_line(cli_runs):
    # -d acts with the saved mean action 'mu' (the resume test below runs
    # the other algorithms' saves through test_policy from Python).
    code, output, run = cli_runs["sac"]
    assert code == 0, output[-4000:]
    proc = spinup_cli("test_policy", run, "-nr", "-n", "2", "-l", "50", "-d")
    assert proc.returncode == 0, proc.stderr
    assert "Episode 1 \t EpRet" in proc.stdout and "EpLen 50" in proc.stdout


@pytest.fixture(scope="module")
def killed_and_resumed(tmp_path_factory):
    """For each algorithm, a training started from Python, SIGKILLed once it
    has logged 2 epochs, then resumed for 1 more than it had logged."""
    base = tmp_path_factory.mktemp("offpolicy_tf1_resume")
    env = subprocess_env()
    script = {algo: TRAIN.format(algo=algo, tiny=TINY) for algo in ALGOS}
    procs = {algo: subprocess.Popen([sys.executable, "-c", script[algo], str(base / algo),
                                     "100", "fresh"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
             for algo in ALGOS}
    killed = {}
    deadline = time.time() + 300
    while procs and time.time() < deadline:
        for algo, proc in list(procs.items()):
            if count_rows(base / algo / "progress.txt") >= 2 or proc.poll() is not None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                killed[algo] = (proc.returncode, proc.stderr.read().decode(),
                                count_rows(base / algo / "progress.txt"))
                del procs[algo]
        time.sleep(0.02)
    for proc in procs.values():
        proc.kill()
    resumed = {algo: subprocess.Popen([sys.executable, "-c", script[algo], str(base / algo),
                                       str(killed[algo][2] + 1), "resume"], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for algo in killed}
    results = {}
    for algo, proc in resumed.items():
        out, err = proc.communicate(timeout=300)
        results[algo] = dict(killed=killed[algo], code=proc.returncode, stdout=out, stderr=err,
                             dir=base / algo)
    return results


@pytest.mark.parametrize("algo", ALGOS)
def test_sigkilled_run_resumes_with_its_replay_buffer(algo, killed_and_resumed):
    result = killed_and_resumed[algo]
    code, stderr, killed_rows = result["killed"]
    assert code == -signal.SIGKILL, stderr
    assert 2 <= killed_rows < 100
    assert result["code"] == 0, result["stderr"][-4000:]
    assert "Resuming from the snapshot taken after epoch" in result["stdout"]

    epochs = killed_rows + 1
    headers, rows = read_progress(result["dir"])
    assert headers == COLUMNS[algo]
    assert [int(r["Epoch"]) for r in rows] == list(range(1, epochs + 1))
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [200 * e for e in range(1, epochs + 1)]
    times = [float(r["Time"]) for r in rows]
    assert times == sorted(times)
    # The buffer came back with the snapshot: the final one holds every
    # step of the run, those before the kill included.
    state = joblib.load(result["dir"] / "vars.pkl")
    assert state["replay_buffer"]["size"] == 200 * epochs
    # The saved graph runs through test_policy.
    assert "Episode 0 \t EpRet" in result["stdout"] and "EpLen 30" in result["stdout"]


def test_action_spaces_they_cannot_handle_are_refused_clearly():
    from gymnasium import spaces

    from spinup.algos.tf1.ddpg.core import check_action_space

    assert check_action_space(spaces.Box(-2.0, 2.0, shape=(3,)), "DDPG") == 2.0
    with pytest.raises(TypeError, match="needs a continuous .Box. action space"):
        check_action_space(spaces.Discrete(2), "SAC")
    with pytest.raises(ValueError, match="RescaleAction"):
        check_action_space(spaces.Box(0.0, 1.0, shape=(2,)), "TD3")
