"""resume=True: a run that was killed or crashed continues from its last
snapshot, in the same progress.txt, with every epoch appearing once.

The first test is the real thing: a training process killed with SIGKILL at
a random moment. The others make the interesting cases happen on purpose: a
crash after an epoch's row was written but before its snapshot (the row must
be dropped and redone), no snapshot at all, a finished run, and a snapshot
that does not fit the network.
"""
import os
import signal
import subprocess
import sys
import time

import pytest
from algo_testing import (
    PPO_COLUMNS,
    VPG_COLUMNS,
    CrashAfter,
    TwoArmedBandit,
    count_rows,
    read_progress,
)

from spinup.algos.pytorch.ppo.ppo import ppo
from spinup.algos.pytorch.vpg.vpg import vpg

TRAIN = """
import sys
from algo_testing import TwoArmedBandit
from spinup.algos.pytorch.ppo.ppo import ppo
ppo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300,
    epochs=int(sys.argv[2]), pi_lr=1e-2, train_v_iters=5, save_freq=1,
    logger_kwargs=dict(output_dir=sys.argv[1]), resume=sys.argv[3] == "resume")
"""


def epochs_of(output_dir):
    return [int(r["Epoch"]) for r in read_progress(output_dir)[1]]


def test_sigkilled_run_resumes_where_it_stopped(tmp_path, algo_env):
    out = tmp_path / "run"
    env = dict(os.environ, **algo_env)
    proc = subprocess.Popen([sys.executable, "-c", TRAIN, str(out), "200", "fresh"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 90
    while count_rows(out / "progress.txt") < 5 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    killed_rows = count_rows(out / "progress.txt")
    assert 5 <= killed_rows < 200

    # Continue for three more epochs than the killed run had logged.
    epochs = killed_rows + 3
    resumed = subprocess.run([sys.executable, "-c", TRAIN, str(out), str(epochs), "resume"],
                             env=env, capture_output=True, text=True, timeout=90)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming from the snapshot taken after epoch" in resumed.stdout

    headers, rows = read_progress(out)
    assert headers == PPO_COLUMNS
    assert [int(r["Epoch"]) for r in rows] == list(range(epochs))
    assert [int(r["TotalEnvInteracts"]) for r in rows] == [300 * (e + 1) for e in range(epochs)]
    times = [float(r["Time"]) for r in rows]
    assert times == sorted(times)
    # The model and optimizers came back: the policy keeps choosing the
    # paying arm instead of starting over at about 0.5.
    returns = [float(r["AverageEpRet"]) for r in rows]
    assert returns[0] < 0.65 and min(returns[killed_rows - 1:]) > 0.75, returns


def test_rows_logged_after_the_last_snapshot_are_redone(tmp_path):
    kwargs = dict(ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=200, epochs=6,
                  train_v_iters=5, save_freq=2, logger_kwargs=dict(output_dir=str(tmp_path)))
    # Snapshots after epochs 0 and 2; rows 0..3 are written, then epoch 4 crashes.
    with pytest.raises(RuntimeError, match="simulated crash"):
        vpg(lambda: CrashAfter(TwoArmedBandit(), 4 * 200 + 50), **kwargs)
    assert epochs_of(tmp_path) == [0, 1, 2, 3]

    vpg(TwoArmedBandit, resume=True, **kwargs)
    headers, rows = read_progress(tmp_path)
    assert headers == VPG_COLUMNS
    assert [int(r["Epoch"]) for r in rows] == [0, 1, 2, 3, 4, 5]
    # The complete old file was kept aside before row 3 was dropped.
    assert epochs_of_file(tmp_path / "progress.txt.1") == [0, 1, 2, 3]


def epochs_of_file(path):
    with open(path) as f:
        lines = f.read().splitlines()
    col = lines[0].split("\t").index("Epoch")
    return [int(line.split("\t")[col]) for line in lines[1:]]


def test_without_a_snapshot_resume_starts_from_scratch(tmp_path):
    ppo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=100, epochs=2,
        train_pi_iters=5, train_v_iters=5, resume=True,
        logger_kwargs=dict(output_dir=str(tmp_path / "new")))
    assert epochs_of(tmp_path / "new") == [0, 1]


def test_resuming_a_finished_run_adds_nothing(tmp_path):
    kwargs = dict(ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=100, epochs=2,
                  train_pi_iters=5, train_v_iters=5,
                  logger_kwargs=dict(output_dir=str(tmp_path)))
    ppo(TwoArmedBandit, **kwargs)
    before = (tmp_path / "progress.txt").read_text()
    ppo(TwoArmedBandit, resume=True, **kwargs)
    assert (tmp_path / "progress.txt").read_text() == before


@pytest.mark.parametrize("algo", [ppo, vpg], ids=["ppo", "vpg"])
def test_a_snapshot_of_another_network_is_a_clear_error(tmp_path, algo):
    kwargs = dict(steps_per_epoch=100, epochs=1, train_v_iters=5,
                  logger_kwargs=dict(output_dir=str(tmp_path)))
    algo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(8,)), **kwargs)
    with pytest.raises(ValueError, match="does not fit this actor-critic.*'model_state'"):
        algo(TwoArmedBandit, ac_kwargs=dict(hidden_sizes=(4,)), resume=True, **kwargs)


def test_tf1_resume_after_a_crash(tmp_path, python_runner, algo_env):
    proc = python_runner("""
        import sys
        from algo_testing import CrashAfter, TwoArmedBandit, read_progress
        from spinup.algos.tf1.ppo.ppo import ppo

        kwargs = dict(ac_kwargs=dict(hidden_sizes=(8,)), steps_per_epoch=300, epochs=7,
                      pi_lr=1e-2, train_v_iters=5, save_freq=2,
                      logger_kwargs=dict(output_dir=sys.argv[1]))
        try:
            ppo(lambda: CrashAfter(TwoArmedBandit(), 4 * 300 + 10), **kwargs)
        except RuntimeError as e:
            print("CRASHED", e)
        print("BEFORE", [r["Epoch"] for r in read_progress(sys.argv[1])[1]])
        ppo(TwoArmedBandit, resume=True, **kwargs)
    """, tmp_path, env=algo_env, timeout=150)
    assert "CRASHED simulated crash" in proc.stdout
    # Snapshots after epochs 0 and 2; row 3 was written after the last one.
    assert "BEFORE ['0', '1', '2', '3']" in proc.stdout
    assert "Resuming from the snapshot taken after epoch 2." in proc.stdout
    headers, rows = read_progress(tmp_path)
    assert headers == PPO_COLUMNS
    assert [int(r["Epoch"]) for r in rows] == list(range(7))
    returns = [float(r["AverageEpRet"]) for r in rows]
    # Restored variables (not a fresh network): the return stays up.
    assert returns[0] < 0.65 and min(returns[4:]) > 0.75, returns
