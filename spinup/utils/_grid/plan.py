"""Checks and plans for a grid run, made before anything launches.

``ExperimentGrid.run`` validates its arguments and its variants here, so
that every mistake shows up as a ``GridError`` before the first experiment
starts, and decides here what a resumed grid skips and what it reruns.
"""
import importlib.util
import inspect
import json
import numbers
import os.path as osp
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spinup._errors import SpinupError
from spinup.utils._grid import status as _status
from spinup.utils._grid import thunk_file as _thunk_file
from spinup.utils._grid.trial import Trial
from spinup.utils.mpi_tools import physical_cores
from spinup.utils.serialization_utils import convert_json


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


def check_variants(variants: Sequence["Variant"]) -> None:
    """Two variants must not share an output dir, and none may be running."""
    seen: dict[str, str] = {}
    for v in variants:
        where = v.output_dir
        if where is None:
            continue
        if where in seen:
            raise GridError(
                "Variants %r and %r would both write to %s. Make their names differ: give "
                "the keys that tell them apart a shorthand, or in_name=True." % (
                    seen[where], v.name, where))
        seen[where] = v.name
        record = _status.read(where)
        if _status.is_alive(record):
            raise GridError("Variant %r is still running in %s (pid %d). Wait for it or stop "
                            "it before running the grid again." % (v.name, where,
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


def plan_resume(variants: Sequence["Variant"]) -> tuple[list["Variant"], str]:
    """Pick the finished variants (to skip); let the thunks of the others
    resume where the variant ran before. Returns the skipped variants and
    a line that says what will happen."""
    skipped, resumed = [], 0
    for v in variants:
        record = _status.read(v.output_dir)
        if record and record.get("state") == _status.FINISHED:
            skipped.append(v)
            continue
        ran_before = record is not None or (
            v.output_dir is not None and osp.exists(osp.join(v.output_dir, "progress.txt")))
        if ran_before and accepts_resume(v.thunk) and "resume" not in v.kwargs:
            v.kwargs["resume"] = True
            resumed += 1
    return skipped, ("Resuming: %d of %d variants finished before and are skipped; %d will "
                     "run (%d of them continue where they stopped)."
                     % (len(skipped), len(variants), len(variants) - len(skipped), resumed))


def oversubscription(parallel: int, num_cpu: int) -> str | None:
    """A warning when the variants at once need more processes than cores."""
    cores = physical_cores()
    if parallel * num_cpu > cores:
        return ("Warning: %d variant(s) at once with num_cpu=%d need %d cores, but this "
                "machine has %d physical cores; they will compete for CPU time."
                % (parallel, num_cpu, parallel * num_cpu, cores))
    return None


_LOGGER_KWARGS_NOTE = "Note: Call experiment is not handling logger_kwargs."


@dataclass
class Variant:
    """One run of a grid (or of call_experiment) before it is pickled.

    Attributes:
        name (string): The experiment's name.
        thunk (callable): The training function.
        kwargs (dict): Its arguments, seed and logger_kwargs included.
        num_cpu (int): MPI processes for the run.
        output_dir (string): Where it writes (None if logger_kwargs given
            without one).
        params (dict): Its seed and varied grid values (for the summary).
        logger_kwargs_given (bool): The caller gave logger_kwargs (the
            original then says so under the launch banner).
    """

    name: str
    thunk: Callable[..., Any]
    kwargs: dict[str, Any]
    num_cpu: int
    output_dir: str | None
    params: dict[str, Any] = field(default_factory=dict)
    logger_kwargs_given: bool = False

    def kwargs_shown(self) -> dict[str, Any]:
        """The kwargs as the launch banner shows them: the ones the caller
        gave (logger_kwargs only when the caller gave it)."""
        return {k: v for k, v in self.kwargs.items()
                if k != "logger_kwargs" or self.logger_kwargs_given}


def epochs_of(thunk: Any, kwargs: dict[str, Any]) -> int | None:
    """How many epochs a run will log: its ``epochs`` argument, else the
    default of the function's ``epochs`` parameter; None when unknown."""
    epochs = kwargs.get("epochs", inspect.Parameter.empty)
    if epochs is inspect.Parameter.empty:
        try:
            epochs = inspect.signature(thunk).parameters["epochs"].default
        except (KeyError, TypeError, ValueError):
            return None
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        return None
    return int(epochs)


def _pickle(variant: Variant) -> bytes:
    """The variant's ExperimentThunk as thunk-file bytes; a GridError that
    names what cannot travel to the fresh process."""
    try:
        return _thunk_file.dumps(_thunk_file.ExperimentThunk(variant.thunk, variant.kwargs,
                                                             variant.num_cpu))
    except Exception as e:
        import cloudpickle
        culprit = "the function %r" % (variant.thunk,)
        for key, value in [("thunk", variant.thunk)] + sorted(variant.kwargs.items()):
            try:
                cloudpickle.dumps(value)
            except Exception:
                culprit = "the function" if key == "thunk" else "argument %r" % key
                break
        raise GridError("Experiment %r cannot be sent to its fresh process: %s does not "
                        "pickle (%s: %s). Pass something picklable instead (a name, a "
                        "number, or a function that builds the object)."
                        % (variant.name, culprit, type(e).__name__, e)) from None


def make_trials(variants: Sequence[Variant], skipped: Sequence[Variant] = ()) -> list[Trial]:
    """One Trial per variant, pickled (except the skipped ones, which will
    not run), each labelled with its own output folder's name."""
    trials, labels = [], set()
    skip = {id(v) for v in skipped}
    for v in variants:
        label = osp.basename(osp.normpath(v.output_dir)) if v.output_dir else v.name or "run"
        base, n = label, 2
        while label in labels:  # only with logger_kwargs given by hand
            label, n = "%s#%d" % (base, n), n + 1
        labels.add(label)
        previous = _status.read(v.output_dir)
        trials.append(Trial(
            name=v.name, label=label, blob=b"" if id(v) in skip else _pickle(v),
            output_dir=v.output_dir,
            attempt=int(previous.get("attempt", 0)) + 1 if previous else 1,
            config=json.dumps(convert_json(v.kwargs_shown()), separators=(",", ":\t"),
                              indent=4, sort_keys=True),
            params=v.params, epochs=epochs_of(v.thunk, v.kwargs),
            note=_LOGGER_KWARGS_NOTE if v.logger_kwargs_given else None))
    return trials
