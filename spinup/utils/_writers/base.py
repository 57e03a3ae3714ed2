"""The interface every output writer follows, and the guard around the optional ones."""
import os
import shutil
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from spinup._errors import LogFileError
from spinup.utils import _atomic


class RunInfo:
    """What a writer may need to know about the run it writes for.

    Args:
        output_dir (string): The run's output directory.
        exp_name (string): The experiment's name (None if not given).
        resume (bool): Whether the run continues an earlier one.
        announce: Prints a notice for the user (a file moved aside, ...).
    """

    def __init__(self, output_dir: str, exp_name: str | None = None, resume: bool = False,
                 announce: Callable[[str], None] = print):
        self.output_dir = output_dir
        self.exp_name = exp_name
        self.resume = resume
        self.announce = announce

    @property
    def run_name(self) -> str:
        """The run's own name: its output folder's name (``exp_s0``)."""
        return os.path.basename(os.path.normpath(self.output_dir))


class Writer:
    """One output format of the Logger.

    The Logger calls, on MPI rank 0 only:

    - ``write(headers, values)`` with every finished row (``dump_tabular``),
    - ``save_config(config)`` with the JSON-ready configuration
      (``save_config``),
    - ``rewind(num_rows)`` when a resumed run drops the rows logged after
      its snapshot (``rewind_progress``),
    - ``close()`` at the end (``Logger.close``).

    Only ``write`` is required; the others do nothing unless overridden.
    """

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        raise NotImplementedError

    def save_config(self, config: dict[str, Any]) -> None:
        """Record the experiment's configuration (most formats have no place for it)."""

    def rewind(self, num_rows: int) -> None:
        """Forget the rows after the first ``num_rows`` (where the format allows)."""

    def close(self) -> None:
        """Flush and release whatever the writer holds."""


class Guarded(Writer):
    """Runs an optional writer so that its failure never stops training.

    The first exception the writer raises (a tracking server that cannot be
    reached, a full disk, an old progress.csv with other columns than the
    resumed progress.txt) is reported once as a ``RuntimeWarning`` and the
    writer is switched off for the rest of the run; progress.txt and the
    other outputs carry on. (Misuse of the logger itself, such as logging
    other keys than a resumed progress.txt has, is caught by progress.txt
    first, and raised.)
    """

    def __init__(self, name: str, writer: Writer):
        self.name = name
        self.writer: Writer | None = writer

    def _call(self, method: str, *args) -> None:
        if self.writer is None:
            return
        try:
            getattr(self.writer, method)(*args)
        except Exception as e:
            writer, self.writer = self.writer, None
            warn_output_failed(self.name, e, "it is switched off for the rest of this run")
            if method != "close":
                try:
                    writer.close()
                except Exception:
                    pass  # already reported the first failure; one warning is enough

    def write(self, headers: Sequence[str], values: Sequence) -> None:
        self._call("write", headers, values)

    def save_config(self, config: dict[str, Any]) -> None:
        self._call("save_config", config)

    def rewind(self, num_rows: int) -> None:
        self._call("rewind", num_rows)

    def close(self) -> None:
        self._call("close")
        self.writer = None


def warn_output_failed(name: str, error: BaseException, what_now: str) -> None:
    """Warn that the optional output ``name`` failed, and what happens next."""
    message = ("spinup: the logger's %r output failed (%s: %s); %s. progress.txt and the "
               "other outputs are not affected." % (name, type(error).__name__, error, what_now))
    warnings.warn(message, RuntimeWarning, stacklevel=_caller_level())


_LOGGER_FILES = (os.path.dirname(os.path.abspath(__file__)) + os.sep,
                 os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "logx.py"))


def _caller_level() -> int:
    """The stacklevel, for warnings.warn in our caller, of the first frame
    outside the logger: the warning then points at the user's line
    (``logger.dump_tabular()``), not at the logger's insides."""
    frame, level = sys._getframe(1), 1  # level 1: our caller, warn_output_failed
    while frame is not None and frame.f_code.co_filename.startswith(_LOGGER_FILES):
        frame, level = frame.f_back, level + 1
    return level


def next_free_name(path: str) -> str:
    """The first of ``path.1``, ``path.2``, ... that does not exist."""
    n = 1
    while os.path.exists("%s.%d" % (path, n)):
        n += 1
    return "%s.%d" % (path, n)


