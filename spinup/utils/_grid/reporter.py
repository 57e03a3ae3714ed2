"""A progress bar over the variants of a grid: done / running / failed,
elapsed time and ETA.

Two ways to show it:

- live (a terminal, and the variants' output passes through us): the bar
  stays on the last line and is redrawn in place; each line of output from
  a variant is printed above it, prefixed with the variant's name;
- plain (anything else): one status line is printed each time a variant
  ends, so a log file gets a readable record instead of carriage returns.
"""
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 20
_CLEAR_LINE = "\r\x1b[K"


def format_seconds(seconds: float | None) -> str:
    """Format a duration as H:MM:SS ('?' when unknown)."""
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


class GridProgress:
    """Keeps count of the variants of a grid and shows it.

    Args:
        total (int): Number of variants in the grid.

        skipped (int): How many of them are already done (resume); they
            count as done but not towards the ETA.

        prefix (bool): Prefix each line a variant prints with its name
            (used when several variants run at once).

        live (bool): Redraw the bar in place (needs a terminal).

        stream: Where to write (default ``sys.stdout``).
    """

    def __init__(self, total: int, *, skipped: int = 0, prefix: bool = False,
                 live: bool = False, stream: TextIO | None = None):
        self.total = total
        self.done = skipped
        self.failed = 0
        self.running = 0
        self._finished_here = 0
        self.prefix = prefix
        self.live = live
        self.stream = stream
        self._start = time.time()
        self._lock = threading.RLock()
        self._closed = threading.Event()
        if live:
            threading.Thread(target=self._tick, daemon=True).start()

    @property
    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stdout

    def line(self) -> str:
        """The status line, e.g. ``[######--------------] 2/6 done | 1 running |
        0 failed | elapsed 0:00:12 | ETA 0:00:24``."""
        with self._lock:
            ended = self.done + self.failed
            filled = int(BAR_WIDTH * ended / self.total) if self.total else BAR_WIDTH
            elapsed = time.time() - self._start
            left = self.total - ended
            eta = (elapsed / self._finished_here * left if self._finished_here else None)
            if left == 0:
                eta = 0.0
            return ("[%s%s] %d/%d done | %d running | %d failed | elapsed %s | ETA %s"
                    % ("#" * filled, "-" * (BAR_WIDTH - filled), self.done, self.total,
                       self.running, self.failed, format_seconds(elapsed),
                       format_seconds(eta)))

    def printer(self, name: str) -> Callable[[str], None]:
        """A ``print``-like function for the lines of variant ``name``."""
        if not self.prefix:
            return self.write
        tag = "[%s] " % name

        def out(text: str = "") -> None:
            self.write("\n".join(tag + part for part in str(text).split("\n")))
        return out

    def write(self, text: str = "") -> None:
        """Print text (plus a newline) without breaking the bar."""
        with self._lock:
            out = self._out
            if self.live:
                out.write(_CLEAR_LINE)
            out.write(str(text) + "\n")
            if self.live:
                out.write(self.line())
            out.flush()

    def started(self, name: str) -> None:
        """A variant started."""
        with self._lock:
            self.running += 1
            self._redraw()

    def ended(self, ok: bool) -> None:
        """A variant ended (ok: whether it finished)."""
        with self._lock:
            self.running = max(0, self.running - 1)
            self._finished_here += 1
            if ok:
                self.done += 1
            else:
                self.failed += 1
            if self.live:
                self._redraw()
            else:
                self.write(self.line())

    def close(self) -> None:
        """Stop redrawing; leave the final line in place."""
        self._closed.set()
        with self._lock:
            if self.live:
                self._out.write(_CLEAR_LINE + self.line() + "\n")
                self._out.flush()
                self.live = False

    def _redraw(self) -> None:
        if self.live:
            self._out.write(_CLEAR_LINE + self.line())
            self._out.flush()

    def _tick(self) -> None:
        while not self._closed.wait(1.0):
            with self._lock:
                self._redraw()
