"""Plot learning curves from the progress.txt files of finished (or running) runs.

From the command line::

    python -m spinup.run plot data/ppo_cartpole --value Performance --smooth 5

Every folder below a LOGDIR that holds a ``progress.txt`` is one run. Runs
with the same experiment name are one condition: the plot shows the mean (or
another estimator) over their seeds, with a band of one standard deviation.

On a machine without a display, ``--savedir DIR --format png`` writes one
image per plotted value instead of opening a window.
"""

__all__ = ["plot_data", "get_datasets", "get_all_datasets", "make_plots", "main", "PlotError",
           "SAVE_FORMATS"]

import argparse
import json
import os
import os.path as osp
import re
import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd

from spinup._errors import SpinupError

DIV_LINE_WIDTH = 50

# Running counters shared by get_datasets calls, as in the original: they give
# every run of a plot its own Condition2 index and Unit number.
exp_idx = 0
units = dict()

SAVE_FORMATS = ("png", "svg", "pdf")


class PlotError(ValueError, SpinupError):
    """A plot request that can't be carried out (bad option, nothing to plot)."""


def _pyplot():
    # Imported on first use: matplotlib picks a non-interactive backend by
    # itself when there is no display, and `import spinup.utils.plot` stays
    # cheap for code that only wants get_datasets.
    import matplotlib.pyplot as plt
    return plt


def plot_data(data: pd.DataFrame | list[pd.DataFrame], xaxis: str = "Epoch",
              value: str = "AverageEpRet", condition: str = "Condition1",
              smooth: int = 1, font_scale: float = 1.5, **kwargs) -> None:
    """Draw one learning-curve plot on the current matplotlib figure.

    Args:
        data: A DataFrame, or a list of them (one per run, as returned by
            :func:`get_all_datasets`). Each needs the columns ``xaxis``,
            ``value`` and ``condition``.
        xaxis: Column for the x axis.
        value: Column for the y axis.
        condition: Column whose values become the lines (and legend entries).
            Runs sharing a condition are averaged, with a standard-deviation
            band around the average.
        smooth: Window of a moving average applied to ``value`` within each
            run. 1 means no smoothing. The average at each point is over
            the ``smooth`` nearest points (fewer at the ends).
        font_scale: Seaborn font scale.
        **kwargs: Passed on to ``seaborn.lineplot`` (for example
            ``estimator=np.median``).
    """
    import seaborn as sns
    plt = _pyplot()

    if isinstance(data, pd.DataFrame):
        data = [data]
    if smooth > 1:
        # Smooth each run on its own so neighbouring runs don't bleed into each
        # other; dividing by the window count keeps the ends unbiased.
        smoothed = []
        for datum in data:
            datum = datum.copy()
            x = np.asarray(datum[value], dtype=float)
            # 'same' mode returns max(len(x), window) points; a run shorter than
            # the window is smoothed over its whole length instead.
            window = np.ones(min(smooth, len(x)))
            counts = np.convolve(np.ones(len(x)), window, "same")
            datum[value] = np.convolve(x, window, "same") / counts
            smoothed.append(datum)
        data = smoothed
    data = pd.concat(data, ignore_index=True)

    sns.set_theme(style="darkgrid", font_scale=font_scale)
    kwargs.setdefault("errorbar", "sd")
    sns.lineplot(data=data, x=xaxis, y=value, hue=condition, **kwargs)
    plt.legend(loc="best").set_draggable(True)

    # Large step counts read better in scientific notation.
    xscale = np.max(np.asarray(data[xaxis], dtype=float)) > 5e3
    if xscale:
        plt.ticklabel_format(style="sci", axis="x", scilimits=(0, 0))
    plt.tight_layout(pad=0.5)


