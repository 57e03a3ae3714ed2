"""The results of many runs as one pandas DataFrame, ready for analysis.

Every folder that holds a ``progress.txt`` is one run. :func:`load_runs`
reads all the runs below a folder into one table, one row per row of their
progress files, with the run's name, seed, folder and configuration beside
each row::

    from spinup.utils.results import load_runs, summarize

    df = load_runs('data/lr_study')
    df[df['Epoch'] == df['Epoch'].max()].groupby('config/pi_lr')['AverageEpRet'].mean()

    print(summarize('data/lr_study'))   # one line per variant: mean ± std over seeds

From the command line, ``python -m spinup.run results data/lr_study`` prints
the :func:`summarize` table.
"""
import json
import os
import os.path as osp
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from io import StringIO
from typing import Any

import numpy as np
import pandas as pd

from spinup._constants import PERFORMANCE_KEYS
from spinup._errors import SpinupError

__all__ = ["ResultsError", "Run", "expand_logdir", "read_progress", "iter_runs",
           "flatten_config", "load_runs", "summarize", "format_summary", "main"]

# Columns load_runs puts in front of each run's own progress.txt columns.
ID_COLUMNS = ["exp_name", "seed", "run"]

# Config keys that say where or how a run was logged, not what was run: they
# differ between every pair of runs, so they never make a variant.
_NOT_HYPERPARAMETERS = ("exp_name", "seed", "logger_kwargs", "output_dir", "env_fn",
                        "logger", "resume")

_SEED_RE = re.compile(r"^(.*)_s(\d+)$")


class ResultsError(ValueError, SpinupError):
    """No results where they were asked for (or no such column); the message
    says where spinup looked."""


@dataclass
class Run:
    """One run found on disk.

    Attributes:
        dir: The run's output folder.
        config: Its config.json, or None when it has none (or it is unreadable).
        progress: Its progress.txt as a DataFrame, or None when that can't be
            used (empty, or rows that don't match the header).
    """
    dir: str
    config: dict[str, Any] | None
    progress: pd.DataFrame | None


def expand_logdir(logdir: str, report: Callable[[str], None] = print) -> list[str]:
    """The folders one LOGDIR argument stands for, with the plotter's rule.

    A LOGDIR that is a folder and ends in ``/`` stands for itself. Otherwise
    its last part is a prefix: every entry of its parent folder whose name
    starts with it (in sorted order). So ``data/ppo`` stands for
    ``data/ppo_cartpole``, ``data/ppo_hopper`` and so on, the way a grid names
    its variants.
    """
    if osp.isdir(logdir) and logdir[-1] == os.sep:
        return [logdir]
    basedir = osp.dirname(logdir) or os.curdir
    prefix = logdir.split(os.sep)[-1]
    try:
        listdir = sorted(os.listdir(basedir))
    except OSError:
        report("Could not list %s; nothing to read from %s." % (basedir, logdir))
        return []
    found = [osp.join(basedir, x) for x in listdir if x.startswith(prefix)]
    if not found:
        report("Nothing in %s starts with %r." % (basedir, prefix))
    return found


def read_progress(path: str, report: Callable[[str], None] = print) -> pd.DataFrame | None:
    """Read one progress.txt, or report why it can't be used and return None.

    A run that was killed while writing can leave a last line cut short; that
    line is dropped (and reported) and the rest of the run is kept. A file
    whose rows don't match its header is skipped as a whole.
    """
    try:
        with open(path, newline="") as f:
            text = f.read()
    except OSError as e:
        report("Could not read from %s (%s); skipping it." % (path, e))
        return None
    lines = text.split("\n")
    truncated = not text.endswith("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].strip():
        report("Could not read from %s: the file is empty; skipping it." % path)
        return None
    width = len(lines[0].split("\t"))
    if truncated and len(lines) > 1:
        report("%s: the last line was cut short (the run was probably stopped "
               "while writing it); ignoring that line." % path)
        lines.pop()
    if len(lines) < 2:
        report("Could not read from %s: no rows of data yet; skipping it." % path)
        return None
    for lineno, line in enumerate(lines[1:], start=2):
        if len(line.split("\t")) != width:
            report("Could not read from %s: line %d has %d columns but the header "
                   "has %d; skipping this file." % (path, lineno, len(line.split("\t")), width))
            return None
    try:
        return pd.read_table(StringIO("\n".join(lines) + "\n"))
    except Exception as e:  # pandas raises several parser error types
        report("Could not read from %s (%s); skipping it." % (path, e))
        return None


def _read_config(run_dir: str) -> dict[str, Any] | None:
    try:
        with open(osp.join(run_dir, "config.json")) as f:
            config = json.load(f)
    except (OSError, ValueError):
        return None
    return config if isinstance(config, dict) else None


def iter_runs(logdir: str, report: Callable[[str], None] = print) -> Iterator[Run]:
    """Every run below one folder, in a stable (sorted) order.

    Every folder that holds a ``progress.txt`` is a run, readable or not:
    a run whose progress can't be used comes with ``progress=None`` (and
    ``report`` was told why).
    """
    for root, dirs, files in os.walk(logdir):
        dirs.sort()
        if "progress.txt" in files:
            yield Run(root, _read_config(root),
                      read_progress(osp.join(root, "progress.txt"), report))


def _hashable(value: Any) -> Any:
    # JSON lists become tuples so that variants can be grouped by them.
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return value


def flatten_config(config: dict[str, Any], sep: str = ":") -> dict[str, Any]:
    """Flatten nested dicts the way the grid names keys: ``{'ac_kwargs':
    {'hidden_sizes': [64]}}`` becomes ``{'ac_kwargs:hidden_sizes': (64,)}``.

    Lists become tuples (so they can be grouped on). A dict whose keys are not
    names (the logger's record of an object, ``{'<Foo object at 0x..>':
    {...}}``) is kept whole, as its JSON text.
    """
    flat: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, dict) and value and all(
                isinstance(k, str) and k.isidentifier() for k in value):
            for inner, v in flatten_config(value, sep).items():
                flat[key + sep + inner] = v
        else:
            flat[key] = _hashable(value)
    return flat


