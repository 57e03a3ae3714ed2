"""spinup.utils.mpi_tools: one process, real 2-rank jobs, failures and mpi_fork."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from spinup.utils.mpi_tools import (
    MPILauncherNotFoundError,
    broadcast,
    mpi_avg,
    mpi_fork,
    mpi_statistics_scalar,
    mpi_sum,
    msg,
    num_procs,
    physical_cores,
    proc_id,
)

# --- one plain process: rank 0 of a world of 1 ----------------------------------

def test_a_plain_process_is_rank_0_of_1(capsys):
    assert (proc_id(), num_procs()) == (0, 1)
    total = mpi_sum(3)
    assert total == 3 and isinstance(total, np.float32)
    assert mpi_avg([1, 2]).tolist() == [1.0, 2.0]
    x = np.array([5.0, 6.0])
    broadcast(x)
    assert x.tolist() == [5.0, 6.0]
    mean, std, lo, hi = mpi_statistics_scalar([1, 2, 3, 4], with_min_and_max=True)
    assert (mean, lo, hi) == (2.5, 1.0, 4.0)
    assert std == pytest.approx(np.sqrt(1.25), rel=1e-7)
    msg(42, "answer")
    assert capsys.readouterr().out == "Message from 0: answer \t 42\n"


def test_a_plain_process_never_loads_mpi4py(python_runner):
    code = r"""
    import sys
    from spinup.utils.mpi_tools import mpi_fork, mpi_statistics_scalar, mpi_sum, proc_id
    mpi_fork(1)
    assert proc_id() == 0 and mpi_sum(2.0) == 2.0
    mpi_statistics_scalar([1.0, 2.0], with_min_and_max=True)
    print("mpi4py" in sys.modules)
    """
    assert python_runner(code).stdout.strip() == "False"


# --- a real 2-rank job -------------------------------------------------------------

TWO_RANKS = r"""
import numpy as np
from spinup.utils.mpi_tools import (broadcast, mpi_avg, mpi_statistics_scalar, mpi_sum, msg,
                                    num_procs, proc_id)
rank = proc_id()
assert num_procs() == 2
assert mpi_sum(rank + 1) == 3
assert mpi_avg(rank + 1) == 1.5
assert mpi_sum(np.array([rank, 10.0])).tolist() == [1.0, 20.0]
x = np.array([7.0, 8.0]) if rank == 0 else np.zeros(2)
broadcast(x)
assert x.tolist() == [7.0, 8.0]

# Statistics are global; rank 1 has no samples at all.
samples = [1.0, 2.0, 4.0, 9.0] if rank == 0 else []
mean, std, lo, hi = mpi_statistics_scalar(samples, with_min_and_max=True)
all_x = np.array([1.0, 2.0, 4.0, 9.0], dtype=np.float32)
assert mean == all_x.mean() and abs(std - all_x.std()) < 1e-6, (mean, std)
assert (lo, hi) == (1.0, 9.0)
# Both ranks hold samples: rank 0 [0..4], rank 1 [10..14].
mean, std = mpi_statistics_scalar(np.arange(5) + 10 * rank)
both = np.concatenate([np.arange(5), np.arange(10, 15)]).astype(np.float32)
assert mean == both.mean() and abs(std - both.std()) < 1e-5
msg(rank * 100, "hello")
"""


def test_two_ranks_see_each_other_and_compute_global_statistics(python_runner):
    proc = python_runner(TWO_RANKS, n=2)
    assert "Message from 0: hello \t 0" in proc.stdout
    assert "Message from 1: hello \t 100" in proc.stdout


@pytest.mark.parametrize("when", ["before using MPI", "while rank 0 waits in a collective"])
def test_a_rank_that_raises_ends_the_whole_job_quickly(python_runner, when):
    code = r"""
    import os, sys
    from spinup.utils.mpi_tools import mpi_sum, proc_id
    if sys.argv[1] == "before" and os.environ["PMI_RANK"] == "1":
        raise ValueError("boom on rank 1")
    if proc_id() == 1:
        raise ValueError("boom on rank 1")
    mpi_sum(1.0)  # rank 0 waits here for a partner that is gone
    """
    start = time.time()
    proc = python_runner(code, when.split()[0], n=2, check=False, timeout=60)
    assert proc.returncode != 0
    assert time.time() - start < 20
    assert "Traceback" in proc.stderr and "ValueError: boom on rank 1" in proc.stderr


# --- mpi_fork ------------------------------------------------------------------------

FORKING_SCRIPT = r"""
import os, sys
from spinup.utils.mpi_tools import mpi_fork, mpi_sum, num_procs, proc_id
print("top of script", flush=True)
n = sys.argv[1]
mpi_fork(n if n == "auto" else int(n), bind_to_core="--bind" in sys.argv)
total = mpi_sum(1)
print("rank %d of %d: sum %d, OMP_NUM_THREADS=%s, IN_MPI=%s, cores %d, argv %s"
      % (proc_id(), num_procs(), total, os.environ.get("OMP_NUM_THREADS"),
         os.environ.get("IN_MPI"), len(os.sched_getaffinity(0)), sys.argv[1:]), flush=True)
if "--raise" in sys.argv and proc_id() == 1:
    raise RuntimeError("rank 1 failed")
