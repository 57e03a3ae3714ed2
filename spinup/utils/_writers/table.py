"""The boxed table printed to stdout after every row."""
import sys
from collections.abc import Sequence

from spinup.utils._writers.base import Writer


class TableWriter(Writer):
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
