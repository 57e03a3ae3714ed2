"""How fast is mpi_avg_grads?

Averages the gradients of a 40-layer, 64-wide MLP over 2 MPI ranks three ways:

- fused: ``spinup.utils.mpi_pytorch.mpi_avg_grads`` (one Allreduce on one
  flat float32 buffer);
- per tensor: one ``mpi_avg`` per gradient tensor, as the original Spinning Up
  did it;
- floor: one raw mpi4py ``Allreduce`` of the same number of bytes between two
  preallocated buffers, which no gradient averaging can beat.

All three are timed in many short alternating rounds inside the same job,
so machine load affects them alike. Each figure is the best round's time per
call (on a shared machine, load only ever adds time), and ratios are taken
between them. Target: fused at least 3x faster than per tensor. Fused stays
some way above the floor: copying the gradients into the buffer and back
into each parameter's own gradient tensor are two passes over the same
650 KB that the Allreduce moves, plus some Python work per tensor; that is
the price of leaving every gradient its own tensor, as the original did.

Run it with ``python benchmarks/mpi_grads.py``: it re-launches itself on two
ranks with mpi_fork.
"""
import time

import numpy as np
import torch

from spinup.utils.mpi_tools import mpi_avg, mpi_fork, num_procs, proc_id

LAYERS, WIDTH = 40, 64
ROUNDS, CALLS = 100, 5


def make_mlp() -> torch.nn.Module:
    layers = []
    for _ in range(LAYERS):
        layers += [torch.nn.Linear(WIDTH, WIDTH), torch.nn.Tanh()]
    return torch.nn.Sequential(*layers)


def per_tensor_avg_grads(module: torch.nn.Module) -> None:
    """The baseline: one collective per gradient tensor."""
    for p in module.parameters():
        g = p.grad.numpy()
        g[:] = mpi_avg(g)


def main() -> None:
    mpi_fork(2)
    from mpi4py import MPI

    from spinup.utils.mpi_pytorch import mpi_avg_grads

    comm = MPI.COMM_WORLD
    torch.manual_seed(0)
    model = make_mlp()
    torch.manual_seed(1 + proc_id())  # different data, hence gradients, per rank
    model(torch.randn(32, WIDTH)).pow(2).mean().backward()
    n_floats = sum(p.numel() for p in model.parameters())
    send = np.ones(n_floats, dtype=np.float32)
    recv = np.empty_like(send)

    # Same numbers both ways, checked on a copy of the gradients.
    start = [p.grad.clone() for p in model.parameters()]
    per_tensor_avg_grads(model)
    expected = [p.grad.clone() for p in model.parameters()]
    for p, g in zip(model.parameters(), start):
        p.grad.copy_(g)
    mpi_avg_grads(model)
    identical = all(torch.equal(p.grad, e) for p, e in zip(model.parameters(), expected))

    methods = {
        "fused": lambda: mpi_avg_grads(model),
        "per_tensor": lambda: per_tensor_avg_grads(model),
        "floor": lambda: comm.Allreduce(send, recv, op=MPI.SUM),
    }
    times = {name: [] for name in methods}
    for _ in range(ROUNDS):
        for name, fn in methods.items():
            fn()
            comm.Barrier()
            t0 = time.perf_counter()
            for _ in range(CALLS):
                fn()
            times[name].append((time.perf_counter() - t0) / CALLS)
    # A rank's time includes waiting for the slower rank: report the max.
    best = {name: comm.allreduce(min(t), op=MPI.MAX) for name, t in times.items()}

    if proc_id() == 0:
        n_tensors = len(list(model.parameters()))
        print("mpi_avg_grads benchmark: %d ranks, %d-layer %d-wide MLP, %d tensors, %.0f KB"
              % (num_procs(), LAYERS, WIDTH, n_tensors, n_floats * 4 / 1024))
        for name in best:
            print("  %-11s %8.1f us per call" % (name, best[name] * 1e6))
        print("  fused results identical to per-tensor averaging: %s" % identical)
        print("  per_tensor / fused = %.2fx (target >= 3x);  fused / floor = %.2fx"
              % (best["per_tensor"] / best["fused"], best["fused"] / best["floor"]))


if __name__ == "__main__":
    main()
