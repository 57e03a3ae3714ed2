"""progress.jsonl: one JSON object per row."""
import json
import math
import os
from collections.abc import Sequence
from typing import Any

from spinup.utils._writers.base import RowFileWriter, RunInfo


def json_value(value: Any) -> Any:
    """A logged value as plain JSON: numpy numbers become Python numbers,
    arrays become lists, NaN and infinities become ``null`` (JSON has no
    such numbers), anything else its ``str``."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        plain = value.tolist()
        if isinstance(plain, list):
            return [json_value(v) for v in plain]
        return json_value(plain)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return str(value)


class JsonlWriter(RowFileWriter):
    """Writes rows to ``output_dir/progress.jsonl``, one JSON object a line.

    Each object maps the column names to the row's values, in column order:
    ``{"Epoch": 0, "AverageEpRet": 21.5, ...}``. Read it back with
    ``pandas.read_json(path, lines=True)`` or ``[json.loads(line) for line
    in open(path)]``.
    """

    @classmethod
    def for_run(cls, run: RunInfo) -> "JsonlWriter":
        """The writer of a run: ``output_dir/progress.jsonl``."""
        return cls(os.path.join(run.output_dir, "progress.jsonl"), resume=run.resume,
                   announce=run.announce)

    def _read(self):
        # A JSON Lines file has no header line: every line names its columns.
        with open(self.path, encoding="utf-8") as f:
            text = f.read()
        lines = text.split("\n")
        return None, lines[:-1], text.endswith("\n")

    def _render(self, headers, rows) -> str:
        return "".join(line + "\n" for line in rows)

    def _format(self, headers: Sequence[str], values: Sequence, with_header: bool) -> str:
        row = {str(h): json_value(v) for h, v in zip(headers, values)}
        return json.dumps(row, allow_nan=False) + "\n"
