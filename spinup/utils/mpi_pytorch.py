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
import operator
import weakref

import numpy as np
import torch

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
    gradient ``p.grad`` then holds the mean of that gradient over all ranks,
    summed in float32 like :func:`spinup.utils.mpi_tools.mpi_avg`: the
    numbers are exactly those of averaging one tensor at a time.

    All gradients travel in one Allreduce on one flat float32 buffer. For
    speed, the gradients of float32 CPU parameters are left as views into that
    buffer: ``p.grad`` may be a new tensor object after the call, and the next
    call reuses the buffer (``clone()`` a gradient you want to keep). If you
    zero gradients in place (``zero_grad(set_to_none=False)``), the next
    backward pass accumulates straight into the buffer and the next call
    copies nothing. Other gradients are overwritten in place.

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

    params = _parameters(module)
    if not params:
        return
    grads = [p.grad for p in params]
    bucket = _bucket_for(module, params, grads)
    views, flags = bucket.views, bucket.flags

    # Pack: copy each gradient into its slot of the flat buffer, unless it
    # already is that slot. The tail of the buffer holds one flag per
    # parameter telling the other ranks whether this rank has its gradient.
    todo = [i for i, g, v in zip(range(len(grads)), grads, views) if g is not v]
    missing = [i for i in todo if grads[i] is None]
    if missing:
        todo = [i for i in todo if grads[i] is not None]
    _copy_all([views[i] for i in todo], [grads[i] for i in todo])
    flags.fill_(1.0)
    for i in missing:
        views[i].zero_()
        flags[i] = 0.0

    allreduce(MPI.IN_PLACE, bucket.array, op=MPI.SUM)
    _divide(bucket.array, n)

    # Unpack: point gradients at their slots where dtype and device allow
    # (no copy), else copy the averages into them.
    try:
        for i in todo:
            g = grads[i]
            if g.dtype is torch.float32 and g.is_cpu:
                params[i].grad = views[i]
            else:
                g.copy_(views[i])
        for i in missing:
            if flags[i] > 0:  # some other rank had a gradient
                p = params[i]
                if p.dtype is torch.float32 and p.is_cpu:
                    p.grad = views[i]
                else:
                    p.grad = views[i].to(p.device, p.dtype)
    except RuntimeError as e:
        # Only a parameter reshaped behind our back (p.data = ...) gets here.
        _buckets.pop(module, None)
        raise RuntimeError("mpi_avg_grads: a parameter of %s changed shape since the last "
                           "call (%s); gradients were not averaged. Call it again."
                           % (type(module).__name__, e)) from e


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


class _Bucket:
    """A flat float32 buffer with one view per parameter and a flag tail."""

    def __init__(self, params: list[torch.nn.Parameter]):
        self.params = params
        sizes = [p.numel() for p in params]
        self.array = np.empty(sum(sizes) + len(params), dtype=np.float32)
        chunks = torch.from_numpy(self.array).split(sizes + [len(params)])
        self.views = [c.view(p.shape) for c, p in zip(chunks, params)]
        self.flags = chunks[-1]

    def fits(self, params: list[torch.nn.Parameter], grads: list[torch.Tensor | None]) -> bool:
        if params is not self.params and (len(params) != len(self.params) or not all(
                map(operator.is_, params, self.params))):
            return False
        # `p.data = other_tensor` can change a parameter's shape. Binding a
        # slot of the old shape as p.grad fails loudly; copying into a
        # gradient (not float32, or not on the CPU) could broadcast
        # silently, so those are checked here.
        return all(g is None or g is v or (g.dtype is torch.float32 and g.is_cpu)
                   or g.shape == v.shape for g, v in zip(grads, self.views))


# One bucket per module, so the buffer and its views are built only once.
_buckets: "weakref.WeakKeyDictionary[torch.nn.Module, _Bucket]" = weakref.WeakKeyDictionary()


def _bucket_for(module, params, grads) -> _Bucket:
    bucket = _buckets.get(module)
    if bucket is None or not bucket.fits(params, grads):
        bucket = _buckets[module] = _Bucket(params)
    return bucket


def _parameters(module: torch.nn.Module) -> list[torch.nn.Parameter]:
    """list(module.parameters()): the same tensors in the same order, cached.

    Walking a module tree through nn.Module.parameters() costs about as much
    as the Allreduce of a small network's gradients, so the list is kept per
    module and rebuilt only after torch registers a parameter or a submodule
    anywhere (global registration hooks bump ``_generation``). Deleting a
    parameter does not invalidate the list; the stale entry only adds a slot
    that no rank has a gradient for.
    """
    cls = type(module)
    if cls.parameters is not torch.nn.Module.parameters \
            or cls.named_parameters is not torch.nn.Module.named_parameters:
        return list(module.parameters())  # a custom definition: respect it
    cached = _param_lists.get(module)
    if cached is not None and cached[0] == _generation:
        return cached[1]
    params = list(module.parameters())
    _param_lists[module] = (_generation, params)
    return params


_generation = 0
_param_lists: "weakref.WeakKeyDictionary[torch.nn.Module, tuple]" = weakref.WeakKeyDictionary()


def _registration_happened(*args) -> None:
    global _generation
    _generation += 1


torch.nn.modules.module.register_module_parameter_registration_hook(_registration_happened)
torch.nn.modules.module.register_module_module_registration_hook(_registration_happened)


def _divide(array: np.ndarray, n: int) -> None:
    """array /= n in float32, as mpi_avg's numpy division does it."""
    if n & (n - 1) == 0:
        # x / 2**k and x * 2**-k are the same number, hence the same bits;
        # multiplying is faster.
        np.multiply(array, np.float32(1.0 / n), out=array)
    else:
        np.divide(array, np.float32(n), out=array)


def _copy_all(dst: list[torch.Tensor], src: list[torch.Tensor]) -> None:
    """dst[i].copy_(src[i]) for all i, in one call when torch allows it."""
    if not dst:
        return
    try:
        torch._foreach_copy_(dst, src)
    except (AttributeError, RuntimeError, TypeError):
        for d, s in zip(dst, src):
            d.copy_(s)


def _as_bytes(t: torch.Tensor) -> torch.Tensor:
    """A flat uint8 CPU tensor holding the raw bytes of t."""
    if t.device.type != "cpu" or not t.is_contiguous():
        t = t.to("cpu").contiguous()
    return t.reshape(-1).view(torch.uint8)
