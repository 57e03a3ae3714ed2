"""Schedulers for the variants of a grid: on this machine, or on Ray.

This is the middle layer of the grid, between the grid definition
(``ExperimentGrid``) and the execution of one variant (``trial``). A
scheduler gets a list of jobs and decides when and where each one runs.
A job is any object with

- ``name``: the variant's name;
- ``planned_dir``: its output dir as far as it is known before launch;
- ``prepare(out)``: print the variant's launch banner with ``out`` and
  return a ``Prepared`` (the serialised thunk, output dir and attempt);
- ``finish(outcome, out)``: print the end-of-experiment (or error) banner.

Both schedulers return one ``trial.Outcome`` per job, in job order. With
``fail_fast`` the first failure stops everything: running variants are
cancelled and the rest are not started ('not run').
"""
import collections
import os
import threading
import traceback
from collections.abc import Sequence
from concurrent import futures
from typing import Any, NamedTuple

from spinup._errors import SpinupError
from spinup.utils._grid import trial as _trial
from spinup.utils._grid.reporter import GridProgress

NOT_RUN = "not run"
_POLL_SECONDS = 0.25


class Prepared(NamedTuple):
    """A variant ready to launch."""
    blob: bytes
    exp_name: str
    output_dir: str | None
    attempt: int


class ClusterError(RuntimeError, SpinupError):
    """The Ray cluster cannot be reached, or cannot run these variants."""


def _not_run(job) -> _trial.Outcome:
    return _trial.Outcome(job.name, job.planned_dir, NOT_RUN)


def run_local(jobs: Sequence[Any], *, parallel: int, fail_fast: bool,
              progress: GridProgress, num_cpu: Any = 1) -> list[_trial.Outcome]:
    """Run jobs on this machine, ``parallel`` at a time, each in its own
    fresh process. With parallel > 1 the variants' output is read line by
    line and printed with their names in front, and each variant gets its
    share of the cores as its thread count (see ``threads_per_variant``)."""
    outcomes: list[_trial.Outcome | None] = [None] * len(jobs)
    cancel = threading.Event()
    capture = parallel > 1
    threads = threads_per_variant(parallel, num_cpu) if parallel > 1 else None

    def run_one(job) -> _trial.Outcome:
        out = progress.printer(job.name)
        progress.started(job.name)
        try:
            prep = job.prepare(out)
            outcome = _trial.execute(prep.blob, exp_name=prep.exp_name,
                                     output_dir=prep.output_dir, attempt=prep.attempt,
                                     stream=out if capture else None, cancel=cancel,
                                     threads=threads)
        except Exception:
            out(traceback.format_exc().rstrip())
            outcome = _trial.Outcome(job.name, job.planned_dir, "failed")
        job.finish(outcome, out)
        progress.ended(outcome.ok)
        return outcome

    pending = collections.deque(range(len(jobs)))
    running = {}
    stopping = False
    pool = futures.ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="spinup-grid")
    try:
        while pending or running:
            while pending and len(running) < parallel and not stopping:
                i = pending.popleft()
                running[pool.submit(run_one, jobs[i])] = i
            if stopping:
                for i in pending:
                    outcomes[i] = _not_run(jobs[i])
                pending.clear()
            done, _ = futures.wait(running, timeout=_POLL_SECONDS,
                                   return_when=futures.FIRST_COMPLETED)
            for fut in done:
                i = running.pop(fut)
                outcomes[i] = fut.result()
                if fail_fast and not outcomes[i].ok and not stopping:
                    stopping = True
                    cancel.set()
    except BaseException:
        # Ctrl-C: stop the running variants before anything else happens.
        cancel.set()
        futures.wait(running)
        raise
    finally:
        pool.shutdown(wait=True)
    return outcomes


