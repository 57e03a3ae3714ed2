"""A PPO benchmark grid on CartPole-v1 (PyTorch).

Runs PPO over two network sizes and two activations, with several seeds
each, through ExperimentGrid: 2 x 2 x num_runs runs, each in its own
process (``--cpu`` MPI processes per run, ``--parallel`` runs at a time).
Then compare the variants with the plotter::

    python examples/bench_ppo_cartpole.py --num_runs 3 --parallel 2
    python -m spinup.run plot data/ppo-pyt-bench --savedir data/ppo-pyt-bench-plots

(The same grid from the command line: ``python -m spinup.run ppo_pytorch
--exp_name ppo-pyt-bench --env CartPole-v1 --seed 0 10 20 --epochs 10
--hid[hid] "(32,)" "(64,64)" --act torch.nn.Tanh torch.nn.ReLU``.)
"""
import argparse

import torch

from spinup import ppo_pytorch
from spinup.utils.run_utils import ExperimentGrid

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="PPO benchmark grid on CartPole-v1.")
    parser.add_argument("--cpu", type=int, default=1, help="MPI processes per run")
    parser.add_argument("--num_runs", type=int, default=3, help="seeds per variant")
    parser.add_argument("--parallel", type=int, default=1, help="runs at the same time")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps_per_epoch", type=int, default=4000)
    parser.add_argument("--data_dir", type=str, default=None)
    args = parser.parse_args()

    eg = ExperimentGrid(name="ppo-pyt-bench")
    eg.add("env_name", "CartPole-v1", "", True)
    eg.add("seed", [10 * i for i in range(args.num_runs)])
    eg.add("epochs", args.epochs)
    eg.add("steps_per_epoch", args.steps_per_epoch)
    eg.add("ac_kwargs:hidden_sizes", [(32,), (64, 64)], "hid")
    eg.add("ac_kwargs:activation", [torch.nn.Tanh, torch.nn.ReLU], "")
    eg.run(ppo_pytorch, num_cpu=args.cpu, data_dir=args.data_dir, parallel=args.parallel)
