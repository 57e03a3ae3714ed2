"""Small helpers for running one experiment as several MPI processes.

Every function here also works in a plain ``python`` process, with no MPI
launcher at all: it then behaves as rank 0 of a world of size 1. mpi4py is
only imported when the process was started by an MPI launcher (or when it is
already imported), so scripts that never use MPI do not pay for it.

When a process is part of a real MPI job of two or more ranks, an uncaught
exception on any rank prints its traceback and aborts the whole job, so the
other ranks never sit forever in a collective waiting for a dead partner.
"""
import numbers
import os
import subprocess
import sys
import threading
from typing import Any, Optional

import numpy as np

# Environment variables set by the common launchers (MPICH/Hydra, Open MPI,
# PMIx/Slurm) and by mpi_fork itself.
_LAUNCHER_ENV_VARS = ("IN_MPI", "PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE",
                      "PMIX_RANK", "MPI_LOCALNRANKS", "HYDI_CONTROL_FD")

_comm = None  # COMM_WORLD once MPI is in use; stays None in a plain process.
_checked = False


class MPILauncherNotFoundError(RuntimeError):
    """Raised by mpi_fork when no ``mpiexec`` launcher (or no mpi4py) can be found."""


def _world():
    """Return COMM_WORLD if this process is in an MPI job, else None."""
    global _comm, _checked
    if _checked:
        return _comm
    _checked = True
    if "mpi4py.MPI" not in sys.modules and not any(v in os.environ for v in _LAUNCHER_ENV_VARS):
        return None
    try:
        from mpi4py import MPI
    except ImportError:
        return None
    _comm = MPI.COMM_WORLD
    if _comm.Get_size() > 1:
        _install_abort_on_exception()
    return _comm


def _launched_size() -> int:
    """The job size the launcher announced in the environment (1 if none)."""
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE"):
        try:
            return int(os.environ[var])
        except (KeyError, ValueError):
            pass
    return 1


def _install_abort_on_exception():
    """Make an uncaught exception on this rank abort the whole MPI job.

    Without this, the rank that raised exits while the others wait forever
    in their next collective call for a partner that is gone.
    """
    if getattr(sys.excepthook, "_spinup_aborts_mpi_job", False):
        return
    previous_hook = sys.excepthook

    def abort_job(exc_type, exc, tb):
        # Show the traceback first: Abort kills this process immediately.
        comm = None
        try:
            comm = _world()
            rank = comm.Get_rank() if comm is not None else os.environ.get("PMI_RANK", "?")
            sys.stderr.write("Uncaught exception on MPI rank %s; aborting the job.\n" % rank)
            previous_hook(exc_type, exc, tb)
            sys.stderr.flush()
            sys.stdout.flush()
            _wait_until_output_is_read()
        finally:
            if comm is not None:
                # 130 is what a shell reports for Ctrl-C, as mpi4py's runner does.
                comm.Abort(130 if issubclass(exc_type, KeyboardInterrupt) else 1)

    abort_job._spinup_aborts_mpi_job = True
    sys.excepthook = abort_job


def _wait_until_output_is_read(timeout: float = 3.0) -> None:
    """Give the launcher time to pass on what this rank printed.

    The launcher reads each rank's stdout and stderr through pipes. Abort
    makes it tear the job down at once, and whatever is still in a pipe
    (such as the traceback just printed) would be lost. So wait, a little,
    until the pipes are empty.
    """
    import stat
    import time
    try:
        import fcntl
        import termios
    except ImportError:  # not a POSIX system
        return
    deadline = time.monotonic() + timeout
    for fd in (1, 2):
        try:
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                continue
            while time.monotonic() < deadline:
                unread = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
                if int.from_bytes(unread, sys.byteorder) == 0:
                    break
                time.sleep(0.01)
        except OSError:
            continue
    time.sleep(0.1)  # the launcher forwards what it read


# A rank can fail before it ever touches MPI (say, in its imports), while the
# others already wait in a collective: watch for that from the start, without
# importing mpi4py until it is needed.
if _launched_size() > 1:
    _install_abort_on_exception()


