"""How MPI jobs start and stop: the machinery behind mpi_tools.mpi_fork.

mpi_fork re-runs the user's script under ``mpiexec ... python -m mpi4py``
and waits for it; every rank of a job of two or more processes gets an
exception hook that aborts the whole job, so that no rank is left waiting
for a partner that died.
"""
import importlib.util
import numbers
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from spinup._errors import SpinupError


class MPILauncherNotFoundError(RuntimeError, SpinupError):
    """Raised by mpi_fork when no ``mpiexec`` launcher (or no mpi4py) can be found."""

    # Shown and pickled under the public module it is imported from.
    __module__ = "spinup.utils.mpi_tools"


def launched_size() -> int:
    """The job size the launcher announced in the environment (1 if none)."""
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE"):
        try:
            return int(os.environ[var])
        except (KeyError, ValueError):
            pass
    return 1


def install_abort_on_exception(get_comm: Callable[[], Any]) -> None:
    """Make an uncaught exception on this rank abort the whole MPI job.

    Without this, the rank that raised exits while the others wait forever
    in their next collective call for a partner that is gone.

    Args:
        get_comm: Returns COMM_WORLD (importing mpi4py if need be), or None.
    """
    if getattr(sys.excepthook, "_spinup_aborts_mpi_job", False):
        return
    previous_hook = sys.excepthook

    def abort_job(exc_type, exc, tb):
        # Show the traceback first: Abort kills this process immediately.
        comm = None
        try:
            comm = get_comm()
            rank = comm.Get_rank() if comm is not None else os.environ.get("PMI_RANK", "?")
            sys.stderr.write("Uncaught exception on MPI rank %s; aborting the job.\n" % rank)
            previous_hook(exc_type, exc, tb)
            sys.stderr.flush()
            sys.stdout.flush()
            wait_until_output_is_read()
        finally:
            if comm is not None:
                # 130 is what a shell reports for Ctrl-C, as mpi4py's runner does.
                comm.Abort(130 if issubclass(exc_type, KeyboardInterrupt) else 1)

    abort_job._spinup_aborts_mpi_job = True
    sys.excepthook = abort_job


def wait_until_output_is_read(timeout: float = 3.0) -> None:
    """Give the launcher time to pass on what this rank printed.

    The launcher reads each rank's stdout and stderr through pipes. Abort
    makes it tear the job down at once, and whatever is still in a pipe
    (such as the traceback just printed) would be lost. So wait, a little,
    until the pipes are empty.
    """
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


def find_launcher() -> str:
    """Path of the MPI launcher: the one beside this interpreter, else on PATH."""
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


def num_procs_from(n: Any, physical_cores: Callable[[], int]) -> int:
    """Check mpi_fork's n; 'auto' means ``physical_cores()``."""
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


def launch_command(n: int, bind_to_core: bool) -> list[str]:
    """The command that re-runs this script (or module) on n ranks.

    Raises MPILauncherNotFoundError, saying how to install what is missing,
    when there is no launcher or no mpi4py.
    """
    launcher = find_launcher()
    if importlib.util.find_spec("mpi4py") is None:
        raise MPILauncherNotFoundError(
            "mpi4py is not installed for %s, so the MPI processes could not talk to "
            "each other. Install it with `pip install mpi4py` (or `pip install "
            "'spinup[mpi]'`), or run with num_cpu=1." % sys.executable)
    args = [launcher, "-n", str(n)]
    if bind_to_core:
        args += ["-bind-to", "core"]
    return args + [sys.executable, "-m", "mpi4py"] + script_command()


def run_until_done(args: list[str], env: dict[str, str]) -> int:
    """Run the launcher; hand it SIGTERM/SIGHUP; return its exit status.

    The parent must not vanish and leave the job running on its own: a
    grid runner or a batch system that stops an experiment stops the
    parent, and the launcher passes the signal on to every rank. Ctrl-C in
    a terminal reaches the launcher too (same process group); the parent
    passes it on as well, in case it came from elsewhere, and insists with
    SIGTERM, then SIGKILL, if Ctrl-C is pressed again.
    """
    proc = None
    previous = {}
    stopped_by = []  # signals the parent received

    def forward(signum, _frame):
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


def script_command() -> list[str]:
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
