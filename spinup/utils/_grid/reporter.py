"""Everything a grid prints goes through one ``Reporter``.

The schedulers never print: they tell the reporter that a run started,
printed a line, or ended, and the reporter decides what the console shows.

- Several runs at once on this machine (``capture``): every line a run
  prints is prefixed with the run's own label, its output folder's name
  (``[ppo_lr0-1_s0] ...``); blank lines and lines that are only colour codes
  are dropped. On a terminal a tqdm bar stays on the last line (lines go
  above it with ``tqdm.write``) and counts epochs as well as runs, so its
  ETA moves during long runs; anywhere else (a log file, a pipe) there is no
  bar, no ANSI code, and one status line per finished run.
- One run at a time (or Ray, which forwards the output itself): the runs
  write straight to the console, as in the original Spinning Up; the
  reporter adds the banners and a status line per finished run.

``NO_COLOR`` (set and not empty, see https://no-color.org) turns colours
off everywhere the reporter writes.
"""
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from textwrap import dedent
from typing import Any, TextIO

from spinup.utils._grid import status as _status
from spinup.utils._grid.trial import Outcome, Trial
from spinup.utils.logx import colorize

DIV_LINE_WIDTH = 80
BAR_WIDTH = 20
# Control sequences (colours, cursor moves): ESC [ parameters final-byte.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_LABEL_COLORS = ("cyan", "green", "yellow", "magenta", "blue", "white")
# Folders that hold a policy test_policy can load.
POLICY_DIRS = ("pyt_save", "tf1_save", "simple_save")
_TICK_SECONDS = 1.0


def strip_ansi(text: str) -> str:
    """text without its ANSI control sequences."""
    return _ANSI.sub("", text) if "\x1b" in text else text


def no_color() -> bool:
    """Whether the user asked for no colours (``NO_COLOR`` set, not empty)."""
    return bool(os.environ.get("NO_COLOR"))


def format_seconds(seconds: float | None) -> str:
    """Format a duration as H:MM:SS ('?' when unknown)."""
    if seconds is None:
        return "?"
    seconds = int(round(seconds))
    return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)


def saved_policy(output_dir: str | None) -> bool:
    """Whether a run saved something test_policy can load."""
    return bool(output_dir) and any(os.path.isdir(os.path.join(output_dir, d))
                                    for d in POLICY_DIRS)


def start_banner(trial: Trial) -> str:
    """The original's 'Running experiment' banner, with the run's kwargs."""
    text = (colorize("Running experiment:\n", color="cyan", bold=True) + "\n"
            + trial.name + "\n\n" + colorize("with kwargs:\n", color="cyan", bold=True) + "\n"
            + trial.config + "\n\n")
    if trial.note:
        text += "\n" + trial.note
    return text


def end_banner(outcome: Outcome) -> str:
    """The banner that ends a run: where its results are, or that it failed.
    The test_policy hint shows only when the run saved a policy."""
    line = "=" * DIV_LINE_WIDTH
    if outcome.state == _status.FAILED:
        return "\n" * 3 + line + "\n" + dedent("""

            There appears to have been an error in your experiment.

            Check the traceback above to see what actually went wrong. The 
            traceback below, included for completeness (but probably not useful
            for diagnosing the error), shows the stack leading up to the 
            experiment launch.

            """) + line + "\n" * 3  # noqa: W291 (the original text)
    if not outcome.ok:
        return colorize("Experiment %s was %s." % (outcome.exp_name, outcome.state), "yellow")
    where = str(outcome.output_dir)
    text = ("\n" * 5 + line + "\nEnd of experiment.\n\n\nPlot results from this run with:\n\n"
            + colorize("python -m spinup.run plot " + where, "green") + "\n\n\n")
    if saved_policy(outcome.output_dir):
        text += ("Watch the trained agent with:\n\n"
                 + colorize("python -m spinup.run test_policy " + where, "green") + "\n\n\n")
    return text + line + "\n" * 5