sys.exit(int(sys.argv[2]))
"""


def run_script(tmp_path, *args, name="forking.py", timeout=60, text=FORKING_SCRIPT):
    script = tmp_path / name
    script.write_text(textwrap.dedent(text))
    env = {k: v for k, v in os.environ.items() if k != "IN_MPI"}
    return subprocess.run([sys.executable, str(script), *map(str, args)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("status", [0, 3])
def test_mpi_fork_runs_the_script_on_n_ranks_and_exits_with_their_status(tmp_path, status):
    proc = run_script(tmp_path, 2, status, "--flag")
    assert proc.returncode == status, proc.stderr
    for rank in (0, 1):
        assert ("rank %d of 2: sum 2, OMP_NUM_THREADS=1, IN_MPI=1, cores" % rank) in proc.stdout
    assert "argv ['2', '%d', '--flag']" % status in proc.stdout
    # The parent ran the top of the script, then each rank ran it again.
    assert proc.stdout.count("top of script") == 3


def test_mpi_fork_auto_uses_the_physical_cores_and_can_bind_to_them(tmp_path):
    proc = run_script(tmp_path, "auto", 0, "--bind")
    assert proc.returncode == 0, proc.stderr
    n = physical_cores()
    assert proc.stdout.count("of %d: sum %d" % (n, n)) == (n if n > 1 else 1)
    if n > 1:  # each rank is pinned to a core of its own
        assert proc.stdout.count("cores 1,") == n


def test_mpi_fork_a_rank_that_raises_fails_the_parent_with_the_traceback(tmp_path):
    start = time.time()
    proc = run_script(tmp_path, 2, 0, "--raise")
    assert proc.returncode != 0
    assert time.time() - start < 20
    assert "Traceback" in proc.stderr and "RuntimeError: rank 1 failed" in proc.stderr


def test_mpi_fork_reruns_a_module_started_with_python_m(tmp_path):
    (tmp_path / "forkmod.py").write_text(textwrap.dedent(FORKING_SCRIPT))
    env = {k: v for k, v in os.environ.items() if k != "IN_MPI"}
    proc = subprocess.run([sys.executable, "-m", "forkmod", "2", "0"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "rank 1 of 2: sum 2" in proc.stdout


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_the_parent_stops_every_rank(tmp_path, signum):
    script = tmp_path / "sleepy.py"
    script.write_text(textwrap.dedent(r"""
        import os, signal, sys, time
        from spinup.utils.mpi_tools import mpi_fork, proc_id
        # Ctrl-C raises KeyboardInterrupt even if started from a background shell job.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        mpi_fork(2)
        with open(os.path.join(sys.argv[1], "rank%d.pid" % proc_id()), "w") as f:
            f.write(str(os.getpid()))
        time.sleep(120)
    """))
    env = {k: v for k, v in os.environ.items() if k != "IN_MPI"}
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    pid_files = [tmp_path / "rank0.pid", tmp_path / "rank1.pid"]
    try:
        deadline = time.time() + 60
        while not all(f.exists() and f.read_text() for f in pid_files):
            assert time.time() < deadline and parent.poll() is None, "ranks did not start"
            time.sleep(0.1)
        ranks = [int(f.read_text()) for f in pid_files]
        parent.send_signal(signum)  # as a batch system or a process manager would
        assert parent.wait(timeout=20) != 0
    finally:
        if parent.poll() is None:
            parent.kill()
    deadline = time.time() + 10
    while any(_alive(pid) for pid in ranks) and time.time() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in ranks)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead but not yet reaped by its parent.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_mpi_fork_without_a_launcher_says_how_to_install_one(tmp_path, monkeypatch):
    monkeypatch.delenv("IN_MPI", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MPILauncherNotFoundError, match="pip install mpich mpi4py"):
        mpi_fork(2)
    assert issubclass(MPILauncherNotFoundError, RuntimeError)


def test_mpi_fork_checks_its_arguments(monkeypatch):
    monkeypatch.delenv("IN_MPI", raising=False)
    assert mpi_fork(1) is None and mpi_fork(0) is None  # nothing to fork
    with pytest.raises(ValueError, match="whole number of processes or 'auto'"):
        mpi_fork("two")
    for bad in (2.5, None, True):
        with pytest.raises(TypeError, match="whole number of processes or 'auto'"):
            mpi_fork(bad)
    # Code given with `python -c` cannot be re-run as a script.
    monkeypatch.setattr(sys, "argv", ["-c"])
    monkeypatch.setattr(sys.modules["__main__"], "__spec__", None, raising=False)
    with pytest.raises(RuntimeError, match="cannot re-run `python -c`"):
        mpi_fork(2)


def test_mpi_fork_inside_an_mpi_job_does_nothing(python_runner):
    code = r"""
    from spinup.utils.mpi_tools import mpi_fork, num_procs, proc_id
    mpi_fork(4)  # already 2 ranks under mpiexec: no second job
    print("rank %d of %d" % (proc_id(), num_procs()))
    """
    proc = python_runner(code, n=2)
    assert "rank 0 of 2" in proc.stdout and "rank 1 of 2" in proc.stdout
    assert "of 4" not in proc.stdout
