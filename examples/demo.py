"""The `make demo` tour: train a small PPO grid, plot it, watch one policy.

It runs exactly what you would type yourself:

1. ``python -m spinup.run ppo --env CartPole-v1 --seed 0 10 --pi_lr 3e-4 1e-3
   --parallel 2 ...``: four PPO runs (2 seeds x 2 policy learning rates),
   two at a time;
2. ``python -m spinup.run plot ... --savedir ... --format png``: the
   learning curves, as PNG files (no display needed);
3. ``python -m spinup.run test_policy RUN -nr -n 5``: five episodes of one
   trained policy, without rendering.

Every demo writes into a new timestamped folder under ``data/demo/``, so a
previous demo's outputs are never touched. It takes a few minutes on two
cores. Shorten or lengthen training with ``--epochs`` and
``--steps_per_epoch``::

    python examples/demo.py --epochs 20
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def fresh_folder(parent: str) -> str:
    """A new folder named after the current time (never an existing one)."""
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    path, n = osp.join(parent, stamp), 1
    while osp.exists(path):
        n += 1
        path = osp.join(parent, "%s_%d" % (stamp, n))
    os.makedirs(path)
    return path


def spinup(*args: str) -> None:
    """Run `python -m spinup.run ARGS`, showing the command; stop on failure."""
    cmd = [sys.executable, "-m", "spinup.run", *args]
    print("\n$ python -m spinup.run " + " ".join(args) + "\n", flush=True)
    # The grid's 5-second review countdown is for interactive use; skip it
    # here unless the user asked for it.
    env = dict(os.environ)
    env.setdefault("SPINUP_WAIT_BEFORE_LAUNCH", "0")
    code = subprocess.call(cmd, env=env)
    if code != 0:
        sys.exit("The demo stopped: `%s` exited with status %d." % (" ".join(cmd), code))


def subfolders(path):
    """The folders directly inside path, sorted by name."""
    return sorted(e for e in os.listdir(path) if osp.isdir(osp.join(path, e)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--steps_per_epoch", type=int, default=1000)
    parser.add_argument("--data_dir", default=osp.join(REPO, "data", "demo"),
                        help="parent of the demo's timestamped folder")
    args = parser.parse_args()

    start = time.time()
    out = fresh_folder(args.data_dir)
    runs, plots = osp.join(out, "runs"), osp.join(out, "plots")

    spinup("ppo", "--env", "CartPole-v1", "--exp_name", "demo_ppo",
           "--seed", "0", "10", "--pi_lr", "3e-4", "1e-3",
           "--epochs", str(args.epochs), "--steps_per_epoch", str(args.steps_per_epoch),
           "--parallel", "2", "--data_dir", runs)

    spinup("plot", runs + os.sep, "--value", "Performance", "LossPi", "LossV",
           "--savedir", plots, "--format", "png")

    # The run of the last variant: higher learning rate, seed 10. (Beside the
    # variant folders lie the grid's summary CSV files.)
    variant = subfolders(runs)[-1]
    one_run = osp.join(runs, variant, subfolders(osp.join(runs, variant))[-1])
    spinup("test_policy", one_run, "-nr", "-n", "5")

    rel = lambda p: osp.relpath(p, os.getcwd())  # noqa: E731
    print("\n" + "=" * 80)
    print("Demo finished in %.0f s. Everything is in %s:" % (time.time() - start, rel(out)))
    print("  training runs (config.json, progress.txt, pyt_save/model.pt, vars.pkl):")
    for variant in subfolders(runs):
        for run in subfolders(osp.join(runs, variant)):
            print("    " + rel(osp.join(runs, variant, run)))
    print("  the grid's summary (one row per run, and mean ± std per variant):")
    for name in sorted(os.listdir(runs)):
        if name.endswith(".csv"):
            print("    " + rel(osp.join(runs, name)))
    print("  learning curves:")
    for name in sorted(os.listdir(plots)):
        print("    " + rel(osp.join(plots, name)))
    print("Watch a policy with rendering (needs a display):")
    print("    python -m spinup.run test_policy %s" % rel(one_run))
    print("=" * 80)


if __name__ == "__main__":
    main()
