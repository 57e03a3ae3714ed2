"""Does PPO learn CartPole-v1, and how fast does it collect experience?

1. Learning: PPO with its default hyperparameters (4000 steps per epoch,
   50 epochs), PyTorch and TF1, seeds 0, 10 and 20. Prints each learning
   curve (AverageEpRet every 5 epochs) and the mean AverageEpRet over the
   last 5 epochs. Target: at least 400 for each framework (mean over the
   seeds; CartPole-v1's maximum is 500).

2. Throughput: environment steps per second of training (TotalEnvInteracts
   over Time, so it includes the updates) for a short PPO run on 1 and on 2
   MPI ranks, with the ratio 2 ranks / 1 rank. Each process uses one
   thread (``OMP_NUM_THREADS=1``, as ``mpi_fork`` sets for MPI ranks). The
   two are timed back to back in this command, so they see similar machine
   load; on a machine shared with other work the ratio is the figure to
   read, and it cannot exceed the number of idle cores.

Every run is a fresh process writing to a temporary folder. The learning
runs go two at a time (``--parallel``). Run it with::

    python benchmarks/ppo_cartpole.py

or a quick look with ``--epochs 10 --seeds 0`` (``--skip_learning`` or
``--skip_throughput`` runs one part only). The exit status is 1 if a
framework misses the target (only checked with the full 50 epochs).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from spinup.utils import results

TARGET = 400.0
MPIEXEC = os.path.join(os.path.dirname(sys.executable), "mpiexec")

RUN = """
import sys
import gymnasium as gym
from spinup.algos.{fw}.ppo.ppo import ppo
ppo(lambda: gym.make("CartPole-v1"), seed=int(sys.argv[2]), epochs=int(sys.argv[3]),
    steps_per_epoch=int(sys.argv[4]), logger_kwargs=dict(output_dir=sys.argv[1]))
"""


def run_ppo(fw, output_dir, seed, epochs, steps_per_epoch=4000, ranks=1):
    """Train PPO in a fresh process (under mpiexec for ranks > 1)."""
    cmd = [sys.executable, "-c", RUN.format(fw=fw), output_dir, str(seed), str(epochs),
           str(steps_per_epoch)]
    if ranks > 1:
        cmd = [MPIEXEC, "-n", str(ranks)] + cmd
    # One thread per process, as mpi_fork sets it for MPI ranks: the
    # networks are small, and extra threads only fight over the cores.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError("PPO (%s, seed %d) failed:\n%s" % (fw, seed, proc.stderr[-3000:]))
    return read_progress(output_dir)


def read_progress(output_dir):
    """progress.txt as a dict of column name -> numpy array."""
    frame = results.read_progress(os.path.join(output_dir, "progress.txt"))
    return {column: frame[column].to_numpy(float) for column in frame.columns}


def learning(frameworks, seeds, epochs, parallel, base):
    """Run every (framework, seed); print the curves; return pass/fail."""
    jobs = [(fw, seed) for fw in frameworks for seed in seeds]
    started = time.time()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {job: pool.submit(run_ppo, job[0], os.path.join(base, "%s_s%d" % job),
                                    job[1], epochs) for job in jobs}
        results = {job: f.result() for job, f in futures.items()}
    print("Learning runs took %.0f s (%d runs, %d at a time).\n"
          % (time.time() - started, len(jobs), parallel))

    shown = sorted(set(list(range(0, epochs, 5)) + [epochs - 1]))
    ok = True
    for fw in frameworks:
        print("PPO (%s) on CartPole-v1, AverageEpRet by epoch:" % fw)
        print("  epoch " + "".join("%8d" % e for e in shown))
        finals = []
        for seed in seeds:
            ret = results[fw, seed]["AverageEpRet"]
            finals.append(float(np.mean(ret[-5:])))
            print("  s%-4d " % seed + "".join("%8.1f" % ret[e] for e in shown))
        mean_final = float(np.mean(finals))
        verdict = "meets" if mean_final >= TARGET else "MISSES"
        print("  mean AverageEpRet over the last 5 epochs: %s -> %.1f (%s the target %.0f)\n"
              % (", ".join("s%d %.1f" % sf for sf in zip(seeds, finals)), mean_final,
                 verdict, TARGET))
        ok = ok and mean_final >= TARGET
    return ok


def throughput(frameworks, base, epochs=3, steps_per_epoch=4000):
    """Print env steps per second on 1 and 2 MPI ranks, and their ratio."""
    print("Training throughput (env steps per second, %d epochs of %d steps; "
          "1 and 2 ranks run back to back):" % (epochs, steps_per_epoch))
    for fw in frameworks:
        rates = {}
        for ranks in (1, 2):
            out = os.path.join(base, "speed_%s_n%d" % (fw, ranks))
            progress = run_ppo(fw, out, 0, epochs, steps_per_epoch, ranks=ranks)
            rates[ranks] = progress["TotalEnvInteracts"][-1] / progress["Time"][-1]
        print("  %-8s 1 rank: %7.0f steps/s   2 ranks: %7.0f steps/s   ratio 2/1: %.2fx"
              % (fw, rates[1], rates[2], rates[2] / rates[1]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frameworks", nargs="+", default=["pytorch", "tf1"],
                        choices=["pytorch", "tf1"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 10, 20])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--skip_learning", action="store_true")
    parser.add_argument("--skip_throughput", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the runs' folders")
    args = parser.parse_args()

    base = tempfile.mkdtemp(prefix="spinup_ppo_bench_")
    try:
        ok = args.skip_learning or learning(args.frameworks, args.seeds, args.epochs,
                                            args.parallel, base)
        if not args.skip_throughput:
            throughput(args.frameworks, base)
    finally:
        if args.keep:
            print("Runs kept in %s" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)
    if args.epochs >= 50 and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