def _find_launcher() -> str:
    """Path of the MPI launcher: the one beside this interpreter, else on PATH."""
    import shutil
    # The mpich wheel installs mpiexec next to the interpreter of the venv.
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    raise MPILauncherNotFoundError(
        "No MPI launcher (mpiexec) was found next to %s or on PATH. Install one "
        "with `pip install mpich mpi4py` (or `pip install 'spinup[mpi]'`), or "
        "run with num_cpu=1." % sys.executable)


def physical_cores() -> int:
    """Number of physical CPU cores of this machine (at least 1)."""
    import psutil
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def mpi_fork(n: Any, bind_to_core: bool = False) -> None:
    """Re-launches the current script with workers linked by MPI.

    Also, terminates the original process that launched it: the parent waits
    for the MPI job and exits with its exit status.

    The job is ``mpiexec -n n python -m mpi4py <your script and arguments>``,
    with ``MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 IN_MPI=1`` added to the
    environment. Each rank runs the script from the top; in the ranks,
    mpi_fork sees ``IN_MPI`` and returns at once, so the code after it runs
    on every rank. mpi4py's runner makes an uncaught exception (or a
    non-zero ``sys.exit``) on one rank abort every rank instead of leaving
    them hanging. Ctrl-C and SIGTERM sent to the parent reach the ranks.

    Does nothing when n <= 1, or when the process already runs under an MPI
    launcher.

    Args:
        n (int): Number of processes to split into ('auto' means the number
            of physical cores).

        bind_to_core (bool): Bind each MPI process to a core.

    Raises:
        MPILauncherNotFoundError: No ``mpiexec`` (or no mpi4py) is installed.
    """
    n = _num_procs_from(n)
    if n <= 1:
        return
    if os.getenv("IN_MPI") is not None or _launched_size() > 1:
        return
    args = _launch_command(n, bind_to_core)
    env = os.environ.copy()
    env.update(MKL_NUM_THREADS="1", OMP_NUM_THREADS="1", IN_MPI="1")
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(_run_until_done(args, env))


def _num_procs_from(n: Any) -> int:
    """Check mpi_fork's n; 'auto' means the physical core count."""
    if isinstance(n, str):
        if n.strip().lower() == "auto":
            return physical_cores()
        try:
            return int(n)
        except ValueError:
            raise ValueError("mpi_fork: n (num_cpu) must be a whole number of processes or "
                             "'auto', got %r." % (n,)) from None
    if not isinstance(n, bool):
        if isinstance(n, numbers.Integral):
            return int(n)
        if isinstance(n, numbers.Real) and float(n).is_integer():
            return int(n)
    raise TypeError("mpi_fork: n (num_cpu) must be a whole number of processes or 'auto', "
                    "got %r." % (n,))


def _launch_command(n: int, bind_to_core: bool) -> list:
    launcher = _find_launcher()
    import importlib.util
    if importlib.util.find_spec("mpi4py") is None:
        raise MPILauncherNotFoundError(
            "mpi4py is not installed for %s, so the MPI processes could not talk to "
            "each other. Install it with `pip install mpi4py` (or `pip install "
            "'spinup[mpi]'`), or run with num_cpu=1." % sys.executable)
    args = [launcher, "-n", str(n)]
    if bind_to_core:
        args += ["-bind-to", "core"]
    return args + [sys.executable, "-m", "mpi4py"] + _script_command()


def _run_until_done(args: list, env: dict) -> int:
    """Run the launcher; hand it SIGTERM/SIGHUP; return its exit status.

    The parent must not vanish and leave the job running on its own: a
    grid runner or a batch system that stops an experiment stops the
    parent, and the launcher passes the signal on to every rank. Ctrl-C in
    a terminal reaches the launcher too (same process group); the parent
    passes it on as well, in case it came from elsewhere, and insists with
    SIGTERM, then SIGKILL, if Ctrl-C is pressed again.
    """
    import signal
    proc = None
    previous = {}
    stopped_by = []  # signals the parent received

    def forward(signum, frame):
        stopped_by.append(signum)
        if proc is not None and proc.poll() is None:
            proc.send_signal(signum)

    # Handlers go in first, so that no signal finds the launcher unguarded.
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)  # no SIGHUP on Windows
            if sig is not None:
                previous[sig] = signal.signal(sig, forward)
    try:
        proc = subprocess.Popen(args, env=env)
    except BaseException:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        raise
    if stopped_by:
        proc.send_signal(stopped_by[0])
    escalation = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]
    try:
        while True:
            try:
                status = proc.wait()
                break
            except KeyboardInterrupt:
                stopped_by.append(signal.SIGINT)
                if proc.poll() is None:
                    proc.send_signal(escalation[0])
                    if len(escalation) > 1:
                        escalation.pop(0)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # A launcher killed by signal k reports -k; shells report 128 + k.
    if status < 0:
        return 128 - status
    if status == 0 and stopped_by:
        # An interrupted launcher may stop the ranks and still report success.
        return 128 + stopped_by[0]
    return status