class RowFileWriter(Writer):
    """A file of rows that is appended to and never truncated.

    This is the behaviour progress.txt, progress.csv and progress.jsonl
    share. An existing file is moved aside to the next free ``NAME.N``
    unless the run resumes; then new rows are appended, after dropping a last
    row that a killed process left half written (the old file is kept as
    ``NAME.N``). ``rewind`` keeps the first rows only, in the same careful
    way.

    A subclass says how its format reads and writes rows: ``_read``,
    ``_render`` and ``_format``.
    """

    newline: str | None = None  # the ``newline`` argument of open()

    def __init__(self, path: str, resume: bool = False, announce=print):
        self.path = path
        self.announce = announce
        self.existing_headers: list[str] | None = None
        self.header_written = False
        if os.path.islink(path):
            # As for progress.txt: never write through a link the user did not give.
            if resume:
                raise LogFileError("Cannot resume %s: it is a symbolic link (to %s), and the "
                                   "logger does not write through links. Replace it with the "
                                   "file itself." % (path, os.readlink(path)))
            aside = next_free_name(path)
            os.rename(path, aside)
            self.announce("Moved the symbolic link %s to %s; it is not followed." % (path, aside))
        if os.path.exists(path) and os.path.getsize(path) > 0:
            if resume:
                headers, rows, complete = self._read()
                if not complete:
                    # Killed mid-row: keep a copy, continue from the complete rows.
                    self._rewrite(headers, rows, reason="its last row was incomplete")
                self.existing_headers = headers
                self.header_written = headers is not None
            else:
                aside = next_free_name(path)
                os.replace(path, aside)
                self.announce("Moved the existing %s to %s so it is not overwritten."
                              % (path, aside))
        self.file = open(path, "a", encoding="utf-8", newline=self.newline)

    # --- the format -----------------------------------------------------------

    def _read(self) -> tuple[list[str] | None, list, bool]:
        """Return (headers or None, complete rows, whether the file ends cleanly)."""
        raise NotImplementedError

    def _render(self, headers: list[str] | None, rows: list) -> str:
        """The whole text of a file holding these rows (as ``_read`` returns them)."""
        raise NotImplementedError

    def _format(self, headers: Sequence[str], values: Sequence, with_header: bool) -> str:
        """The text appended for one new row (and the header line, if asked)."""
        raise NotImplementedError

    # --- the shared behaviour ----------------------------------------------------

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
        self.file.write(self._format(headers, values, with_header=not self.header_written))
        self.header_written = True
        self.file.flush()

    def rewind(self, num_rows: int) -> None:
        """Keep only the first num_rows data rows (full file moved aside)."""
        self.file.flush()
        headers, rows, _ = self._read()
        if len(rows) <= num_rows:
            return
        self.file.close()
        self._rewrite(headers, rows[:num_rows],
                      reason="only its first %d rows are kept" % num_rows)
        self.file = open(self.path, "a", encoding="utf-8", newline=self.newline)

    def _rewrite(self, headers, rows, reason: str) -> None:
        aside = next_free_name(self.path)
        try:
            os.link(self.path, aside)  # cheap: the old rows stay in place
        except OSError:
            shutil.copy2(self.path, aside)
        _atomic.write_text(self.path, self._render(headers, rows))
        self.announce("Resuming %s: %s; the previous version is kept as %s."
                      % (self.path, reason, aside))

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


def is_number(value: Any) -> bool:
    """Whether a logged value is a number (a TensorBoard scalar, an MLflow metric)."""
    return hasattr(value, "__float__") and not isinstance(value, (str, bytes)) \
        and getattr(value, "ndim", 0) == 0


def plain_float(value: Any) -> float:
    """A number as a Python float, a float32 keeping the digits progress.txt
    shows (``28.833334``, not ``28.83333396911621``)."""
    if type(value) is float:
        return value
    if getattr(value, "dtype", None) is not None and value.dtype.itemsize < 8 \
            and value.dtype.kind == "f":
        return float(str(value))
    return float(value)


def row_step(row: dict[str, Any], row_index: int) -> int:
    """The step of a row: its ``TotalEnvInteracts`` when logged, else its index."""
    step = row.get("TotalEnvInteracts", row_index)
    try:
        return int(step)
    except (TypeError, ValueError, OverflowError):
        return row_index


def module_missing(output: str, package: str, extra: str) -> ImportError:
    """The ImportError for an output whose package is not installed."""
    return ImportError("The logger's %r output needs the %s package: pip install %s "
                       "(or pip install 'spinup[%s]')." % (output, package, package, extra))


def read_run_id(path: str) -> str | None:
    """The tracking run id a resumed run continues, or None."""
    try:
        with open(path) as f:
            return f.read().strip() or None
    except FileNotFoundError:
        return None
