"""When and where the trials of a grid run: on this machine, or on Ray.

This is the middle layer of the grid, between the plan (a list of
``trial.Trial``, all built before anything starts) and the execution of one
trial (``trial.execute``). There is one scheduling loop, ``schedule``: keep
at most ``parallel`` trials running, start the next as one ends, and with
``fail_fast`` stop everything at the first failure (running trials are
cancelled, the others are 'not run'). It drives an *executor* with three
methods:

- ``submit(trial)``: start a trial; returns a handle;
- ``wait_any(handles, timeout)``: the ``(handle, Outcome)`` pairs of the
  trials that ended (none if ``timeout`` passes first);
- ``cancel_all(handles)``: stop those trials; returns once they stopped.

Two executors implement it: ``LocalProcesses`` (a fresh process per trial on
this machine) and ``RayTasks`` (a Ray task per trial). Nothing here prints:
the loop tells an ``events`` object (the reporter) that a trial started or
ended, and the local executor hands it the lines a trial prints.
"""
import collections
import os
import threading
import traceback
from collections.abc import Callable, Sequence
from concurrent import futures
from typing import Any, Protocol

from spinup._errors import SpinupError
from spinup.utils._grid import trial as _trial
from spinup.utils._grid.trial import Outcome, Trial

NOT_RUN = "not run"
_POLL_SECONDS = 0.25


class ClusterError(RuntimeError, SpinupError):
    """The Ray cluster cannot be reached, or cannot run these trials."""


class Events(Protocol):
    """What the scheduler tells the reporter."""

    def started(self, trial: Trial) -> None: ...

    def output(self, trial: Trial, line: str) -> None: ...

    def ended(self, trial: Trial, outcome: Outcome) -> None: ...


class Executor(Protocol):
    """Where trials run; see the module's docstring."""

    def submit(self, trial: Trial) -> Any: ...

    def wait_any(self, handles: list[Any], timeout: float) -> list[tuple[Any, Outcome]]: ...

    def cancel_all(self, handles: list[Any]) -> None: ...


def not_run(trial: Trial, state: str = NOT_RUN) -> Outcome:
    """The outcome of a trial the grid did not run."""
    return Outcome(trial.name, trial.output_dir, state, attempt=trial.attempt)


def schedule(trials: Sequence[Trial], executor: Executor, *, parallel: int,
             fail_fast: bool, events: Events) -> list[Outcome]:
    """Run trials on executor, at most ``parallel`` at a time, in order.

    Returns one ``Outcome`` per trial, in the order of ``trials``. On any
    exception (Ctrl-C included) the running trials are stopped first.
    """
    outcomes: list[Outcome | None] = [None] * len(trials)
    pending = collections.deque(range(len(trials)))
    running: dict[Any, int] = {}  # handle -> index
    stopping = False
    try:
        while pending or running:
            while pending and len(running) < parallel and not stopping:
                i = pending.popleft()
                events.started(trials[i])
                running[executor.submit(trials[i])] = i
            if stopping:
                for i in pending:
                    outcomes[i] = not_run(trials[i])
                pending.clear()
            if not running:
                continue
            for handle, outcome in executor.wait_any(list(running), _POLL_SECONDS):
                i = running.pop(handle)
                outcomes[i] = outcome
                events.ended(trials[i], outcome)
                if fail_fast and not outcome.ok and not stopping:
                    stopping = True
                    executor.cancel_all(list(running))
    except BaseException:
        executor.cancel_all(list(running))
        raise
    return outcomes  # type: ignore[return-value]  (every slot is filled)


class LocalProcesses:
    """Executor: each trial in a fresh process on this machine.

    Args:
        parallel (int): How many trials may run at once.
        threads (int): Math-library threads per trial (see
            ``threads_per_variant``), or None to leave them alone.
        on_line (callable): If given, ``on_line(trial, line)`` gets every
            line a trial prints, instead of the trial writing to our stdout.
    """

    def __init__(self, parallel: int, *, threads: int | None = None,
                 on_line: Callable[[Trial, str], None] | None = None):
        self._pool = futures.ThreadPoolExecutor(max_workers=parallel,
                                                thread_name_prefix="spinup-grid")
        self._cancel = threading.Event()
        self._threads = threads
        self._on_line = on_line

    def __enter__(self) -> "LocalProcesses":
        return self

    def __exit__(self, *_exc_info: Any) -> None:
        self._pool.shutdown(wait=True)

    def _run(self, trial: Trial) -> Outcome:
        stream = None
        if self._on_line is not None:
            def stream(line: str, _on_line=self._on_line) -> None:
                _on_line(trial, line)
        try:
            return _trial.execute(trial.blob, exp_name=trial.name, output_dir=trial.output_dir,
                                  attempt=trial.attempt, stream=stream, cancel=self._cancel,
                                  threads=self._threads)
        except Exception:
            return Outcome(trial.name, trial.output_dir, "failed", attempt=trial.attempt,
                           error=traceback.format_exc().rstrip())

    def submit(self, trial: Trial) -> futures.Future:
        """Start trial in a thread of the pool; the thread waits for its process."""
        return self._pool.submit(self._run, trial)

    def wait_any(self, handles: list[Any], timeout: float) -> list[tuple[Any, Outcome]]:
        """The trials among handles that ended within timeout seconds."""
        done, _ = futures.wait(handles, timeout=timeout, return_when=futures.FIRST_COMPLETED)
        return [(f, f.result()) for f in done]

    def cancel_all(self, handles: list[Any]) -> None:
        """Stop every running trial (SIGTERM, then SIGKILL after a grace period)."""
        self._cancel.set()
        futures.wait(handles)


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


