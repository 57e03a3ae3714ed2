"""Small helpers for running one experiment as several MPI processes.

Every function here also works in a plain ``python`` process, with no MPI
launcher at all: it then behaves as rank 0 of a world of size 1. mpi4py is
only imported when the process was started by an MPI launcher (or when it is
already imported), so scripts that never use MPI do not pay for it.

When a process is part of a real MPI job of two or more ranks, an uncaught
exception on any rank prints its traceback and aborts the whole job, so the
other ranks never sit forever in a collective waiting for a dead partner.
"""

__all__ = ["mpi_fork", "msg", "proc_id", "num_procs", "allreduce", "broadcast", "mpi_op", "mpi_sum",
           "mpi_avg", "mpi_statistics_scalar", "physical_cores", "MPILauncherNotFoundError"]

import os
import sys
from typing import Any

import numpy as np

from spinup.utils import _mpi_launch as _launch
from spinup.utils._mpi_launch import MPILauncherNotFoundError  # noqa: F401  (public name)

# Environment variables set by the common launchers (MPICH/Hydra, Open MPI,
# PMIx/Slurm) and by mpi_fork itself.
_LAUNCHER_ENV_VARS = ("IN_MPI", "PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE",
                      "PMIX_RANK", "MPI_LOCALNRANKS", "HYDI_CONTROL_FD")

_comm = None  # COMM_WORLD once MPI is in use; stays None in a plain process.
_checked = False


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
        _launch.install_abort_on_exception(_world)
    return _comm


# A rank can fail before it ever touches MPI (say, in its imports), while the
# others already wait in a collective: watch for that from the start, without
# importing mpi4py until it is needed.
if _launch.launched_size() > 1:
    _launch.install_abort_on_exception(_world)


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
    n = _launch.num_procs_from(n, physical_cores)
    if n <= 1:
        return
    if os.getenv("IN_MPI") is not None or _launch.launched_size() > 1:
        return
    args = _launch.launch_command(n, bind_to_core)
    env = os.environ.copy()
    env.update(MKL_NUM_THREADS="1", OMP_NUM_THREADS="1", IN_MPI="1")
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(_launch.run_until_done(args, env))


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
