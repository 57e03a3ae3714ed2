"""A Weights & Biases run: the config from save_config, one history row per row."""
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from spinup.utils._writers.base import RunInfo, Writer, module_missing, plain_float, read_run_id
from spinup.utils._writers.jsonl_file import json_value

RUN_ID_FILE = "wandb_run_id.txt"


class WandbWriter(Writer):
    """Logs the run to W&B.

    The run is named after its output folder (``exp_s0``) and grouped by
    ``exp_name``, so the seeds of a variant are shown together; the project
    is ``WANDB_PROJECT`` when set, else ``spinup``. W&B keeps its files in
    ``output_dir/wandb``. With ``WANDB_MODE=offline`` nothing is sent: sync
    the run later with ``wandb sync output_dir/wandb/offline-run-*``.

    ``save_config`` fills the run's config; each row is one history step.
    When ``TotalEnvInteracts`` is logged, the charts use it as their x axis.
    A resumed run continues the same W&B run (its id is kept in
    ``output_dir/wandb_run_id.txt``).
    """

    def __init__(self, run: RunInfo):
        try:
            import wandb
        except ImportError:
            raise module_missing("wandb", "wandb", "wandb") from None
        id_file = os.path.join(run.output_dir, RUN_ID_FILE)
        run_id = read_run_id(id_file) if run.resume else None
        self.run = wandb.init(
            project=os.environ.get("WANDB_PROJECT") or "spinup",
            name=run.run_name, group=run.exp_name, dir=run.output_dir,
            id=run_id, resume="allow" if run_id else None,
            # A process may hold several loggers (a grid run inline, tests):
            # each gets its own run instead of ending the previous one.
            reinit="create_new")
        if run_id is None:
            with open(id_file, "w") as f:
                f.write(self.run.id + "\n")
        self.step_metric_set = False
        self.closed = False

    @classmethod
    def for_run(cls, run: RunInfo) -> "WandbWriter":
        return cls(run)

    def save_config(self, config: dict[str, Any]) -> None:
        self.run.config.update(config, allow_val_change=True)

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        if not self.step_metric_set:
            if "TotalEnvInteracts" in headers:
                self.run.define_metric("TotalEnvInteracts")
                self.run.define_metric("*", step_metric="TotalEnvInteracts")
            self.step_metric_set = True
        self.run.log({str(k): _plain(v) for k, v in zip(headers, values)})

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.run.finish()



def _plain(value: Any) -> Any:
    """A logged value as W&B takes it: floats as Python floats (NaN kept),
    other values as in progress.jsonl."""
    if isinstance(value, (float, np.floating)):
        return plain_float(value)
    return json_value(value)
