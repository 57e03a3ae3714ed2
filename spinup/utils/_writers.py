"""Output formats of the logger: small writers behind one Logger.

Each writer receives every finished row of diagnostics as two lists, the
headers and the values, in ``write(headers, values)``. The Logger decides
what a row is; a writer only decides how it looks in its medium:

- ``TableWriter``: the boxed table printed to stdout.
- ``ProgressWriter``: the tab-separated progress.txt.
- ``TensorBoardWriter``: TensorBoard event files (through tensorboardX, so
  no TensorFlow import is needed).
"""
import os
import shutil
import sys
from collections.abc import Sequence

from spinup._errors import LogFileError
from spinup.utils import _atomic


class TableWriter:
    """Prints each row as the familiar Spinning Up table::

        ---------------------------------------
        |             Epoch |               0 |
        |      AverageEpRet |            21.5 |
        ---------------------------------------
    """

    def __init__(self, stream=None):
        self.stream = stream

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        key_width = max([15] + [len(h) for h in headers])
        fmt = "| %" + str(key_width) + "s | %15s |"
        dashes = "-" * (22 + key_width)
        lines = [dashes]
        for key, val in zip(headers, values):
            valstr = "%8.3g" % val if hasattr(val, "__float__") else val
            lines.append(fmt % (key, valstr))
        lines.append(dashes)
        stream = self.stream or sys.stdout
        stream.write("\n".join(lines) + "\n")
        stream.flush()

    def close(self) -> None:
        pass


def escape_field(text: str) -> str:
    """Make a value safe for one tab-separated field.

    A tab or newline inside a value would shift every later column (or start
    a bogus row), so they are written as the two-character escapes ``\\t``,
    ``\\n`` and ``\\r`` (and a backslash as ``\\\\`` in such a value).
    """
    if "\t" in text or "\n" in text or "\r" in text:
        return (text.replace("\\", "\\\\").replace("\t", "\\t")
                .replace("\n", "\\n").replace("\r", "\\r"))
    return text


def next_free_name(path: str) -> str:
    """The first of ``path.1``, ``path.2``, ... that does not exist."""
    n = 1
    while os.path.exists("%s.%d" % (path, n)):
        n += 1
    return "%s.%d" % (path, n)


def read_rows(path: str):
    """Return (headers, complete data lines) of a progress file.

    A last line without its newline (the process was killed while writing
    it) is not complete and is left out.
    """
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    complete = lines[:-1]  # the piece after the last newline is partial or ''
    if not complete:
        return None, []
    return complete[0].split("\t"), complete[1:]


class ProgressWriter:
    """Writes rows to a tab-separated file (progress.txt).

    The header line is written with the first row. An existing file is never
    truncated: without ``resume`` it is moved aside to the next free
    ``progress.txt.N``; with ``resume`` new rows are appended after checking
    that their headers are the file's headers.
    """

    def __init__(self, path: str, resume: bool = False, announce=print):
        self.path = path
        self.announce = announce
        self.existing_headers: list[str] | None = None
        self.header_written = False
        if os.path.exists(path) and os.path.getsize(path) > 0:
            if resume:
                headers, rows = read_rows(path)
                with open(path, "rb") as f:
                    f.seek(-1, os.SEEK_END)
                    clean_end = f.read(1) == b"\n"
                if not clean_end:
                    # Killed mid-row: keep a copy, continue from the complete rows.
                    self._rewrite(headers, rows, reason="its last row was incomplete")
                self.existing_headers = headers
                self.header_written = headers is not None
            else:
                aside = next_free_name(path)
                os.replace(path, aside)
                self.announce("Moved the existing %s to %s so it is not overwritten."
                              % (path, aside))
        self.file = open(path, "a", encoding="utf-8")

    def check_key(self, key: str) -> None:
        """Fail early when resuming with a key the existing file lacks."""
        if self.existing_headers is not None and key not in self.existing_headers:
            raise LogFileError(
                "Cannot resume %s: its columns are %s, and %r is not one of them. "
                "Log the same keys as the run you are resuming, or start a new "
                "output_dir." % (self.path, self.existing_headers, key))

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        if self.existing_headers is not None and list(headers) != self.existing_headers:
            raise LogFileError(
                "Cannot resume %s: its columns are %s but this row has %s. Log the "
                "same keys in the same order as the run you are resuming."
                % (self.path, self.existing_headers, list(headers)))
        lines = []
        if not self.header_written:
            lines.append("\t".join(escape_field(str(h)) for h in headers))
            self.header_written = True
        lines.append("\t".join(escape_field(str(v)) for v in values))
        self.file.write("\n".join(lines) + "\n")
        self.file.flush()

    def rewind(self, num_rows: int) -> None:
        """Keep only the first num_rows data rows (full file moved aside)."""
        self.file.flush()
        headers, rows = read_rows(self.path)
        if headers is None or len(rows) <= num_rows:
            return
        self.file.close()
        self._rewrite(headers, rows[:num_rows],
                      reason="only its first %d rows are kept" % num_rows)
        self.file = open(self.path, "a", encoding="utf-8")

    def _rewrite(self, headers, rows, reason: str) -> None:
        aside = next_free_name(self.path)
        try:
            os.link(self.path, aside)  # cheap: the old rows stay in place
        except OSError:
            shutil.copy2(self.path, aside)
        body = ([("\t".join(headers))] + list(rows)) if headers else []
        _atomic.write_text(self.path, "".join(line + "\n" for line in body))
        self.announce("Resuming %s: %s; the previous version is kept as %s."
                      % (self.path, reason, aside))

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


class TensorBoardWriter:
    """Writes every numeric value of a row as a TensorBoard scalar.

    The step of a row is its value of ``TotalEnvInteracts`` when that is
    logged, else the row's number (0, 1, 2, ...).
    """

    def __init__(self, log_dir: str):
        try:
            SummaryWriter = _import_summary_writer()
        except ImportError:
            raise ImportError("TensorBoard output needs tensorboardX: "
                              "pip install tensorboardX (or 'spinup[tensorboard]').") from None
        self.summary = SummaryWriter(logdir=log_dir)
        self.row = 0

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        row = dict(zip(headers, values))
        step = row.get("TotalEnvInteracts", self.row)
        try:
            step = int(step)
        except (TypeError, ValueError):
            step = self.row
        for key, val in row.items():
            if hasattr(val, "__float__") and not isinstance(val, str):
                self.summary.add_scalar(key, float(val), global_step=step)
        self.summary.flush()
        self.row += 1

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