def run_local(trials: Sequence[Trial], *, parallel: int, fail_fast: bool, events: Events,
              num_cpu: Any = 1, capture: bool = False) -> list[Outcome]:
    """Run trials on this machine, ``parallel`` at a time. With ``capture``
    their output goes line by line to ``events.output``; with parallel > 1
    each trial gets its share of the cores as its thread count."""
    threads = threads_per_variant(parallel, num_cpu) if parallel > 1 else None
    with LocalProcesses(parallel, threads=threads,
                        on_line=events.output if capture else None) as executor:
        return schedule(trials, executor, parallel=parallel, fail_fast=fail_fast,
                        events=events)


class RayTasks:
    """Executor: each trial a Ray task (``num_cpus=num_cpu``, a fresh worker
    per task) that runs ``trial.execute`` on its node.

    Workers may start in another folder: relative paths in the trials keep
    meaning what they mean here, when this folder exists there.
    """

    def __init__(self, ray: Any, num_cpu: int):
        self._ray = ray
        self._remote = ray.remote(max_calls=1)(run_on_worker).options(num_cpus=num_cpu)
        self._trials: dict[Any, Trial] = {}
        self._cwd = os.getcwd()

    def submit(self, trial: Trial) -> Any:
        """Start trial as a Ray task; the handle is its ObjectRef."""
        ref = self._remote.remote(trial, self._cwd)
        self._trials[ref] = trial
        return ref

    def wait_any(self, handles: list[Any], timeout: float) -> list[tuple[Any, Outcome]]:
        """The tasks among handles that ended within timeout seconds."""
        done, _ = self._ray.wait(handles, num_returns=1, timeout=timeout)
        return [(ref, self._outcome(ref)) for ref in done]

    def _outcome(self, ref: Any) -> Outcome:
        ray, trial = self._ray, self._trials.pop(ref)
        try:
            return ray.get(ref)
        except ray.exceptions.TaskCancelledError:
            return not_run(trial, _trial._status.CANCELLED)
        except ray.exceptions.RayError as e:
            # The worker died (killed, out of memory, node lost...).
            outcome = not_run(trial, _trial._status.FAILED)
            outcome.error = "Ray task failed: %s" % str(e).splitlines()[0]
            return outcome

    def cancel_all(self, handles: list[Any]) -> None:
        """Cancel the tasks; force the ones still running after the grace period."""
        # A polite cancel raises KeyboardInterrupt in the task, which stops
        # the trial's process tree and records 'cancelled'.
        if not handles:
            return
        for ref in handles:
            self._ray.cancel(ref)
        _, left = self._ray.wait(handles, num_returns=len(handles),
                                 timeout=_trial.STOP_GRACE_SECONDS + 2)
        for ref in left:
            self._ray.cancel(ref, force=True)


def run_ray(trials: Sequence[Trial], *, parallel: Any, fail_fast: bool, events: Events,
            address: str | None, num_cpu: int) -> list[Outcome]:
    """Run every trial as a Ray task on the Ray cluster at ``address`` (or
    RAY_ADDRESS, or a local one). At most ``parallel`` tasks are in flight;
    'auto' fills the cluster.

    Raises:
        ClusterError: the cluster cannot be reached or is too small (before
            any trial started).
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
        return schedule(trials, RayTasks(ray, num_cpu), parallel=parallel,
                        fail_fast=fail_fast, events=events)
    finally:
        if owns:
            ray.shutdown()


def _max_node_cpus(ray: Any) -> int:
    try:
        return int(max(n.get("Resources", {}).get("CPU", 0) for n in ray.nodes() if n.get("Alive")))
    except ValueError:
        return 0


def run_on_worker(trial: Trial, cwd: str | None = None) -> Outcome:
    """The Ray task: execute one trial on the worker."""
    if cwd and os.path.isdir(cwd):
        os.chdir(cwd)
    return _trial.execute(trial.blob, exp_name=trial.name, output_dir=trial.output_dir,
                          attempt=trial.attempt)