def _read_progress(path: str) -> pd.DataFrame | None:
    """Read one progress.txt, or report why it can't be used and return None.

    A run that was killed while writing can leave a last line cut short; that
    line is dropped (and reported) and the rest of the run is kept. A file
    whose rows don't match its header is skipped as a whole.
    """
    try:
        with open(path, newline="") as f:
            text = f.read()
    except OSError as e:
        print("Could not read from %s (%s); skipping it." % (path, e))
        return None
    lines = text.split("\n")
    truncated = not text.endswith("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].strip():
        print("Could not read from %s: the file is empty; skipping it." % path)
        return None
    width = len(lines[0].split("\t"))
    if truncated and len(lines) > 1:
        print("%s: the last line was cut short (the run was probably stopped "
              "while writing it); ignoring that line." % path)
        lines.pop()
    if len(lines) < 2:
        print("Could not read from %s: no rows of data yet; skipping it." % path)
        return None
    for lineno, line in enumerate(lines[1:], start=2):
        if len(line.split("\t")) != width:
            print("Could not read from %s: line %d has %d columns but the header "
                  "has %d; skipping this file." % (path, lineno, len(line.split("\t")), width))
            return None
    from io import StringIO
    try:
        return pd.read_table(StringIO("\n".join(lines) + "\n"))
    except Exception as e:  # pandas raises several parser error types
        print("Could not read from %s (%s); skipping it." % (path, e))
        return None


def get_datasets(logdir: str, condition: str | None = None) -> list[pd.DataFrame]:
    """Recursively collect every run below ``logdir``.

    Every folder that holds a ``progress.txt`` is one run. Its experiment name
    is read from ``config.json`` when that is there.

    Args:
        logdir: Folder to search.
        condition: Legend name for all the runs found here. Defaults to each
            run's exp_name, or ``'exp'`` when it has none.

    Returns:
        One DataFrame per readable run: the columns of progress.txt plus
        ``Unit`` (how many earlier runs shared this Condition1),
        ``Condition1`` (the legend name), ``Condition2`` (Condition1 plus a
        running index, so every run gets its own line with ``--count``) and
        ``Performance`` (AverageTestEpRet if logged, else AverageEpRet).
        Empty, truncated-beyond-repair and column-mismatched files are
        reported and skipped.
    """
    global exp_idx
    datasets = []
    for root, dirs, files in os.walk(logdir):
        dirs.sort()  # a stable order, so Unit and Condition2 are reproducible
        if "progress.txt" not in files:
            continue
        exp_name = None
        try:
            with open(osp.join(root, "config.json")) as f:
                config = json.load(f)
            if isinstance(config, dict) and "exp_name" in config:
                exp_name = config["exp_name"]
        except (OSError, ValueError):
            print("No file named config.json")
        condition1 = condition or exp_name or "exp"
        condition2 = condition1 + "-" + str(exp_idx)
        exp_idx += 1
        if condition1 not in units:
            units[condition1] = 0
        unit = units[condition1]
        units[condition1] += 1

        exp_data = _read_progress(osp.join(root, "progress.txt"))
        if exp_data is None:
            continue
        if "AverageTestEpRet" in exp_data:
            performance = "AverageTestEpRet"
        elif "AverageEpRet" in exp_data:
            performance = "AverageEpRet"
        else:
            performance = None
        exp_data.insert(len(exp_data.columns), "Unit", unit)
        exp_data.insert(len(exp_data.columns), "Condition1", condition1)
        exp_data.insert(len(exp_data.columns), "Condition2", condition2)
        exp_data.insert(len(exp_data.columns), "Performance",
                        exp_data[performance] if performance else np.nan)
        exp_data.attrs["x_axis"] = _recorded_x_axis(root)
        datasets.append(exp_data)
    return datasets


def _recorded_x_axis(run_dir: str) -> str | None:
    """The x axis a garage-style experiment chose for this run (wrap_experiment's x_axis)."""
    try:
        with open(osp.join(run_dir, "metadata.json")) as f:
            x_axis = json.load(f).get("x_axis")
    except (OSError, ValueError, AttributeError):
        return None
    return x_axis if isinstance(x_axis, str) else None


def _default_x_axis(data: list[pd.DataFrame]) -> str:
    choices = sorted({d.attrs.get("x_axis") or "TotalEnvInteracts" for d in data})
    if len(choices) > 1:
        print("The runs record different x axes (%s); using TotalEnvInteracts. Choose one "
              "with --xaxis." % ", ".join(choices))
        return "TotalEnvInteracts"
    return choices[0]


def _expand_logdir(logdir: str) -> list[str]:
    """The folders one LOGDIR argument stands for (see get_all_datasets)."""
    if osp.isdir(logdir) and logdir[-1] == os.sep:
        return [logdir]
    basedir = osp.dirname(logdir) or os.curdir
    prefix = logdir.split(os.sep)[-1]
    try:
        listdir = sorted(os.listdir(basedir))
    except OSError:
        print("Could not list %s; nothing to plot from %s." % (basedir, logdir))
        return []
    found = [osp.join(basedir, x) for x in listdir if x.startswith(prefix)]
    if not found:
        print("Nothing in %s starts with %r." % (basedir, prefix))
    return found


def get_all_datasets(all_logdirs: Sequence[str], legend: Sequence[str] | None = None,
                     select: Sequence[str] | None = None,
                     exclude: Sequence[str] | None = None) -> list[pd.DataFrame]:
    """Collect the runs for a list of LOGDIR arguments.

    A LOGDIR that is a folder and ends in ``/`` is searched as is. Otherwise
    its last part is a prefix: every entry of its parent folder whose name
    starts with it is searched (in sorted order). So ``data/ppo`` plots
    ``data/ppo_cartpole``, ``data/ppo_hopper`` and so on.

    Args:
        all_logdirs: The LOGDIR arguments.
        legend: One legend name per matched folder (optional).
        select: Keep only folders whose path contains all of these strings.
        exclude: Drop folders whose path contains any of these strings.

    Returns:
        The list of DataFrames from :func:`get_datasets`, over all folders.

    Raises:
        PlotError: (a ValueError) if a legend is given whose length does not match the
            number of matched folders.
    """
    global exp_idx, units
    exp_idx, units = 0, dict()
    logdirs = []
    for logdir in all_logdirs:
        logdirs += _expand_logdir(logdir)

    if select is not None:
        logdirs = [log for log in logdirs if all(x in log for x in select)]
    if exclude is not None:
        logdirs = [log for log in logdirs if all(x not in log for x in exclude)]

    print("Plotting from...\n" + "=" * DIV_LINE_WIDTH + "\n")
    for logdir in logdirs:
        print(logdir)
    print("\n" + "=" * DIV_LINE_WIDTH)

    if legend and len(legend) != len(logdirs):
        raise PlotError("Must give a legend title for each set of experiments: "
                         "got %d legend entries for %d folders."
                         % (len(legend), len(logdirs)))
    data = []
    if legend:
        for log, leg in zip(logdirs, legend):
            data += get_datasets(log, leg)
    else:
        for log in logdirs:
            data += get_datasets(log)
    return data


def _has_display() -> bool:
    import matplotlib
    return matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo",
                                                    "template", "pgf")


