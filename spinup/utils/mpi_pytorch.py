"""PyTorch helpers for data-parallel training with MPI.

Every process (rank) runs the same training code on its own share of the
data. Before each optimizer step, :func:`mpi_avg_grads` replaces every
rank's gradients by their average over all ranks, so all ranks take the same
step; :func:`sync_params` copies rank 0's parameters to everyone at the start,
so all ranks begin from the same network.

Both functions move all of a module's tensors through a single MPI call on
one flat buffer, instead of one call per tensor, and give exactly the
numbers the one-call-per-tensor version gives. In a single process they do
nothing.
"""
import numpy as np
import torch

from spinup.utils._flat_buffers import scratch
from spinup.utils.mpi_tools import allreduce, broadcast, num_procs, proc_id

__all__ = ["setup_pytorch_for_mpi", "mpi_avg_grads", "sync_params"]


def setup_pytorch_for_mpi() -> None:
    """Avoid slowdowns caused by each separate process's PyTorch using more
    than its fair share of CPU resources.

    Gives each process ``max(threads // num_procs(), 1)`` torch threads, where
    ``threads`` is what torch would use on its own. Does nothing when torch
    already uses a single thread (``mpi_fork`` sets ``OMP_NUM_THREADS=1``, which
    has that effect).
    """
    threads = torch.get_num_threads()
    if threads == 1:
        return
    torch.set_num_threads(max(threads // num_procs(), 1))


def mpi_avg_grads(module: torch.nn.Module) -> None:
    """Average contents of gradient buffers across MPI processes.

    Call it after ``loss.backward()`` and before ``optimizer.step()``. Every
    gradient ``p.grad`` is then averaged in place, as in the original
    Spinning Up: it holds the mean of that gradient over all ranks, summed in
    float32 like :func:`spinup.utils.mpi_tools.mpi_avg`, so the numbers are
    exactly those of averaging one tensor at a time.

    All gradients travel in one Allreduce instead of one per tensor: they are
    copied into one flat float32 buffer, summed over the ranks there, and the
    averages are copied back into each parameter's own gradient. The buffer
    is reused from call to call, but no gradient ever points into it, so a
    gradient you keep is not changed by a later call.

    A parameter whose gradient is None on some ranks (it was not used in
    their loss) counts as a zero gradient there; its gradient stays None only
    if it is None on every rank.

    Args:
        module (torch.nn.Module): The module whose parameters' gradients to
            average (for instance ``ac.pi``).
    """
    n = num_procs()
    if n == 1:
        return
    from mpi4py import MPI  # already loaded: we are in an MPI job

    params = list(module.parameters())
    if not params:
        return
    grads = [p.grad for p in params]
    sizes = [p.numel() for p in params]
    total = sum(sizes)

    # One flat float32 piece per parameter. The usual gradient (float32,
    # CPU, contiguous) is its own piece, a view, so the averages land in it
    # directly; any other gradient is staged through a float32 copy, and a
    # missing one through zeros.
    pieces, staged = [], []
    for i, g in enumerate(grads):
        if g is not None and g.dtype is torch.float32 and g.is_cpu and g.is_contiguous():
            pieces.append(g.flatten())  # a view of g (g itself when 1-D)
        else:
            pieces.append(torch.zeros(sizes[i], dtype=torch.float32) if g is None
                          else g.detach().reshape(-1).to("cpu", torch.float32, copy=True))
            staged.append(i)

    # After the gradients, one flag per parameter tells the other ranks
    # whether this rank has its gradient; summed, it says whether anyone has.
    # The buffer is reused from call to call (a fresh one costs page faults),
    # but no gradient is left pointing into it.
    buf = scratch(total + len(params), np.float32)
    flat = torch.from_numpy(buf)[:total]
    with torch.no_grad():  # gradients made with create_graph=True carry a graph
        torch.cat(pieces, out=flat)
    buf[total:] = [g is not None for g in grads]

    allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
    np.divide(buf, np.float32(n), out=buf)  # in float32, as mpi_avg divides

    with torch.no_grad():
        torch.split_with_sizes_copy(flat, sizes, out=pieces)
        for i in staged:
            p, g = params[i], grads[i]
            if g is not None:
                g.copy_(pieces[i].view(g.shape))
            elif buf[total + i] > 0:  # some other rank had a gradient
                p.grad = pieces[i].view(p.shape).to(p.device, p.dtype)


def sync_params(module: torch.nn.Module) -> None:
    """Sync all parameters of module across all MPI processes.

    Rank 0's parameter values are copied, bit for bit, into the parameters of
    every other rank (whatever their dtypes).

    Args:
        module (torch.nn.Module): The module whose parameters to broadcast
            from rank 0.
    """
    if num_procs() == 1:
        return
    tensors = [p.detach() for p in module.parameters()]
    if not tensors:
        return
    byte_views = [_as_bytes(t) for t in tensors]
    root = proc_id() == 0
    if root:
        flat = torch.cat(byte_views) if len(byte_views) > 1 else byte_views[0].clone()
    else:  # to be overwritten by rank 0's bytes
        flat = torch.empty(sum(b.numel() for b in byte_views), dtype=torch.uint8)
    broadcast(flat.numpy(), root=0)
    if root:
        return
    offset = 0
    for t, b in zip(tensors, byte_views):
        chunk = flat[offset:offset + b.numel()]
        offset += b.numel()
        if t.is_contiguous() and t.device.type == "cpu":
            b.copy_(chunk)  # b is a byte view of t itself
        else:
            # clone() realigns the bytes before reading them as t.dtype.
            t.copy_(chunk.clone().view(t.dtype).view(t.shape))


def _as_bytes(t: torch.Tensor) -> torch.Tensor:
    """A flat uint8 CPU tensor holding the raw bytes of t."""
    if t.device.type != "cpu" or not t.is_contiguous():
        t = t.to("cpu").contiguous()
    return t.reshape(-1).view(torch.uint8)
