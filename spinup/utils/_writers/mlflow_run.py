"""An MLflow run: parameters from save_config, one metric point per row."""
import atexit
import contextlib
import os
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

from spinup.utils._writers.base import (
    RunInfo,
    Writer,
    is_number,
    module_missing,
    plain_float,
    read_run_id,
    row_step,
)

RUN_ID_FILE = "mlflow_run_id.txt"

# MLflow accepts these characters in metric and parameter names (no colon on
# Windows); anything else is replaced by "_".
_BAD_KEY_CHARS = re.compile(r"[^/\w.\- ]" if sys.platform == "win32" else r"[^/\w.\- :]")
_MAX_KEY = 250
_MAX_PARAM_VALUE = 6000
_MAX_PARAMS_PER_CALL = 100


def default_tracking_uri(output_dir: str) -> str:
    """Where runs go when ``MLFLOW_TRACKING_URI`` is not set.

    An SQLite store, ``mlflow.db``, in the data dir (``SPINUP_DATA_DIR``,
    ``data/`` by default) for runs inside it, so that every experiment of a
    project is in one store; a run saved elsewhere gets its own store in its
    output folder.
    """
    from spinup.user_config import DEFAULT_DATA_DIR

    data_dir = os.path.realpath(DEFAULT_DATA_DIR)
    run_dir = os.path.realpath(output_dir)
    inside = os.path.commonpath([data_dir, run_dir]) == data_dir
    return "sqlite:///" + os.path.join(data_dir if inside else run_dir, "mlflow.db")


def clean_key(key: str) -> str:
    """A column or config name as a valid MLflow key."""
    return _BAD_KEY_CHARS.sub("_", str(key)).strip("/")[:_MAX_KEY] or "_"


def flat_params(config: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten a config into MLflow parameters: nested dicts become
    ``outer:inner`` keys (as in a grid's keys), values their text."""
    params = {}
    for key, value in config.items():
        name = prefix + str(key)
        if isinstance(value, dict) and value:
            params.update(flat_params(value, name + ":"))
        else:
            params[clean_key(name)] = str(value)[:_MAX_PARAM_VALUE]
    return params


@contextlib.contextmanager
def _store_lock(tracking_uri: str):
    """Hold a lock file beside an SQLite store while runs are created in it.

    The runs of a parallel grid start together; the first one creates the
    database tables and the experiment, and the others must wait for it
    rather than race it.
    """
    path = tracking_uri[len("sqlite:///"):] if tracking_uri.startswith("sqlite:///") else None
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; runs rarely start at once there
        fcntl = None
    if path is None or fcntl is None:
        yield
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class MlflowWriter(Writer):
    """Logs the run to MLflow.

    The experiment is named after ``exp_name`` (so the seeds of a grid
    variant, and all variants of a grid, share it) and the run after its
    output folder (``exp_s0``). ``save_config`` logs the configuration as
    parameters (nested keys joined with ``:``); every row logs each numeric
    column as a metric, with ``step`` the row's ``TotalEnvInteracts`` when
    logged, else the row's number.

    The tracking URI is ``MLFLOW_TRACKING_URI`` when set (a server, or
    ``sqlite:///path/mlflow.db``), else an SQLite store in the data dir (see
    :func:`default_tracking_uri`). A resumed run continues the same MLflow
    run: its id is kept in ``output_dir/mlflow_run_id.txt``.
    """

    def __init__(self, run: RunInfo):
        try:
            from mlflow import MlflowClient
            from mlflow.entities import Metric, Param
        except ImportError:
            raise module_missing("mlflow", "mlflow-skinny", "mlflow") from None
        self._Metric, self._Param = Metric, Param
        self.tracking_uri = (os.environ.get("MLFLOW_TRACKING_URI")
                             or default_tracking_uri(run.output_dir))
        self.row = 0
        self.closed = False
        id_file = os.path.join(run.output_dir, RUN_ID_FILE)
        if self.tracking_uri.startswith("sqlite:"):
            # Slow to import (seconds): do it before waiting for the lock, so
            # the runs of a grid import at the same time.
            import mlflow.store.tracking.sqlalchemy_store  # noqa: F401
        with _store_lock(self.tracking_uri):
            # The client creates a new SQLite store's tables: one process at a time.
            self.client = MlflowClient(tracking_uri=self.tracking_uri)
            run_id = read_run_id(id_file) if run.resume else None
            if run_id is not None:
                try:
                    self.client.update_run(run_id, status="RUNNING")
                except Exception:
                    run_id = None  # not in this store (the tracking URI changed): a new run
            if run_id is None:
                experiment_id = self._experiment_id(run.exp_name or run.run_name)
                created = self.client.create_run(
                    experiment_id, run_name=run.run_name,
                    tags={"spinup.output_dir": os.path.abspath(run.output_dir)})
                run_id = created.info.run_id
                with open(id_file, "w") as f:
                    f.write(run_id + "\n")
        self.run_id = run_id
        # Training functions written for the original Logger never call
        # close(); end the run when the process ends all the same.
        atexit.register(self.close)

    @classmethod
    def for_run(cls, run: RunInfo) -> "MlflowWriter":
        return cls(run)

    def _experiment_id(self, name: str) -> str:
        found = self.client.get_experiment_by_name(name)
        if found is not None:
            return found.experiment_id
        try:
            return self.client.create_experiment(name)
        except Exception:
            # Another process (not holding our lock: a server store) created it first.
            found = self.client.get_experiment_by_name(name)
            if found is None:
                raise
            return found.experiment_id

    def save_config(self, config: dict[str, Any]) -> None:
        params = flat_params(config)
        # Parameters cannot change once logged: a resumed run keeps the
        # values it started with and only adds new ones.
        logged = self.client.get_run(self.run_id).data.params
        new = [self._Param(k, v) for k, v in params.items() if k not in logged]
        for start in range(0, len(new), _MAX_PARAMS_PER_CALL):
            self.client.log_batch(self.run_id, params=new[start:start + _MAX_PARAMS_PER_CALL])

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        row = dict(zip(headers, values))
        step = row_step(row, self.row)
        stamp = int(time.time() * 1000)
        metrics = [self._Metric(clean_key(k), plain_float(v), stamp, step)
                   for k, v in row.items() if is_number(v)]
        if metrics:
            self.client.log_batch(self.run_id, metrics=metrics)
        self.row += 1

    def rewind(self, num_rows: int) -> None:
        # Metric points cannot be deleted; the rows after the snapshot are
        # logged again with the same steps.
        self.row = num_rows

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        atexit.unregister(self.close)
        self.client.set_terminated(self.run_id, status="FINISHED")

