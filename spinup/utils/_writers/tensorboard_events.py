"""TensorBoard event files, written with tensorboardX (no TensorFlow import)."""
import os
import sys
from collections.abc import Sequence

from spinup.utils._writers.base import RunInfo, Writer, is_number, module_missing, row_step


class TensorBoardWriter(Writer):
    """Writes every numeric value of a row as a TensorBoard scalar.

    The step of a row is its value of ``TotalEnvInteracts`` when that is
    logged, else the row's number (0, 1, 2, ...). View the files with
    ``tensorboard --logdir data/``.
    """

    def __init__(self, log_dir: str):
        try:
            SummaryWriter = _import_summary_writer()
        except ImportError:
            raise module_missing("tensorboard", "tensorboardX", "tensorboard") from None
        self.summary = SummaryWriter(logdir=log_dir)
        self.row = 0

    @classmethod
    def for_run(cls, run: RunInfo) -> "TensorBoardWriter":
        """The writer of a run: event files in ``output_dir/tb``."""
        return cls(os.path.join(run.output_dir, "tb"))

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        row = dict(zip(headers, values))
        step = row_step(row, self.row)
        for key, val in row.items():
            if is_number(val):
                self.summary.add_scalar(key, float(val), global_step=step)
        self.summary.flush()
        self.row += 1

    def rewind(self, num_rows: int) -> None:
        # Event files cannot be shortened: the rows after the snapshot are
        # logged again with the same steps, and when TensorBoard sees a step
        # go back it hides the older points from that step on.
        self.row = num_rows

    def close(self) -> None:
        self.summary.close()


def _import_summary_writer():
    """Import tensorboardX's SummaryWriter without importing PyTorch.

    tensorboardX tries ``import torch`` at import time only to recognise
    torch tensors; we log plain floats, and a torch import costs about a
    second, so while tensorboardX loads, torch (if not already loaded) is
    marked as unavailable.
    """
    if "torch" in sys.modules:
        from tensorboardX import SummaryWriter
        return SummaryWriter
    sys.modules["torch"] = None  # makes `import torch` raise ImportError
    try:
        from tensorboardX import SummaryWriter
    finally:
        del sys.modules["torch"]
    return SummaryWriter
