"""Output formats of the logger: small writers behind one Logger.

Each writer receives every finished row of diagnostics as two lists, the
headers and the values, in ``write(headers, values)`` (the interface is
:class:`~spinup.utils._writers.base.Writer`). The Logger decides what a row
is; a writer only decides how it looks in its medium. Always on:

- ``TableWriter`` (``table``): the boxed table printed to stdout.
- ``ProgressWriter`` (``progress``): the tab-separated progress.txt.

Chosen with ``Logger(outputs=...)`` or ``SPINUP_LOG_OUTPUTS``:

- ``'csv'``: ``CsvWriter``, progress.csv.
- ``'jsonl'``: ``JsonlWriter``, progress.jsonl.
- ``'tensorboard'``: ``TensorBoardWriter``, event files in ``tb/``.
- ``'mlflow'``: ``MlflowWriter``, an MLflow run.
- ``'wandb'``: ``WandbWriter``, a W&B run.

Each lives in its own module, and the packages behind the last three are
imported only when that output is used.
"""
import importlib.util
import os
import re
from collections.abc import Callable, Iterable

from spinup._errors import LoggerError, LoggerTypeError
from spinup.utils._writers.base import (
    Guarded,
    RowFileWriter,
    RunInfo,
    Writer,
    module_missing,
    next_free_name,
    warn_output_failed,
)
from spinup.utils._writers.csv_file import CsvWriter
from spinup.utils._writers.jsonl_file import JsonlWriter
from spinup.utils._writers.progress import ProgressWriter, escape_field, read_rows
from spinup.utils._writers.table import TableWriter
from spinup.utils._writers.tensorboard_events import TensorBoardWriter


def _mlflow(run: RunInfo) -> Writer:
    from spinup.utils._writers.mlflow_run import MlflowWriter
    return MlflowWriter.for_run(run)


def _wandb(run: RunInfo) -> Writer:
    from spinup.utils._writers.wandb_run import WandbWriter
    return WandbWriter.for_run(run)


# The optional outputs, by the name a user gives, in the order they are documented.
OUTPUTS: dict[str, Callable[[RunInfo], Writer]] = {
    "csv": CsvWriter.for_run,
    "jsonl": JsonlWriter.for_run,
    "tensorboard": TensorBoardWriter.for_run,
    "mlflow": _mlflow,
    "wandb": _wandb,
}

ENV_VAR = "SPINUP_LOG_OUTPUTS"

# What the optional outputs import: output -> (module, package to install, spinup extra).
_NEEDS = {
    "tensorboard": [("tensorboardX", "tensorboardX", "tensorboard")],
    "mlflow": [("mlflow", "mlflow-skinny", "mlflow")],
    "wandb": [("wandb", "wandb", "wandb")],
}


def parse_outputs(outputs: str | Iterable[str] | None = None,
                  tensorboard: bool = False) -> tuple[str, ...]:
    """Check and normalise the ``outputs`` a Logger was given.

    Args:
        outputs: Names of outputs (``('csv', 'mlflow')``), or one string of
            names separated by commas or spaces (``'csv,mlflow'``). None
            means: what the ``SPINUP_LOG_OUTPUTS`` environment variable says
            (nothing when it is unset), so that every logger of a process
            tree writes the same outputs.

        tensorboard (bool): The Logger's older ``tensorboard=True`` switch;
            adds ``'tensorboard'``.

    Returns:
        The names, each once, in the order given.

    Raises:
        LoggerError: For a name that is not an output (the message lists the
            valid ones).
        ImportError: For an output whose package is not installed (the
            message names the extra to install).
    """
    source = "outputs"
    if outputs is None:
        outputs, source = os.environ.get(ENV_VAR, ""), ENV_VAR
    if isinstance(outputs, str):
        names = [n for n in re.split(r"[\s,]+", outputs) if n]
    else:
        try:
            names = list(outputs)
        except TypeError:
            raise LoggerTypeError("outputs must be a list of output names such as ('csv', "
                                  "'jsonl'), not %r." % (outputs,)) from None
    chosen = []
    for name in names + (["tensorboard"] if tensorboard else []):
        if not isinstance(name, str):
            raise LoggerTypeError("outputs must hold output names (strings) such as 'csv'; "
                                  "got %r." % (name,))
        key = name.strip().lower()
        if key not in OUTPUTS:
            raise LoggerError("Unknown logger output %r (from %s). Use any of: %s "
                              "(progress.txt and the printed table are always written)."
                              % (name, source, ", ".join(OUTPUTS)))
        if key not in chosen:
            chosen.append(key)
    for key in chosen:
        _check_installed(key)
    return tuple(chosen)


def _check_installed(output: str) -> None:
    """Raise the ImportError for a missing package now, before the Logger
    touches any file (looking a module up does not import it)."""
    needs = list(_NEEDS.get(output, []))
    uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    if output == "mlflow" and (not uri or uri.startswith("sqlite:")):
        needs.append(("sqlalchemy", "sqlalchemy", "mlflow"))  # for the SQLite store
    for module, package, extra in needs:
        if importlib.util.find_spec(module) is None:
            raise module_missing(output, package, extra)


def open_outputs(names: Iterable[str], run: RunInfo) -> list[Writer]:
    """Make the writers for the (already parsed) output ``names`` of a run.

    A missing package (``ImportError``) or a misuse (``LoggerError``) is
    raised: the user asked for that output and must fix it. Any other
    failure to start an output (a tracking server that cannot be reached) is
    a warning, and the run goes on without that output.
    """
    writers = []
    for name in names:
        try:
            writer = OUTPUTS[name](run)
        except (ImportError, LoggerError):
            raise
        except Exception as e:
            warn_output_failed(name, e, "the run goes on without it")
            continue
        writers.append(Guarded(name, writer))
    return writers


__all__ = ["Writer", "RunInfo", "Guarded", "RowFileWriter", "TableWriter", "ProgressWriter",
           "CsvWriter", "JsonlWriter", "TensorBoardWriter", "OUTPUTS", "ENV_VAR",
           "parse_outputs", "open_outputs", "escape_field", "next_free_name", "read_rows"]
