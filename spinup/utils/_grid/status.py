"""The status record of one run: a small ``status.json`` in its output dir.

It says what happened to the run and when::

    {"attempt": 1, "end": "2026-01-02T10:04:12+00:00", "exit_code": 0,
     "exp_name": "ppo_clr0-1", "host": "node3", "pid": 4242,
     "start": "2026-01-02T10:01:55+00:00", "state": "finished"}

``state`` is 'running' while the run's process lives, then 'finished'
(exit code 0), 'failed' (any other exit code; a negative one is the signal
that killed it) or 'cancelled' (stopped by the grid). A runner that was
killed outright leaves 'running' behind; ``is_alive`` tells such a stale
record from a run that really is still going.

``ExperimentGrid.run(..., resume=True)`` reads these records to skip the
runs that finished. The record is written atomically (temporary file, then
rename), so a reader never sees half of it.
"""
import datetime
import json
import os
import socket
from typing import Any

from spinup.utils import _atomic

STATUS_FNAME = "status.json"
FINISHED = "finished"
RUNNING = "running"
FAILED = "failed"
CANCELLED = "cancelled"


def now_iso() -> str:
    """The current local time, ISO 8601 with its UTC offset, to the second."""
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def make_record(exp_name: str, state: str, *, start: str, attempt: int, pid: int | None,
                exit_code: int | None = None, end: str | None = None,
                duration: float | None = None) -> dict[str, Any]:
    """Build a status record (a plain dict, ready for JSON)."""
    return dict(exp_name=exp_name, state=state, start=start, end=end,
                duration=None if duration is None else round(duration, 3),
                exit_code=exit_code, host=socket.gethostname(), pid=pid, attempt=attempt)


def write(output_dir: str, record: dict[str, Any]) -> None:
    """Atomically write record to ``output_dir/status.json`` (creating the dir)."""
    os.makedirs(output_dir, exist_ok=True)
    _atomic.write_text(os.path.join(output_dir, STATUS_FNAME),
                       json.dumps(record, indent=4, sort_keys=True) + "\n")


def read(output_dir: str | None) -> dict[str, Any] | None:
    """The record in output_dir, or None when there is none (or it is unreadable)."""
    if not output_dir:
        return None
    try:
        with open(os.path.join(output_dir, STATUS_FNAME), encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_alive(record: dict[str, Any] | None) -> bool:
    """Whether a 'running' record belongs to a process that still runs here.

    Only a process on this host can be checked; a record from another host
    counts as not alive (the grid that wrote it is asked to be stopped first,
    see the docs on resuming).
    """
    if not record or record.get("state") != RUNNING:
        return False
    if record.get("host") != socket.gethostname() or not isinstance(record.get("pid"), int):
        return False
    import psutil
    try:
        proc = psutil.Process(record["pid"])
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        # A recycled pid belongs to some unrelated program.
        return any("run_entrypoint" in part for part in proc.cmdline())
    except (psutil.Error, OSError):
        return False
