"""progress.csv: the rows of progress.txt as RFC 4180 CSV."""
import csv
import io
import os
from collections.abc import Sequence

from spinup.utils._writers.base import RowFileWriter, RunInfo


class CsvWriter(RowFileWriter):
    """Writes rows to a CSV file, ``output_dir/progress.csv``.

    The columns are those of progress.txt, in the same order. The file
    follows RFC 4180 (the ``csv`` module's default dialect: comma-separated,
    CRLF line ends, fields with commas, quotes or line breaks quoted), so
    spreadsheets, pandas and Ray Tune's tools read it as is. Values are
    written as progress.txt writes them (``str(value)``).
    """

    newline = ""  # the csv module writes its own line ends

    @classmethod
    def for_run(cls, run: RunInfo) -> "CsvWriter":
        """The writer of a run: ``output_dir/progress.csv``."""
        return cls(os.path.join(run.output_dir, "progress.csv"), resume=run.resume,
                   announce=run.announce)

    def _read(self):
        with open(self.path, encoding="utf-8", newline="") as f:
            text = f.read()
        records = []
        complete = text.endswith("\n")
        try:
            records.extend(csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error:
            complete = False  # cut inside a quoted field; what came before is kept
        else:
            if not complete and records:
                records.pop()  # the row a killed process left half written
        if not records:
            return None, [], complete
        return records[0], records[1:], complete

    def _render(self, headers, rows) -> str:
        out = io.StringIO(newline="")
        if headers:
            writer = csv.writer(out)
            writer.writerow(headers)
            writer.writerows(rows)
        return out.getvalue()

    def _format(self, headers: Sequence[str], values: Sequence, with_header: bool) -> str:
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        if with_header:
            writer.writerow(headers)
        writer.writerow(values)
        return out.getvalue()