def _run_identity(run: Run) -> tuple[str, Any]:
    """(exp_name, seed) from config.json, else from the folder's name
    (``<exp_name>_s<seed>``, as setup_logger_kwargs names it)."""
    name = osp.basename(osp.normpath(run.dir))
    m = _SEED_RE.match(name)
    config = run.config or {}
    exp_name = config.get("exp_name") or (m.group(1) if m else name)
    seed = config.get("seed", int(m.group(2)) if m else None)
    return exp_name, seed


def _as_list(path: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    if isinstance(path, (str, os.PathLike)):
        return [os.fspath(path)]
    return [os.fspath(p) for p in path]


def load_runs(path: str | os.PathLike | Sequence[str | os.PathLike], *, config: bool = True,
              verbose: bool = True) -> pd.DataFrame:
    """Load every run under ``path`` into one DataFrame.

    Args:
        path: A folder, or a list of them, with the plotter's rule (see
            :func:`expand_logdir`): ``data/lr_study`` means every entry of
            ``data`` whose name starts with ``lr_study``, and
            ``data/lr_study/`` (with the slash) exactly that folder.
        config: Add the runs' configurations as ``config/<key>`` columns.
        verbose: Print the files that were skipped, and why.

    Returns:
        One row per row of every readable progress.txt, in the order the
        runs were found (sorted), with the columns ``exp_name``, ``seed``
        and ``run`` (the output folder), then the progress.txt columns (a
        column that a run did not log is NaN in its rows), then, with
        ``config``, one ``config/<key>`` column per top-level key of
        config.json, nested dicts flattened with ``:`` as in the grid's keys
        (``config/ac_kwargs:hidden_sizes``) and lists as tuples. An empty
        DataFrame when no run was found.

    Raises:
        ResultsError: a path whose parent folder doesn't exist.
    """
    report = print if verbose else (lambda msg: None)
    frames = []
    for given in _as_list(path):
        parent = given if given.endswith(os.sep) else (osp.dirname(given) or os.curdir)
        if not osp.isdir(parent):
            raise ResultsError("No folder %s: give the data folder of your runs, e.g. "
                               "data/ or data/my_experiment." % parent)
        for logdir in expand_logdir(given, report):
            for run in iter_runs(logdir, report):
                if run.progress is None:
                    continue
                frame = run.progress.copy()
                exp_name, seed = _run_identity(run)
                ids = pd.DataFrame({"exp_name": exp_name, "seed": seed, "run": run.dir},
                                   index=frame.index)
                parts = [ids, frame.drop(columns=[c for c in ID_COLUMNS if c in frame])]
                if config and run.config:
                    flat = flatten_config(run.config)
                    parts.append(pd.DataFrame(
                        {"config/" + k: pd.Series([v] * len(frame), index=frame.index,
                                                  dtype=object if isinstance(v, tuple)
                                                  else None)
                         for k, v in flat.items()}, index=frame.index))
                frames.append(pd.concat(parts, axis=1))
    if not frames:
        return pd.DataFrame(columns=ID_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _value_column(rows: pd.DataFrame, value: str) -> str | None:
    """The column of one run that ``value`` names ('Performance' means the
    first of PERFORMANCE_KEYS that the run logged)."""
    candidates = PERFORMANCE_KEYS if value == "Performance" else (value,)
    for column in candidates:
        if column in rows and rows[column].notna().any():
            return column
    return None


def _progress_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ID_COLUMNS and not c.startswith("config/")]


def summarize(path: str | os.PathLike | Sequence[str | os.PathLike] | pd.DataFrame,
              value: str = "Performance", last: int = 1, *,
              verbose: bool = False) -> pd.DataFrame:
    """One row per variant (runs sharing an exp_name): the mean and standard
    deviation over its seeds of each run's final ``value``.

    Args:
        path: What :func:`load_runs` takes, or a DataFrame it returned.
        value: The progress.txt column to compare. ``'Performance'`` (the
            default) means AverageTestEpRet when a run logged it, else
            AverageEpRet, as in the plotter and the grid's summary.
        last: Each run's value is the mean of its last ``last`` rows (1: the
            final row), which smooths a noisy last epoch.
        verbose: Print the files that were skipped, and why.

    Returns:
        A DataFrame with the columns ``exp_name``, then one column per
        hyperparameter that differs between variants (named by its grid key,
        e.g. ``pi_lr`` or ``ac_kwargs:hidden_sizes``), then ``seeds`` (how
        many runs), ``mean``, ``std`` (the sample standard deviation, with
        n - 1 as in the grid's summary and the plotter's band; NaN for a
        single seed) and ``epochs`` (the fewest rows of any of its runs).

    Raises:
        ResultsError: no runs, or no run logged ``value`` (the message lists
            the columns there are).
    """
    if last < 1:
        raise ResultsError("last must be 1 or more (got %r)." % (last,))
    df = path if isinstance(path, pd.DataFrame) else load_runs(path, verbose=verbose)
    if df.empty:
        where = "the DataFrame" if isinstance(path, pd.DataFrame) else ", ".join(_as_list(path))
        raise ResultsError("No runs found under %s: a run is a folder with a readable "
                           "progress.txt." % where)
    per_run = []
    for run_dir, rows in df.groupby("run", sort=False):
        column = _value_column(rows, value)
        if column is None:
            continue
        final = rows[column].dropna().tail(last).mean()
        per_run.append({"run": run_dir, "exp_name": rows["exp_name"].iloc[0],
                        "final": float(final), "epochs": len(rows)})
    if not per_run:
        columns = _progress_columns(df)
        if any(k in columns for k in PERFORMANCE_KEYS):
            columns.insert(0, "Performance")
        raise ResultsError("No run logged %r. Columns there are: %s."
                           % (value, ", ".join(columns)))
    finals = pd.DataFrame(per_run)

    configs = [c for c in df.columns if c.startswith("config/")
               and c[len("config/"):].split(":")[0] not in _NOT_HYPERPARAMETERS]
    first_rows = df.groupby("run", sort=False).first()
    varied = []
    for c in configs:
        per_variant = first_rows.groupby("exp_name", sort=False)[c].agg(
            lambda s: s.map(repr).nunique(dropna=False))
        values = first_rows[c].map(repr)
        if (per_variant == 1).all() and values.nunique() > 1:
            varied.append(c)

    table = []
    for exp_name, group in finals.groupby("exp_name", sort=False):
        row = {"exp_name": exp_name}
        first = first_rows.loc[group["run"].iloc[0]]
        for c in varied:
            row[c[len("config/"):]] = first[c]
        row.update(seeds=len(group), mean=float(np.mean(group["final"])),
                   std=float(np.std(group["final"], ddof=1)) if len(group) > 1 else np.nan,
                   epochs=int(group["epochs"].min()))
        table.append(row)
    result = pd.DataFrame(table)
    result.attrs["value"] = value
    result.attrs["last"] = last
    return result


def format_summary(table: pd.DataFrame) -> str:
    """The :func:`summarize` table as aligned text, with ``mean ± std``."""
    value = table.attrs.get("value", "value")
    last = table.attrs.get("last", 1)
    title = value if last == 1 else "%s (last %d)" % (value, last)
    keys = [c for c in table.columns if c not in ("exp_name", "seeds", "mean", "std", "epochs")]
    header = ["Variant", *keys, "Seeds", "Epochs", title]
    rows = [header]
    for _, r in table.iterrows():
        rows.append([str(r["exp_name"]), *("%s" % (r[k],) for k in keys), str(r["seeds"]),
                     str(r["epochs"]), "%.4g" % r["mean"] + (
                         "" if np.isnan(r["std"]) else " ± %.4g" % r["std"])])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point (``python -m spinup.run results PATH ...``).

    Args:
        argv: The arguments after ``results``.
    """
    from spinup._cli_grid import ArgumentParser, exit_usage

    parser = ArgumentParser(
        prog="python -m spinup.run results",
        description="Print one line per variant of the runs under PATH: the mean ± "
                    "standard deviation over seeds of each run's final value.",
        epilog="Example: python -m spinup.run results data/lr_study -y AverageEpRet --last 5")
    parser.add_argument("path", nargs="+",
                        help="folders with runs; as for plot, data/lr_study means every "
                             "folder in data/ starting with lr_study, and a trailing / "
                             "exactly that folder")
    parser.add_argument("--value", "-y", default="Performance",
                        help="the progress.txt column to compare (default: Performance, "
                             "which is AverageTestEpRet if logged, else AverageEpRet)")
    parser.add_argument("--last", type=int, default=1,
                        help="average each run's value over its last N rows "
                             "(default: 1, the final row)")
    args = parser.parse_args(argv)
    if args.last < 1:
        parser.error("--last must be 1 or more")
    try:
        table = summarize(args.path, args.value, args.last, verbose=True)
    except ResultsError as e:
        exit_usage("spinup.run results", str(e))
    print(format_summary(table))
