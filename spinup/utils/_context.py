"""The experiment context a training function is running in, if any.

``spinup.utils.experiment.wrap_experiment`` sets it while the wrapped
function runs; ``Logger`` reads it, so that a logger created without an
output_dir writes into the experiment's log dir and snapshots follow the
experiment's snapshot mode.
"""
import contextlib
from collections.abc import Iterator
from typing import Any

_current: Any | None = None


def current_context() -> Any | None:
    """The active ExperimentContext (snapshot_dir, snapshot_mode,
    snapshot_gap), or None outside a wrapped experiment."""
    return _current


@contextlib.contextmanager
def active_context(ctxt: Any) -> Iterator[Any]:
    """Make ctxt the current context for the duration of a with-block."""
    global _current
    previous, _current = _current, ctxt
    try:
        yield ctxt
    finally:
        _current = previous