def _script_command():
    """How this process was started, as arguments for `python -m mpi4py`."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and spec.name != "__main__":
        name = spec.name[:-len(".__main__")] if spec.name.endswith(".__main__") else spec.name
        return ["-m", name] + sys.argv[1:]
    if not sys.argv or sys.argv[0] in ("", "-c"):
        raise RuntimeError("mpi_fork needs to re-run a script or module; it cannot "
                           "re-run `python -c` code or an interactive session.")
    return list(sys.argv)


def msg(m: Any, string: str = "") -> None:
    """Print a message prefixed with this process's rank."""
    print(("Message from %d: %s \t " % (proc_id(), string)) + str(m))


def proc_id() -> int:
    """Get rank of calling process."""
    comm = _world()
    return 0 if comm is None else comm.Get_rank()


def num_procs() -> int:
    """Count active MPI processes."""
    comm = _world()
    return 1 if comm is None else comm.Get_size()


def allreduce(*args, **kwargs):
    """COMM_WORLD.Allreduce; in a single process, copies the send buffer."""
    comm = _world()
    if comm is not None:
        return comm.Allreduce(*args, **kwargs)
    sendbuf, recvbuf = args[0], args[1]
    np.copyto(np.asarray(recvbuf), np.asarray(sendbuf))


def broadcast(x: np.ndarray, root: int = 0) -> None:
    """Broadcast array x in place from rank ``root`` to every process."""
    comm = _world()
    if comm is not None:
        comm.Bcast(x, root=root)


def mpi_op(x: Any, op: Any) -> Any:
    """Reduce x (a scalar or array) over all processes with MPI operation op.

    Values travel as float32; a scalar in gives a scalar out.
    """
    x, scalar = ([x], True) if np.isscalar(x) else (x, False)
    x = np.asarray(x, dtype=np.float32)
    buff = np.zeros_like(x, dtype=np.float32)
    allreduce(x, buff, op=op)
    return buff[0] if scalar else buff


def _sum_op():
    comm = _world()
    if comm is None:
        return None
    from mpi4py import MPI
    return MPI.SUM


def mpi_sum(x: Any) -> Any:
    """Sum a scalar or array over MPI processes."""
    return mpi_op(x, _sum_op())


def mpi_avg(x: Any) -> Any:
    """Average a scalar or vector over MPI processes."""
    return mpi_sum(x) / num_procs()


def mpi_statistics_scalar(x: Any, with_min_and_max: bool = False):
    """Get mean/std and optional min/max of scalar x across MPI processes.

    Args:
        x: An array containing samples of the scalar to produce statistics
            for.

        with_min_and_max (bool): If true, return min and max of x in
            addition to mean and std.
    """
    x = np.array(x, dtype=np.float32)
    global_sum, global_n = mpi_sum([np.sum(x), len(x)])
    mean = global_sum / global_n

    global_sum_sq = mpi_sum(np.sum((x - mean) ** 2))
    std = np.sqrt(global_sum_sq / global_n)  # compute global std

    if with_min_and_max:
        comm = _world()
        if comm is None:
            global_min = np.float32(np.min(x) if len(x) > 0 else np.inf)
            global_max = np.float32(np.max(x) if len(x) > 0 else -np.inf)
        else:
            from mpi4py import MPI
            global_min = mpi_op(np.min(x) if len(x) > 0 else np.inf, op=MPI.MIN)
            global_max = mpi_op(np.max(x) if len(x) > 0 else -np.inf, op=MPI.MAX)
        return mean, std, global_min, global_max
    return mean, std
