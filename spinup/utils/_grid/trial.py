"""Execute one experiment (a "trial") in a fresh Python process.

This is the bottom layer of the grid: it knows nothing about grids or
schedulers. Given a serialised thunk (see ``thunk_file``), ``execute``

1. writes it to a private temporary file,
2. starts ``python run_entrypoint.py <file>`` and ties the child's life to
   this process (the child dies when we die, see ``run_entrypoint``),
3. keeps the run's status record (``status``) up to date,
4. waits, stops the child early if asked to (``cancel``), and cleans up.

The callable that actually runs in the child, ``ExperimentThunk``, lives
in ``thunk_file``: the child imports that module anyway, and nothing more.
"""
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spinup.utils._grid import status as _status
from spinup.utils._grid import thunk_file as _thunk_file
from spinup.utils._grid.thunk_file import ExperimentThunk, make_env  # noqa: F401 (their old home)

ENTRYPOINT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "run_entrypoint.py")

# Environment variable telling run_entrypoint which process it must not
# outlive.
PARENT_PID_VAR = "SPINUP_PARENT_PID"

# How long a cancelled child gets to stop on SIGTERM before it, and all its
# descendants, are killed.
STOP_GRACE_SECONDS = 5.0


@dataclass
class Trial:
    """One run of a grid (or of ``call_experiment``), ready to launch.

    Everything about a run is decided before the first one starts: its
    name, its output dir, the pickled function, and what the console shows
    about it. The schedulers only decide when and where it runs.

    Attributes:
        name (string): The experiment's name (the seeds of one variant share it).
        label (string): The run's own name: its output folder's name
            (``ppo_lr0-1_s0``), unique in the grid. It prefixes the run's
            lines when several runs share the console.
        blob (bytes): The ``ExperimentThunk``, from ``thunk_file.dumps``.
        output_dir (string): Where the run writes (None if unknown).
        attempt (int): 1 for a first run, 2 for the first rerun, ...
        config (string): The run's kwargs as JSON, for the launch banner.
        params (dict): The seed and the value of every varied grid key,
            for the summary.
        epochs (int): How many epochs the run will log, when known (the
            progress bar counts them).
        note (string): A line to show under the launch banner, or None.
    """

    name: str
    label: str
    blob: bytes = field(repr=False)
    output_dir: str | None
    attempt: int = 1
    config: str = "{}"
    params: dict[str, Any] = field(default_factory=dict)
    epochs: int | None = None
    note: str | None = None


@dataclass
class Outcome:
    """What became of one trial.

    Attributes:
        exp_name (string): The experiment's name.
        output_dir (string): Its output directory (None if unknown).
        state (string): 'finished', 'failed', 'cancelled', or, for a variant
            the grid did not run, 'skipped' (finished before, on resume) or
            'not run' (stopped early by fail_fast).
        exit_code (int): The process's exit status (negative: killed by
            that signal); None if it never ran.
        start (float): Start time (``time.time()``), None if it never ran.
        end (float): End time, None if it never ran.
        attempt (int): 1 for a first run, 2 for the first rerun, ...
        error (string): Why the trial could not be run at all (a traceback
            of the launcher, a lost Ray worker), or None.
    """

    exp_name: str
    output_dir: str | None
    state: str
    exit_code: int | None = None
    start: float | None = None
    end: float | None = None
    attempt: int = 1
    error: str | None = None

    @property
    def duration(self) -> float | None:
        """Seconds from start to end, or None."""
        if self.start is None or self.end is None:
            return None
        return self.end - self.start

    @property
    def ok(self) -> bool:
        """Whether the trial counts as a success ('finished' or 'skipped')."""
        return self.state in (_status.FINISHED, "skipped")


