"""TensorBoard event files, written with tensorboardX (no TensorFlow import)."""
import os
import sys
import time
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
            self._SummaryWriter = _import_summary_writer()
        except ImportError:
            raise module_missing("tensorboard", "tensorboardX", "tensorboard") from None
        self.log_dir = log_dir
        self.summary = None  # opened with the first row, which knows its step
        self.purge = False
        self.row = 0

    @classmethod
    def for_run(cls, run: RunInfo) -> "TensorBoardWriter":
        """The writer of a run: event files in ``output_dir/tb``."""
        return cls(os.path.join(run.output_dir, "tb"))

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        row = dict(zip(headers, values))
        step = row_step(row, self.row)
        if self.summary is None:
            # After a rewind, TensorBoard is told to hide the points of the
            # earlier run from this step on: they are about to be redone.
            # The file name has only whole seconds: a suffix in nanoseconds
            # keeps two writers of one second (a quick resume) apart, in order.
            self.summary = self._SummaryWriter(logdir=self.log_dir,
                                               purge_step=step if self.purge else None,
                                               filename_suffix=".%d" % time.time_ns())
            self.purge = False
        for key, val in row.items():
            if is_number(val):
                self.summary.add_scalar(key, float(val), global_step=step)
        self.summary.flush()
        self.row += 1

    def rewind(self, num_rows: int) -> None:
        # Event files cannot be shortened; the next row's step is where
        # TensorBoard starts hiding the old points instead.
        self.close()
        self.row = num_rows
        self.purge = True

    def close(self) -> None:
        if self.summary is not None:
            self.summary.close()
            self.summary = None


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
