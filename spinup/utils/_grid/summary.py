"""The table printed at the end of a grid: one row per variant with its
state, duration, last performance and output dir."""
import os
from collections.abc import Sequence

from spinup.utils._grid.reporter import format_seconds

# The plotter's notion of performance: the test return when the algorithm
# logs one, else the training return.
PERFORMANCE_KEYS = ("AverageTestEpRet", "AverageEpRet")
_COLUMNS = ("Variant", "State", "Duration", "Performance", "Output dir")


def last_performance(output_dir: str | None, fname: str = "progress.txt") -> float | None:
    """The last logged AverageTestEpRet (else AverageEpRet) in output_dir's
    progress file, or None when there is no such value."""
    if not output_dir:
        return None
    try:
        with open(os.path.join(output_dir, fname), encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split("\t")
            last = None
            for line in f:
                if line.strip():
                    last = line
    except (OSError, UnicodeDecodeError):
        return None
    if last is None:
        return None
    row = dict(zip(header, last.rstrip("\n").split("\t")))
    for key in PERFORMANCE_KEYS:
        try:
            return float(row[key])
        except (KeyError, ValueError):
            continue
    return None


def format_duration(seconds: float | None) -> str:
    """'12.3s' under a minute, else H:MM:SS; '' when unknown."""
    if seconds is None:
        return ""
    return "%.1fs" % seconds if seconds < 60 else format_seconds(seconds)


def summary_table(outcomes: Sequence) -> str:
    """Format outcomes (``trial.Outcome``) as an aligned text table."""
    rows: list[Sequence[str]] = [_COLUMNS]
    for o in outcomes:
        perf = last_performance(o.output_dir)
        state = o.state
        if o.exit_code not in (None, 0):
            state += " (exit %d)" % o.exit_code
        rows.append((o.exp_name or "''", state, format_duration(o.duration),
                     "" if perf is None else "%.4g" % perf, o.output_dir or ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS) - 1)]
    lines = []
    for r in rows:
        cells = [r[i].ljust(widths[i]) for i in range(len(widths))] + [r[-1]]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * len(_COLUMNS[-1]))
    return "\n".join(lines)
