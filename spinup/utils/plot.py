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

import json
import os
import os.path as osp
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from spinup._constants import PERFORMANCE_KEYS
from spinup._errors import SpinupError
from spinup.utils import results

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
    for run in results.iter_runs(logdir):
        if run.config is None:
            print("No file named config.json")
        exp_name = (run.config or {}).get("exp_name")
        condition1 = condition or exp_name or "exp"
        condition2 = condition1 + "-" + str(exp_idx)
        exp_idx += 1
        if condition1 not in units:
            units[condition1] = 0
        unit = units[condition1]
        units[condition1] += 1

        exp_data = run.progress
        if exp_data is None:
            continue
        performance = next((k for k in PERFORMANCE_KEYS if k in exp_data), None)
        exp_data.insert(len(exp_data.columns), "Unit", unit)
        exp_data.insert(len(exp_data.columns), "Condition1", condition1)
        exp_data.insert(len(exp_data.columns), "Condition2", condition2)
        exp_data.insert(len(exp_data.columns), "Performance",
                        exp_data[performance] if performance else np.nan)
        exp_data.attrs["x_axis"] = _recorded_x_axis(run.dir)
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
        logdirs += results.expand_logdir(logdir)

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
    # A column no run has is a typo, not a gap: say so before drawing anything.
    available = list(dict.fromkeys(c for datum in data for c in datum.columns
                                   if c not in ("Unit", "Condition1", "Condition2")))
    for column in [xaxis, *values]:
        if column not in available:
            flag = "-x" if column == xaxis else "-y"
            raise PlotError("No run has a column %r (%s). The columns there are: %s."
                            % (column, flag, ", ".join(available)))

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
    from spinup._cli_grid import ArgumentParser, exit_usage

    parser = ArgumentParser(
        prog="python -m spinup.run plot",
        description="Plot learning curves from spinup output folders: one figure per "
                    "value, one line per experiment name (the mean over its seeds, with "
                    "a band of one standard deviation).",
        epilog="Example: python -m spinup.run plot data/ppo -y Performance LossPi -s 5 "
               "--savedir plots")
    parser.add_argument("logdir", nargs="*",
                        help="folders to plot from; a trailing / means exactly this "
                             "folder, otherwise the last part is a name prefix "
                             "(data/ppo matches data/ppo_cartpole, data/ppo_hopper, ...)")
    parser.add_argument("--legend", "-l", nargs="*",
                        help="one legend name per matched folder (default: each run's "
                             "exp_name from config.json)")
    parser.add_argument("--xaxis", "-x", default=None,
                        help="column for the x axis (default: the runs' recorded x_axis, "
                             "else TotalEnvInteracts)")
    parser.add_argument("--value", "-y", default="Performance", nargs="*",
                        help="column(s) to plot, one figure each (default: Performance, "
                             "which is AverageTestEpRet if logged, else AverageEpRet)")
    parser.add_argument("--count", action="store_true",
                        help="one line per run instead of the mean over runs of the "
                             "same name (default: off)")
    parser.add_argument("--smooth", "-s", type=int, default=1,
                        help="moving-average window in points (default: 1, no smoothing)")
    parser.add_argument("--select", nargs="*",
                        help="keep only folders whose path contains all of these "
                             "(default: keep all)")
    parser.add_argument("--exclude", nargs="*",
                        help="drop folders whose path contains any of these "
                             "(default: drop none)")
    parser.add_argument("--est", default="mean",
                        help="numpy function that combines the runs of a name: mean, "
                             "median, max, min, ... (default: mean)")
    parser.add_argument("--savedir", default=None,
                        help="write one image per value to this folder instead of "
                             "showing a window (default: show)")
    parser.add_argument("--format", default="png", choices=SAVE_FORMATS,
                        help="image format for --savedir: png, svg or pdf (default: png)")
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
        exit_usage("spinup.run plot", str(e))


if __name__ == "__main__":
    main()
