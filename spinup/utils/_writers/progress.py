"""progress.txt: the tab-separated file of Spinning Up."""
from collections.abc import Sequence

from spinup.utils._writers.base import RowFileWriter, next_free_name  # noqa: F401 (re-exported)


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


class ProgressWriter(RowFileWriter):
    """Writes rows to a tab-separated file (progress.txt).

    The header line is written with the first row. An existing file is never
    truncated: without ``resume`` it is moved aside to the next free
    ``progress.txt.N``; with ``resume`` new rows are appended after checking
    that their headers are the file's headers.
    """

    def _read(self):
        headers, rows = read_rows(self.path)
        with open(self.path, "rb") as f:
            complete = f.read().endswith(b"\n")
        return headers, rows, complete

    def _render(self, headers, rows) -> str:
        body = ([("\t".join(headers))] + list(rows)) if headers else []
        return "".join(line + "\n" for line in body)

    def _format(self, headers: Sequence[str], values: Sequence, with_header: bool) -> str:
        lines = []
        if with_header:
            lines.append("\t".join(escape_field(str(h)) for h in headers))
        lines.append("\t".join(escape_field(str(v)) for v in values))
        return "\n".join(lines) + "\n"
