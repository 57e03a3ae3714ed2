"""progress.jsonl: one JSON object per row."""
import json
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from spinup.utils._writers.base import RowFileWriter, RunInfo

_NUMBERS = (int, float, np.integer, np.floating)
_NOT_FINITE = frozenset(["nan", "inf", "-inf"])
# The number types a logger sees nearly always: checked first, by a set lookup.
_COMMON = frozenset([float, int, np.float32, np.float64, np.int32, np.int64])


def json_text(value: Any) -> str:
    """A logged value as JSON text.

    A number is written as progress.txt writes it (``str(value)``, so a
    float32 ``1.37`` stays ``1.37`` rather than ``1.3700000047683716``),
    which is valid JSON for every finite number; NaN and infinities become
    ``null``.
    """
    if type(value) in _COMMON or (isinstance(value, _NUMBERS)
                                  and not isinstance(value, (bool, np.bool_))):
        text = str(value)
        return "null" if text in _NOT_FINITE else text
    return json.dumps(json_value(value), allow_nan=False)


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
    ``{"Epoch": 0, "AverageEpRet": 21.5, ...}``. Numbers are written as in
    progress.txt; NaN and infinities (which JSON lacks) as ``null``. Read it
    back with ``pandas.read_json(path, lines=True)`` or
    ``[json.loads(line) for line in open(path)]``.
    """

    _keys: tuple[list[str], list[str]] = ([], [])  # (headers, their JSON text)

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
        if self._keys[0] != headers:  # the same columns every row: encode them once
            self._keys = (list(headers), [json.dumps(str(h)) + ": " for h in headers])
        return "{" + ", ".join([k + json_text(v) for k, v in zip(self._keys[1], values)]) + "}\n"