def make_plots(all_logdirs: Sequence[str], legend: Sequence[str] | None = None,
               xaxis: str | None = None, values: str | Sequence[str] | None = None,
               count: bool = False, font_scale: float = 1.5, smooth: int = 1,
               select: Sequence[str] | None = None, exclude: Sequence[str] | None = None,
               estimator: str = "mean", *, savedir: str | None = None,
               format: str = "png") -> list[str]:
    """Make one figure per value, and show them or save them.

    Args:
        all_logdirs: LOGDIR arguments, as for :func:`get_all_datasets`.
        legend: One legend name per matched folder.
        xaxis: Column for the x axis (None means the ``x_axis`` the runs
            recorded with wrap_experiment, else ``TotalEnvInteracts``).
        values: Column, or list of columns, to plot: one figure each
            (None means ``Performance``).
        count: Draw every run as its own line instead of averaging runs of
            the same condition.
        font_scale: Seaborn font scale.
        smooth: Moving-average window (1 = no smoothing).
        select: Keep only folders whose path contains all of these.
        exclude: Drop folders whose path contains any of these.
        estimator: Name of a numpy function that combines runs of a
            condition ('mean', 'median', 'max', ...).
        savedir: Write the figures here instead of showing them, one file
            per value, named after the value. Needs no display.
        format: Image format for savedir: 'png', 'svg' or 'pdf'.

    Returns:
        The paths of the files written (empty when showing on screen).

    Raises:
        PlotError: (a ValueError) for an unknown estimator or format, or when nothing
            readable was found to plot.
    """
    if format not in SAVE_FORMATS:
        raise PlotError("Unknown format %r: use one of %s." % (format, ", ".join(SAVE_FORMATS)))
    est = getattr(np, estimator, None)
    if not callable(est):
        raise PlotError("Unknown estimator %r: give the name of a numpy function, "
                         "e.g. mean, median, max or min." % estimator)
    if values is None:
        values = ["Performance"]
    values = list(values) if isinstance(values, (list, tuple)) else [values]
    data = get_all_datasets(all_logdirs, legend, select, exclude)
    if not data:
        raise PlotError("No readable progress.txt found under %s." % ", ".join(all_logdirs))
    xaxis = xaxis or _default_x_axis(data)
    condition = "Condition2" if count else "Condition1"

    plt = _pyplot()
    saved = []
    for value in values:
        usable = []
        for datum in data:
            missing = [c for c in (xaxis, value) if c not in datum]
            if missing:
                print("Skipping %s for %r: no column %s."
                      % (datum["Condition2"].iloc[0], value, " or ".join(map(repr, missing))))
            else:
                usable.append(datum)
        if not usable:
            print("Nothing to plot for %r." % value)
            continue
        fig = plt.figure()
        plot_data(usable, xaxis=xaxis, value=value, condition=condition, smooth=smooth,
                  font_scale=font_scale, estimator=est)
        if savedir is not None:
            os.makedirs(savedir, exist_ok=True)
            fname = re.sub(r"[^A-Za-z0-9_.-]", "_", value) + "." + format
            path = osp.join(savedir, fname)
            fig.savefig(path, format=format)
            plt.close(fig)
            print("Saved %s" % path)
            saved.append(path)
    if savedir is None:
        if _has_display():
            plt.show()
        else:
            print("There is no display to show the plots on; use --savedir DIR "
                  "(and --format png|svg|pdf) to write them to files instead.")
    return saved


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point (``python -m spinup.run plot ...``).

    Args:
        argv: The arguments after ``plot``; defaults to ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m spinup.run plot",
        description="Plot learning curves from spinup output folders.")
    parser.add_argument("logdir", nargs="*",
                        help="folders to plot from; a trailing / means exactly this "
                             "folder, otherwise the last part is a name prefix")
    parser.add_argument("--legend", "-l", nargs="*",
                        help="one legend name per matched folder")
    parser.add_argument("--xaxis", "-x", default=None,
                        help="x column (default: the runs' recorded x_axis, else "
                             "TotalEnvInteracts)")
    parser.add_argument("--value", "-y", default="Performance", nargs="*",
                        help="one figure per value")
    parser.add_argument("--count", action="store_true",
                        help="one line per run instead of averaging runs")
    parser.add_argument("--smooth", "-s", type=int, default=1,
                        help="moving-average window (1 = no smoothing)")
    parser.add_argument("--select", nargs="*", help="keep paths containing all of these")
    parser.add_argument("--exclude", nargs="*", help="drop paths containing any of these")
    parser.add_argument("--est", default="mean", help="numpy estimator: mean, median, max, ...")
    parser.add_argument("--savedir", default=None,
                        help="write one image per value to this folder instead of showing")
    parser.add_argument("--format", default="png", choices=SAVE_FORMATS,
                        help="image format for --savedir")
    args = parser.parse_args(argv)
    if not args.logdir:
        parser.error("give at least one LOGDIR to plot from")
    if args.smooth < 1:
        parser.error("--smooth must be 1 or more")
    try:
        make_plots(args.logdir, args.legend, args.xaxis, args.value, args.count,
                   smooth=args.smooth, select=args.select, exclude=args.exclude,
                   estimator=args.est, savedir=args.savedir, format=args.format)
    except PlotError as e:
        print("plot: error: %s" % e, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
