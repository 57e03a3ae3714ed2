"""How much does the logger cost? Prints figures; asserts nothing.

1. store() calls per second, against appending to a plain dict of lists.
2. One epoch of logging: 4000 store() calls of 5 keys, then 20 log_tabular
   calls (the 5 stored keys with min and max, 15 plain values) and
   dump_tabular, against a plain dict-of-lists baseline written here that
   computes the same float32 statistics, prints the same table and writes
   the same row. Target: at most 1.2x the baseline.
3. The same epoch with more outputs (``Logger(outputs=...)``), against the
   same logger writing progress.txt alone. Target for ``('csv', 'jsonl')``:
   at most 1.3x. MLflow (a local SQLite store) and W&B (offline) are
   printed too, with the time each takes to start.
4. Import time of spinup.utils.logx against bare ``python -c pass``.
   Target: adds under 150 ms.

Every figure is a ratio against a baseline measured in the same run, since
the machine is shared and noisy; the best of several repeats is used.
"""
import contextlib
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from spinup.utils.logx import EpochLogger

STORED = ["EpRet", "EpLen", "VVals", "LossPi", "LossV"]
PLAIN = ["Plain%02d" % i for i in range(15)]
STEPS = 4000


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def float32_stats(values):
    """The statistics mpi_statistics_scalar computes, on one process."""
    x = np.array(values, dtype=np.float32)
    total, n = np.asarray([np.sum(x), len(x)], dtype=np.float32)
    mean = total / n
    std = np.sqrt(np.float32(np.sum((x - mean) ** 2)) / n)
    return mean, std, np.float32(np.min(x)), np.float32(np.max(x))


class PlainBaseline:
    """A plain dict-of-lists logger, as one would write it by hand: no
    validation, no MPI, no atomic files."""

    def __init__(self, path):
        self.data = {}
        self.row = {}
        self.file = open(path, "w")
        self.first = True

    def store(self, **kwargs):
        for k, v in kwargs.items():
            self.data.setdefault(k, []).append(v)

    def log_stats(self, key):
        mean, std, lo, hi = float32_stats(self.data[key])
        self.row["Average" + key], self.row["Std" + key] = mean, std
        self.row["Max" + key], self.row["Min" + key] = hi, lo
        self.data[key] = []

    def dump(self, sink):
        row = self.row
        width = max(15, max(len(k) for k in row))
        fmt = "| %" + str(width) + "s | %15s |"
        lines = ["-" * (22 + width)] + [fmt % (k, "%8.3g" % v) for k, v in row.items()]
        sink.write("\n".join(lines + ["-" * (22 + width)]) + "\n")
        if self.first:
            self.file.write("\t".join(row) + "\n")
            self.first = False
        self.file.write("\t".join(map(str, row.values())) + "\n")
        self.file.flush()
        self.row = {}

    def epoch(self, samples, sink):
        for step in range(STEPS):
            v = samples[step]
            self.store(EpRet=v, EpLen=v, VVals=v, LossPi=v, LossV=v)
        for key in STORED:
            self.log_stats(key)
        for i, key in enumerate(PLAIN):
            self.row[key] = float(i)
        self.dump(sink)


def logger_epoch(logger, samples):
    for step in range(STEPS):
        v = samples[step]
        logger.store(EpRet=v, EpLen=v, VVals=v, LossPi=v, LossV=v)
    for key in STORED:
        logger.log_tabular(key, with_min_and_max=True)
    for i, key in enumerate(PLAIN):
        logger.log_tabular(key, float(i))
    logger.dump_tabular()