def threads_per_variant(parallel: int, num_cpu: Any) -> int:
    """How many math-library threads each of ``parallel`` variants of
    ``num_cpu`` ranks should use: the physical cores shared out, at least 1.

    PyTorch, MKL and OpenMP each start one thread per core by default; with
    several variants at once those threads fight over the same cores and a
    grid runs several times slower than it should.
    """
    from spinup.utils.mpi_tools import physical_cores
    ranks = physical_cores() if num_cpu == "auto" else max(int(num_cpu), 1)
    return max(physical_cores() // (parallel * ranks), 1)


def run_ray(jobs: Sequence[Any], *, parallel: Any, fail_fast: bool, progress: GridProgress,
            address: str | None, num_cpu: int) -> list[_trial.Outcome]:
    """Run every job as a Ray task (``num_cpus=num_cpu``, a fresh worker per
    task) on the Ray cluster at ``address`` (or RAY_ADDRESS, or a local one).

    At most ``parallel`` tasks are in flight; 'auto' fills the cluster.
    """
    import ray

    owns = not ray.is_initialized()
    if owns:
        import logging
        try:
            ray.init(address=address, logging_level=logging.WARNING)
        except Exception as e:
            raise ClusterError("Could not connect to the Ray cluster at %s: %s" % (
                address or os.environ.get("RAY_ADDRESS") or "(local)", e)) from e
    try:
        cpus = _max_node_cpus(ray)
        if cpus and num_cpu > cpus:
            raise ClusterError("num_cpu=%d but the largest node of the Ray cluster has %d "
                               "CPUs; no variant could ever be scheduled." % (num_cpu, cpus))
        if parallel == "auto":
            total = int(ray.cluster_resources().get("CPU", 1))
            parallel = max(1, total // num_cpu)
        return _ray_loop(ray, jobs, parallel, fail_fast, progress, num_cpu)
    finally:
        if owns:
            ray.shutdown()


def _max_node_cpus(ray) -> int:
    try:
        return int(max(n.get("Resources", {}).get("CPU", 0) for n in ray.nodes() if n.get("Alive")))
    except ValueError:
        return 0


def _ray_loop(ray, jobs, parallel, fail_fast, progress, num_cpu):
    remote = ray.remote(max_calls=1)(run_variant).options(num_cpus=num_cpu)
    outcomes: list[_trial.Outcome | None] = [None] * len(jobs)
    pending = collections.deque(range(len(jobs)))
    running = {}  # ObjectRef -> job index
    stopping = False
    # Workers may start in another folder: relative paths in the variants
    # keep meaning what they meant here, when this folder exists there.
    cwd = os.getcwd()
    try:
        while pending or running:
            while pending and len(running) < parallel and not stopping:
                i = pending.popleft()
                out = progress.printer(jobs[i].name)
                prep = jobs[i].prepare(out)
                running[remote.remote(prep.blob, prep.exp_name, prep.output_dir,
                                      prep.attempt, cwd)] = i
                progress.started(jobs[i].name)
            if stopping:
                for i in pending:
                    outcomes[i] = _not_run(jobs[i])
                pending.clear()
            if not running:
                continue
            done, _ = ray.wait(list(running), num_returns=1, timeout=_POLL_SECONDS)
            for ref in done:
                i = running.pop(ref)
                outcomes[i] = _ray_outcome(ray, ref, jobs[i])
                jobs[i].finish(outcomes[i], progress.printer(jobs[i].name))
                progress.ended(outcomes[i].ok)
                if fail_fast and not outcomes[i].ok and not stopping:
                    stopping = True
                    _cancel_all(ray, running)
    except BaseException:
        _cancel_all(ray, running)
        raise
    return outcomes


def _ray_outcome(ray, ref, job) -> _trial.Outcome:
    try:
        return ray.get(ref)
    except ray.exceptions.TaskCancelledError:
        return _trial.Outcome(job.name, job.planned_dir, "cancelled")
    except ray.exceptions.RayError as e:
        # The worker died (killed, out of memory, node lost...).
        print("Variant %s: Ray task failed: %s" % (job.name, str(e).splitlines()[0]))
        return _trial.Outcome(job.name, job.planned_dir, "failed")


def _cancel_all(ray, running) -> None:
    # A polite cancel raises KeyboardInterrupt in the task, which stops the
    # variant's process tree and records 'cancelled'; force the stragglers.
    refs = list(running)
    if not refs:
        return
    for ref in refs:
        ray.cancel(ref)
    _, left = ray.wait(refs, num_returns=len(refs), timeout=_trial.STOP_GRACE_SECONDS + 2)
    for ref in left:
        ray.cancel(ref, force=True)


def run_variant(blob: bytes, exp_name: str, output_dir: str | None, attempt: int,
                cwd: str | None = None) -> _trial.Outcome:
    """The Ray task: execute one prepared variant on the worker."""
    if cwd and os.path.isdir(cwd):
        os.chdir(cwd)
    return _trial.execute(blob, exp_name=exp_name, output_dir=output_dir, attempt=attempt)
