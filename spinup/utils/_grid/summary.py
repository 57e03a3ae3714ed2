"""The summary at the end of a grid.

Two tables, printed and saved as CSV next to the grid's outputs:

- one row per run: its seed, the value of every varied grid key, the
  variant's name, state, duration, last performance and output dir
  (``<grid name>_summary.csv``);
- one row per variant, its seeds grouped: how many runs finished and the
  mean ± std of their last performance (``<grid name>_summary_variants.csv``).

Performance is the last value of the first of ``PERFORMANCE_KEYS`` that the
run logged in its progress.txt: the test return when the algorithm logs
one, else the training return (the plotter's rule).
"""
import csv
import io
import os
import statistics
from collections.abc import Sequence
from typing import Any

from spinup._constants import PERFORMANCE_KEYS
from spinup.utils import _atomic
from spinup.utils._grid.reporter import format_seconds
from spinup.utils._grid.trial import Outcome, Trial
from spinup.utils.logx import colorize

RUN_COLUMNS = ("exp_name", "state", "exit_code", "duration", "performance", "output_dir")
VARIANT_COLUMNS = ("exp_name", "runs", "finished", "performance_mean", "performance_std")


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


def cell(value: Any) -> str:
    """A value as a table shows it: functions and classes by name."""
    if value is None:
        return ""
    if hasattr(value, "__name__"):
        return value.__name__
    if isinstance(value, float):
        return "%.4g" % value
    return str(value)


def run_rows(trials: Sequence[Trial], outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    """One dict per run: its params (seed, varied keys), then RUN_COLUMNS."""
    rows = []
    for t, o in zip(trials, outcomes):
        rows.append(dict(t.params, exp_name=o.exp_name, state=o.state, exit_code=o.exit_code,
                         duration=None if o.duration is None else round(o.duration, 3),
                         performance=last_performance(o.output_dir),
                         output_dir=o.output_dir))
    return rows


def variant_rows(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    """Group run rows by variant (everything but the seed): the number of
    runs, how many finished, and mean ± std (n-1) of the finished runs'
    performance."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["exp_name"], []).append(r)
    out = []
    for name, runs in groups.items():
        ok = [r for r in runs if r["state"] in ("finished", "skipped")]
        perf = [r["performance"] for r in ok if r["performance"] is not None]
        out.append(dict({k: runs[0].get(k) for k in keys}, exp_name=name, runs=len(runs),
                        finished=len(ok),
                        performance_mean=statistics.fmean(perf) if perf else None,
                        performance_std=statistics.stdev(perf) if len(perf) > 1 else None))
    return out


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align rows under header; the last column is not padded."""
    rows = [list(header)] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = ["  ".join([r[i].ljust(widths[i]) for i in range(len(widths))] + [r[-1]]).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths + [len(header[-1])]))
    return "\n".join(lines)


def runs_table(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> str:
    """The per-run table: seed and varied keys, then variant, state,
    duration, performance and output dir."""
    body = []
    for r in rows:
        state = r["state"]
        if r["exit_code"] not in (None, 0):
            state += " (exit %d)" % r["exit_code"]
        perf = r["performance"]
        body.append([cell(r.get("seed"))] + [cell(r.get(k)) for k in keys]
                    + [r["exp_name"] or "''", state, format_duration(r["duration"]),
                       "" if perf is None else "%.4g" % perf, r["output_dir"] or ""])
    return _table(["seed", *keys, "Variant", "State", "Duration", "Performance", "Output dir"],
                  body)


def variants_table(rows: Sequence[dict[str, Any]], keys: Sequence[str]) -> str:
    """The per-variant table: varied keys, variant, finished/runs, mean ± std."""
    body = []
    for r in rows:
        mean, std = r["performance_mean"], r["performance_std"]
        perf = "" if mean is None else "%.4g" % mean
        if std is not None:
            perf += " ± %.3g" % std
        body.append([cell(r.get(k)) for k in keys]
                    + [r["exp_name"] or "''", "%d/%d" % (r["finished"], r["runs"]), perf])
    return _table([*keys, "Variant", "Finished", "Performance (mean ± std over seeds)"], body)


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """rows as CSV text (RFC 4180: quoted where needed, CRLF line ends)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for r in rows:
        writer.writerow([_csv_value(r.get(c)) for c in columns])
    return buf.getvalue()


def summarise(trials: Sequence[Trial], outcomes: Sequence[Outcome], keys: Sequence[str],
              csv_path: str) -> str:
    """Save both tables as CSV (``csv_path`` and ``..._variants.csv`` beside
    it) and return them as text, with a line that says where they went."""
    rows = run_rows(trials, outcomes)
    variants = variant_rows(rows, keys)
    text = [runs_table(rows, keys)]
    if any(v["runs"] > 1 for v in variants):
        text += ["", variants_table(variants, keys)]
    by_variant = csv_path[:-len(".csv")] + "_variants.csv"
    try:
        write_new(csv_path, to_csv(rows, ["seed", *keys, *RUN_COLUMNS]))
        write_new(by_variant, to_csv(variants, [*keys, *VARIANT_COLUMNS]))
        text += ["", "Saved as %s and %s" % (csv_path, os.path.basename(by_variant))]
    except OSError as e:
        # The tables are on screen; a summary file that cannot be written
        # must not turn a finished grid into a failed one.
        text += ["", colorize("Warning: could not save the summary to %s (%s)."
                              % (csv_path, e), "yellow")]
    return "\n".join(text)


def _csv_value(value: Any) -> Any:
    # Numbers keep their full precision; functions go by name.
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, str)):
        return value
    return cell(value)


def write_new(path: str, text: str) -> str:
    """Write text to path; an earlier file there is moved aside to path.1
    (path.2, ...) first, never overwritten. Returns path."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    if os.path.lexists(path):
        n = 1
        while os.path.lexists("%s.%d" % (path, n)):
            n += 1
        os.rename(path, "%s.%d" % (path, n))
    _atomic.write_text(path, text)
    return path