def bench_store(out_dir):
    n = 200_000
    with contextlib.redirect_stdout(io.StringIO()):
        logger = EpochLogger(output_dir=os.path.join(out_dir, "store"))

    def with_logger():
        for _i in range(n):
            logger.store(X=1.5)
        logger.epoch_dict.clear()

    plain_logger = PlainBaseline(os.devnull)

    def plain():
        for _i in range(n):
            plain_logger.store(X=1.5)
        plain_logger.data.clear()

    t_logger, t_plain = best_of(5, with_logger), best_of(5, plain)
    print("store():        %10.0f values/s   (plain dict-of-lists store: %10.0f/s, ratio %.2fx)"
          % (n / t_logger, n / t_plain, t_logger / t_plain))


def bench_epoch(out_dir):
    samples = [float(x) for x in np.random.default_rng(0).normal(size=STEPS)]
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):
        logger = EpochLogger(output_dir=os.path.join(out_dir, "epoch"))
    baseline = PlainBaseline(os.path.join(out_dir, "baseline.txt"))

    def run_logger():
        with contextlib.redirect_stdout(sink):
            logger_epoch(logger, samples)

    def run_plain():
        baseline.epoch(samples, sink)

    run_logger(), run_plain()  # warm up
    t_logger, t_plain = [], []
    for _ in range(15):  # interleave so load changes hit both alike
        t_logger.append(best_of(1, run_logger))
        t_plain.append(best_of(1, run_plain))
    a, b = min(t_logger), min(t_plain)
    print("epoch of logging: %6.2f ms   (plain baseline: %6.2f ms, ratio %.2fx, target <= 1.2x)"
          % (a * 1e3, b * 1e3, a / b))
    with open(os.path.join(out_dir, "epoch", "progress.txt")) as f:
        ours = f.readline()
    with open(os.path.join(out_dir, "baseline.txt")) as f:
        theirs = f.readline()
    assert ours == theirs, "the baseline must write the same columns"


def bench_outputs(out_dir):
    # Real stores, kept inside the temporary folder: nothing is sent anywhere.
    os.environ["MLFLOW_TRACKING_URI"] = "sqlite:///" + os.path.join(out_dir, "mlflow.db")
    os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true")
    os.environ.pop("SPINUP_LOG_OUTPUTS", None)
    samples = [float(x) for x in np.random.default_rng(0).normal(size=STEPS)]
    sink = io.StringIO()
    setups = [("progress.txt alone", ()), ("csv + jsonl", ("csv", "jsonl"))]
    setups += [(name, (name,)) for name in ("mlflow", "wandb")
               if importlib.util.find_spec(name) is not None]
    loggers, startup = {}, {}
    for label, outputs in setups:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(sink):
            loggers[label] = EpochLogger(output_dir=os.path.join(out_dir, "out_%d" % len(loggers)),
                                         exp_name="bench", outputs=outputs)
        startup[label] = time.perf_counter() - t0
    times = {label: [] for label in loggers}
    for _ in range(40):  # interleave so load changes hit all alike
        for label, logger in loggers.items():
            with contextlib.redirect_stdout(sink):
                times[label].append(best_of(1, lambda logger=logger: logger_epoch(logger, samples)))
    base = min(times["progress.txt alone"])
    for label, logger in loggers.items():
        best = min(times[label])
        target = ", target <= 1.3x" if label == "csv + jsonl" else ""
        print("epoch with %-18s %7.2f ms   (ratio to progress.txt alone %.2fx%s; start-up %.0f ms)"
              % (label + ":", best * 1e3, best / base, target, startup[label] * 1e3))
        with contextlib.redirect_stdout(sink):
            logger.close()


def bench_import():
    def timed(code):
        return best_of(7, lambda: subprocess.run([sys.executable, "-c", code], check=True))

    bare = timed("pass")
    logx = timed("import spinup.utils.logx")
    print("import spinup.utils.logx: %6.1f ms  (bare python: %6.1f ms, adds %6.1f ms, "
          "target < 150 ms)" % (logx * 1e3, bare * 1e3, (logx - bare) * 1e3))


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as out_dir:
        bench_store(out_dir)
        bench_epoch(out_dir)
        bench_outputs(out_dir)
    bench_import()