class _RowCounter:
    """Counts the rows of the runs' progress.txt files as they grow, reading
    only what was added since the last look (a long run's file can be
    megabytes, and the bar looks every second)."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int]] = {}  # path -> (bytes read, newlines)

    def rows(self, output_dir: str | None) -> int:
        """How many rows the run's progress.txt has so far (0 if none)."""
        if not output_dir:
            return 0
        path = os.path.join(output_dir, "progress.txt")
        offset, newlines = self._seen.get(path, (0, 0))
        try:
            with open(path, "rb") as f:
                if os.fstat(f.fileno()).st_size < offset:
                    offset, newlines = 0, 0  # rewound (a resumed run): count again
                f.seek(offset)
                added = f.read()
        except OSError:
            return 0
        newlines += added.count(b"\n")
        self._seen[path] = (offset + len(added), newlines)
        return max(newlines - 1, 0)  # the header is not a row


class Reporter:
    """Owns the console while runs go: banners, the runs' lines, progress.

    Args:
        capture (bool): The runs' output comes to ``output`` line by line
            (several runs at once) instead of going straight to the console.

        stream: Where to write (default ``sys.stdout``).

        live (bool): Draw a tqdm bar that stays on the last line; default:
            with ``capture`` on a terminal.

        color (bool): Keep colour codes; default: unless NO_COLOR is set,
            on a terminal, or when the runs write to the console themselves
            (their own colours come through anyway, as in the original).
    """

    def __init__(self, *, capture: bool = False, stream: TextIO | None = None,
                 live: bool | None = None, color: bool | None = None):
        self.stream = stream if stream is not None else sys.stdout
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        self.capture = capture
        self.live = capture and tty if live is None else live
        self.color = (not no_color() and (tty or not capture)) if color is None else color
        self._lock = threading.RLock()
        self._bar: Any = None
        self._trials: list[Trial] = []
        self._index: dict[int, int] = {}
        self._rows = _RowCounter()
        self._ended: dict[int, bool] = {}  # id(trial) -> ok
        self._running: dict[int, Trial] = {}
        self._skipped = 0
        self._units_shown = 0
        self._start = time.time()
        self._stop = threading.Event()

    # --- writing ---------------------------------------------------------

    def write(self, text: str = "") -> None:
        """Print text (plus a newline), above the bar if there is one."""
        self._emit(text if self.color else strip_ansi(text))

    def _emit(self, text: str) -> None:
        with self._lock:
            if self._bar is not None:
                from tqdm import tqdm
                tqdm.write(text, file=self.stream)
            else:
                self.stream.write(text + "\n")
            self.stream.flush()

    def note(self, text: str, color: str, bold: bool = False) -> None:
        """Print a notice in colour (cyan for information, yellow for warnings)."""
        self.write(colorize(text, color, bold=bold))

    def _for_run(self, trial: Trial, text: str) -> None:
        """Print text that belongs to one run: as is when the runs write to
        the console themselves, else each line behind the run's label."""
        if not self.capture:
            self.write(text)
            return
        tag = "[%s] " % trial.label
        if self.color:
            index = self._index.get(id(trial), 0)
            tag = colorize(tag, _LABEL_COLORS[index % len(_LABEL_COLORS)])
        lines = []
        for line in text.split("\n"):
            line = line.rsplit("\r", 1)[-1]  # what a terminal would show of a redrawn line
            plain = strip_ansi(line)
            if not plain.strip():
                continue  # blank, or only colour codes: nothing to label
            if not self.color:
                lines.append(tag + plain)
            else:
                lines.append(tag + line + ("\x1b[0m" if plain is not line else ""))
        if lines:
            self._emit("\n".join(lines))

    # --- the grid's events ----------------------------------------------

    def begin(self, trials: Sequence[Trial], skipped: Sequence[Trial] = ()) -> None:
        """Start counting: ``trials`` will run, ``skipped`` finished before."""
        with self._lock:
            self._trials = list(skipped) + list(trials)
            self._index = {id(t): i for i, t in enumerate(trials)}  # colours of the labels
            self._skipped = len(skipped)
            for t in skipped:
                self._ended[id(t)] = True
            self._start = time.time()
            self._units_shown = self._units_done()
            if self.live:
                from tqdm import tqdm
                self._bar = tqdm(
                    total=self._units_total(), initial=self._units_shown, file=self.stream,
                    unit=self._unit(), dynamic_ncols=True, smoothing=0, leave=True,
                    bar_format="{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} "
                               "[{elapsed}<{remaining}]{postfix}")
                self._bar.set_postfix_str(self._counts(), refresh=True)
                threading.Thread(target=self._tick, name="spinup-grid-bar",
                                 daemon=True).start()

    def started(self, trial: Trial) -> None:
        """A run starts: show its banner."""
        with self._lock:
            self._running[id(trial)] = trial
        self._for_run(trial, start_banner(trial))
        self._refresh()

    def output(self, trial: Trial, line: str) -> None:
        """A run printed a line."""
        self._for_run(trial, line)

    def ended(self, trial: Trial, outcome: Outcome) -> None:
        """A run ended: show why it failed or where its results are, then
        the grid's progress."""
        if outcome.error:
            self._for_run(trial, outcome.error)
        self._for_run(trial, end_banner(outcome))
        with self._lock:
            self._running.pop(id(trial), None)
            self._ended[id(trial)] = outcome.ok
        if self._bar is not None:
            self._refresh()
        elif self._trials:
            self.write(self.line())

    def close(self) -> None:
        """Stop the bar, leaving its last state on screen."""
        self._stop.set()
        with self._lock:
            if self._bar is not None:
                self._refresh()
                self._bar.close()
                self._bar = None

    # --- progress ---------------------------------------------------------

    def _by_epochs(self) -> bool:
        return bool(self._trials) and all(t.epochs for t in self._trials)

    def _unit(self) -> str:
        return "epochs" if self._by_epochs() else "runs"

    def _units_total(self) -> int:
        return sum(t.epochs for t in self._trials) if self._by_epochs() else len(self._trials)

    def _units_done(self) -> int:
        by_epochs = self._by_epochs()
        done = 0
        for t in self._trials:
            if id(t) in self._ended:
                done += t.epochs if by_epochs else 1
            elif by_epochs and id(t) in self._running:
                done += min(self._rows.rows(t.output_dir), t.epochs)
        return done

    def _counts(self) -> str:
        ok = sum(self._ended.values())
        return "%d/%d done | %d running | %d failed" % (
            ok, len(self._trials), len(self._running), len(self._ended) - ok)

    def line(self) -> str:
        """The status line, e.g. ``[######--------------] 2/6 done | 1 running |
        0 failed | elapsed 0:00:12 | ETA 0:00:24``, then the epochs when they
        are counted."""
        with self._lock:
            total, done = self._units_total(), self._units_done()
            ended = len(self._ended)
            filled = int(BAR_WIDTH * ended / len(self._trials)) if self._trials else BAR_WIDTH
            elapsed = time.time() - self._start
            here = done - self._units_shown_at_begin()
            eta = elapsed / here * (total - done) if here > 0 else None
            if ended == len(self._trials):
                eta = 0.0
            text = "[%s%s] %s | elapsed %s | ETA %s" % (
                "#" * filled, "-" * (BAR_WIDTH - filled), self._counts(),
                format_seconds(elapsed), format_seconds(eta))
            if self._by_epochs():
                text += " | epochs %d/%d" % (done, total)
            return text

    def _units_shown_at_begin(self) -> int:
        by_epochs = self._by_epochs()
        return sum(t.epochs if by_epochs else 1 for t in self._trials[:self._skipped])

    def _refresh(self) -> None:
        with self._lock:
            if self._bar is None:
                return
            done = self._units_done()
            if done > self._units_shown:
                self._bar.update(done - self._units_shown)
                self._units_shown = done
            self._bar.set_postfix_str(self._counts(), refresh=True)

    def _tick(self) -> None:
        # Epochs are counted from the runs' progress.txt files, which only
        # the runs write: look at them every second.
        while not self._stop.wait(_TICK_SECONDS):
            self._refresh()
