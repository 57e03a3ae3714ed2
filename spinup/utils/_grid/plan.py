"""Checks and plans for a grid run, made before anything launches.

``ExperimentGrid.run`` validates its arguments and its variants here, so
that every mistake shows up as a ``GridError`` before the first experiment
starts, and decides here what a resumed grid skips and what it reruns.
"""
import importlib.util
import inspect
import numbers
import os.path as osp
from typing import Any

from spinup._errors import SpinupError
from spinup.utils._grid import status as _status
from spinup.utils.logx import colorize
from spinup.utils.mpi_tools import physical_cores


class GridError(ValueError, AssertionError, SpinupError):
    """A bad argument to ExperimentGrid or call_experiment, found before
    anything was launched. (Also an AssertionError: the original raised
    assertion errors for these.)"""

    # Public as spinup.utils.run_utils.GridError: tracebacks and pickles
    # use that name.
    __module__ = "spinup.utils.run_utils"


def unflatten(var: dict[str, Any], path: str = "") -> dict[str, Any]:
    """Nest {'a:b': 1, 'a:c': 2} into {'a': {'b': 1, 'c': 2}}."""
    new_var: dict[str, Any] = {}
    nested = set()
    for k, v in var.items():
        head, sep, rest = k.partition(":")
        if head in new_var and (not sep or head not in nested):
            raise GridError("You can't assign multiple values to the same key. (%r is both a "
                            "key of its own and the prefix of other keys.)" % (path + head))
        if sep:
            new_var.setdefault(head, {})[rest] = v
            nested.add(head)
        else:
            new_var[k] = v
    for k in nested:
        new_var[k] = unflatten(new_var[k], path + k + ":")
    return new_var


def check_num_cpu(num_cpu: Any) -> int:
    """num_cpu as an int ('auto' = physical cores), or a GridError."""
    if num_cpu == "auto":
        return physical_cores()
    if isinstance(num_cpu, bool) or not isinstance(num_cpu, numbers.Integral) or num_cpu < 1:
        raise GridError("num_cpu must be a positive int or 'auto', not %r." % (num_cpu,))
    return int(num_cpu)


def check_parallel(parallel: Any, backend: Any, address: Any, num_cpu: int) -> Any:
    """Check the backend and its address; return parallel as an int (or
    'auto' for Ray, whose cluster size is known only once connected)."""
    if backend not in ("local", "ray"):
        raise GridError("backend must be 'local' or 'ray', not %r." % (backend,))
    if backend == "ray" and importlib.util.find_spec("ray") is None:
        raise GridError("backend='ray' needs Ray: pip install 'spinup[ray]' (or ray).")
    if address is not None and backend != "ray":
        raise GridError("address=%r is for backend='ray'; add backend='ray' or drop the "
                        "address." % (address,))
    if parallel == "auto":
        return max(1, physical_cores() // num_cpu) if backend == "local" else "auto"
    if isinstance(parallel, bool) or not isinstance(parallel, numbers.Integral) or parallel < 1:
        raise GridError("parallel must be a positive int or 'auto', not %r." % (parallel,))
    return int(parallel)


def check_jobs(jobs: list[Any]) -> None:
    """Two variants must not share an output dir, and none may be running."""
    seen: dict[str, str] = {}
    for job in jobs:
        where = job.planned_dir
        if where is None:
            continue
        if where in seen:
            raise GridError(
                "Variants %r and %r would both write to %s. Make their names differ: give "
                "the keys that tell them apart a shorthand, or in_name=True." % (
                    seen[where], job.name, where))
        seen[where] = job.name
        record = _status.read(where)
        if _status.is_alive(record):
            raise GridError("Variant %r is still running in %s (pid %d). Wait for it or stop "
                            "it before running the grid again." % (job.name, where,
                                                                   record["pid"]))


def accepts_resume(fn: Any) -> bool:
    """Whether fn can be called with resume=True (a named parameter, not
    just **kwargs, which might pass it on to something that chokes)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    p = params.get("resume")
    return p is not None and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)


def plan_resume(jobs: list[Any]) -> list[Any]:
    """Pick the finished variants (to skip); let the thunks of the others
    resume where the variant ran before. Returns the skipped jobs."""
    skipped, resumed = [], 0
    for job in jobs:
        record = _status.read(job.planned_dir)
        if record and record.get("state") == _status.FINISHED:
            skipped.append(job)
            continue
        ran_before = record is not None or (
            job.planned_dir is not None and osp.exists(osp.join(job.planned_dir, "progress.txt")))
        if ran_before and accepts_resume(job.thunk) and "resume" not in job.kwargs:
            job.kwargs["resume"] = True
            resumed += 1
    print(colorize("Resuming: %d of %d variants finished before and are skipped; %d will "
                   "run (%d of them continue where they stopped)."
                   % (len(skipped), len(jobs), len(jobs) - len(skipped), resumed),
                   "cyan", bold=True))
    return skipped


def warn_oversubscription(parallel: int, num_cpu: int) -> None:
    """Say so when the variants at once need more processes than cores."""
    cores = physical_cores()
    if parallel * num_cpu > cores:
        print(colorize("Warning: %d variant(s) at once with num_cpu=%d need %d cores, but this "
                       "machine has %d physical cores; they will compete for CPU time."
                       % (parallel, num_cpu, parallel * num_cpu, cores), "yellow", bold=True))
