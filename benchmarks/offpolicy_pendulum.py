"""Do DDPG, TD3 and SAC learn Pendulum-v1, and how fast do they train?

Each algorithm runs with its default hyperparameters except for a shorter
schedule: 15 epochs of 2,000 steps, with ``start_steps=1000`` random steps
first, on seeds 0, 10 and 20. For each it prints the learning curve
(AverageTestEpRet, the return of the deterministic policy, per epoch), the
mean AverageTestEpRet over the last 3 epochs (mean over the seeds) against
the target (-250 for SAC and TD3, -400 for DDPG; a random policy gets about
-1200, a good one about -150), and the training speed in environment steps
per second (TotalEnvInteracts over Time at the end, so it includes the
gradient updates: one per environment step).

Every run is a fresh process, with one thread (``OMP_NUM_THREADS=1``), on
the backend given by ``--backend`` (pytorch or tf1). Run it with::

    python benchmarks/offpolicy_pendulum.py

or a quick look with ``--seeds 0`` or ``--algos sac``. The exit status is 1
if an algorithm misses its target (only checked with the full 15 epochs).
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

TARGETS = {"ddpg": -400.0, "td3": -250.0, "sac": -250.0}
LAST_EPOCHS = 3

RUN = """
import sys
import gymnasium as gym
from spinup.algos.{backend}.{algo}.{algo} import {algo}
{algo}(lambda: gym.make("Pendulum-v1"), seed=int(sys.argv[2]), epochs=int(sys.argv[3]),
       steps_per_epoch=int(sys.argv[4]), start_steps=int(sys.argv[5]),
       logger_kwargs=dict(output_dir=sys.argv[1]))
"""


def run_algo(backend, algo, output_dir, seed, epochs, steps_per_epoch, start_steps):
    """Train one algorithm on Pendulum-v1 in a fresh process; its progress."""
    cmd = [sys.executable, "-c", RUN.format(backend=backend, algo=algo), output_dir,
           str(seed), str(epochs), str(steps_per_epoch), str(start_steps)]
    # One thread per process: the networks are small, and extra threads only
    # fight over the cores with the other runs.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError("%s (%s, seed %d) failed:\n%s"
                           % (algo, backend, seed, proc.stderr[-3000:]))
    return read_progress(output_dir)


def read_progress(output_dir):
    """progress.txt as a dict of column name -> numpy array."""
    frame = results.read_progress(os.path.join(output_dir, "progress.txt"))
    return {column: frame[column].to_numpy(float) for column in frame.columns}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--algos", nargs="+", default=["ddpg", "td3", "sac"],
                        choices=sorted(TARGETS))
    parser.add_argument("--backend", default="pytorch", choices=["pytorch", "tf1"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 10, 20])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--steps_per_epoch", type=int, default=2000)
    parser.add_argument("--start_steps", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=1,
                        help="how many runs at a time (each uses one core)")
    parser.add_argument("--keep", action="store_true", help="keep the runs' folders")
    args = parser.parse_args()

    base = tempfile.mkdtemp(prefix="spinup_offpolicy_bench_")
    jobs = [(algo, seed) for algo in args.algos for seed in args.seeds]
    started = time.time()
    try:
        with ThreadPoolExecutor(max_workers=args.parallel) as pool:
            futures = {job: pool.submit(run_algo, args.backend, job[0],
                                        os.path.join(base, "%s_s%d" % job), job[1],
                                        args.epochs, args.steps_per_epoch, args.start_steps)
                       for job in jobs}
            results = {job: f.result() for job, f in futures.items()}
    finally:
        if args.keep:
            print("Runs kept in %s" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)
    print("%d runs took %.0f s (%d at a time).\n"
          % (len(jobs), time.time() - started, args.parallel))

    summary, ok = [], True
    for algo in args.algos:
        print("%s (%s) on Pendulum-v1, AverageTestEpRet by epoch:" % (algo.upper(), args.backend))
        print("  epoch " + "".join("%7d" % e for e in range(1, args.epochs + 1)))
        finals, speeds = [], []
        for seed in args.seeds:
            progress = results[algo, seed]
            ret = progress["AverageTestEpRet"]
            finals.append(float(np.mean(ret[-LAST_EPOCHS:])))
            speeds.append(progress["TotalEnvInteracts"][-1] / progress["Time"][-1])
            print("  s%-4d " % seed + "".join("%7.0f" % r for r in ret))
        mean_final = float(np.mean(finals))
        met = mean_final >= TARGETS[algo]
        ok = ok and met
        summary.append((algo, finals, mean_final, met, float(np.mean(speeds))))
        print()

    print("Mean AverageTestEpRet over the last %d epochs (%s):" % (LAST_EPOCHS, args.backend))
    print("  %-5s %-30s %8s %8s %-7s %8s" % ("algo", "per seed", "mean", "target", "", "steps/s"))
    for algo, finals, mean_final, met, speed in summary:
        per_seed = " ".join("%.0f" % f for f in finals)
        print("  %-5s %-30s %8.1f %8.0f %-7s %8.0f" % (algo, per_seed, mean_final, TARGETS[algo],
                                                       "meets" if met else "MISSES", speed))
    if args.epochs >= 15 and not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