def execute(blob: bytes, *, exp_name: str, output_dir: str | None, attempt: int = 1,
            stream: Callable[[str], None] | None = None,
            cancel: threading.Event | None = None,
            threads: int | None = None) -> Outcome:
    """Run a serialised thunk in a fresh process and wait for it.

    Args:
        blob (bytes): The thunk, from ``thunk_file.dumps``.

        exp_name (string): Name of the experiment (for the status record).

        output_dir (string): Where its status record goes; None for none.

        attempt (int): Which attempt at this run this is.

        stream (callable): If given, the child's stdout and stderr are read
            line by line and passed to ``stream`` (without the newline)
            instead of going straight to our own stdout, and the child gets
            its own session, so that a Ctrl-C at the terminal reaches only
            us and we stop it cleanly.

        cancel (threading.Event): Set it to stop the child early.

        threads (int): If given, the child's OMP_NUM_THREADS and
            MKL_NUM_THREADS (unless the user set them already).

    Returns:
        An ``Outcome``.
    """
    path = _thunk_file.write(blob)
    sys.stdout.flush()
    sys.stderr.flush()
    record = _Recorder(exp_name, output_dir, attempt)
    proc = reader = None
    try:
        proc = _spawn(path, stream, threads)
        record.pid = proc.pid
        if stream is not None:
            reader = threading.Thread(target=_pump, args=(proc.stdout, stream), daemon=True)
            reader.start()
        cancelled = _wait(proc, output_dir, cancel, on_dir=lambda: record(_status.RUNNING))
    except BaseException:
        # Ctrl-C (or any error here): the child must not outlive the grid.
        if proc is not None:
            stop(proc)
            record(_status.CANCELLED, proc.returncode, ended=True)
        raise
    finally:
        if reader is not None:
            reader.join(timeout=5)
        _thunk_file.remove(path)
    code = proc.returncode
    # Killed by SIGINT: a Ctrl-C at the terminal reached it (and the grid).
    interrupted = code == -signal.SIGINT
    state = (_status.CANCELLED if cancelled or interrupted else
             _status.FINISHED if code == 0 else _status.FAILED)
    record(state, code, ended=True)
    return Outcome(exp_name, output_dir, state, code, record.start, record.end, attempt)


def _spawn(path: str, stream: Callable[[str], None] | None,
           threads: int | None) -> subprocess.Popen:
    """Start ``python run_entrypoint.py path``, tied to this process."""
    env = dict(os.environ)
    env[PARENT_PID_VAR] = str(os.getpid())
    if stream is not None:
        env["PYTHONUNBUFFERED"] = "1"  # lines should arrive when printed
    if threads is not None:
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, str(threads))
    return subprocess.Popen(
        [sys.executable, ENTRYPOINT, path], env=env,
        # Off the terminal's foreground group, a read from it would stop
        # the process: give it no terminal input at all.
        stdin=subprocess.DEVNULL if stream else None,
        stdout=subprocess.PIPE if stream else None,
        stderr=subprocess.STDOUT if stream else None,
        start_new_session=stream is not None)


class _Recorder:
    """Writes the status record of one run (see ``status``)."""

    def __init__(self, exp_name: str, output_dir: str | None, attempt: int):
        self.exp_name, self.output_dir, self.attempt = exp_name, output_dir, attempt
        self.start_iso, self.start = _status.now_iso(), time.time()
        self.end: float | None = None
        self.pid: int | None = None

    def __call__(self, state: str, code: int | None = None, ended: bool = False) -> None:
        if ended:
            self.end = time.time()
        if not self.output_dir:
            return
        try:
            _status.write(self.output_dir, _status.make_record(
                self.exp_name, state, start=self.start_iso, attempt=self.attempt,
                pid=self.pid, exit_code=code, end=_status.now_iso() if ended else None,
                duration=self.end - self.start if ended else None))
        except OSError as e:
            # The record is bookkeeping: losing it must not stop the run.
            print("Warning: could not write the status record of %s in %s (%s)."
                  % (self.exp_name, self.output_dir, e), file=sys.stderr)


def _wait(proc: subprocess.Popen, output_dir: str | None,
          cancel: threading.Event | None, on_dir: Callable[[], None]) -> bool:
    """Wait for proc; write the 'running' record once its output dir exists
    (writing it earlier would create the dir, and the Logger would then warn
    that it already exists); stop proc if cancel is set. Returns whether it
    was cancelled."""
    announced = not output_dir
    while True:
        try:
            proc.wait(timeout=0.1)
            return False
        except subprocess.TimeoutExpired:
            pass
        if not announced and os.path.isdir(output_dir):
            on_dir()
            announced = True
        if cancel is not None and cancel.is_set():
            stop(proc)
            return True


def _pump(pipe, stream: Callable[[str], None]) -> None:
    with pipe:
        for raw in iter(pipe.readline, b""):
            stream(raw.decode("utf-8", errors="replace").rstrip("\r\n"))


def stop(proc: subprocess.Popen, grace: float = STOP_GRACE_SECONDS) -> None:
    """Stop a child started by ``execute`` and everything it started.

    SIGTERM first: run_entrypoint then kills its own descendants (an MPI
    job, for instance) and exits. Whatever is left after ``grace`` seconds
    is killed.
    """
    import psutil
    if proc.poll() is not None:
        return
    try:
        family = [psutil.Process(proc.pid)]
        family += family[0].children(recursive=True)
    except psutil.Error:
        family = []
    try:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    for p in family:
        try:
            p.kill()
        except psutil.Error:
            pass
    proc.wait()
