"""Packing many arrays into one flat buffer, so MPI moves them in one call.

A network has dozens of weight tensors. Sending each one through its own MPI
collective pays the collective's fixed latency dozens of times; copying them
all into one contiguous buffer first costs a memory copy, which is much
cheaper. mpi_tf packs and unpacks with these helpers; mpi_pytorch takes its
reusable buffer from :func:`scratch`.
"""
import threading
from collections.abc import Sequence

import numpy as np

# One set of scratch buffers per thread: TensorFlow may run two MPI ops at
# once on different threads, and they must not share a buffer.
_local = threading.local()
_MAX_CACHED = 8


def scratch(size: int, dtype) -> np.ndarray:
    """A reusable 1-D buffer of ``size`` elements (contents undefined).

    Large fresh allocations are slow (the OS maps new pages on first touch),
    so buffers are kept per thread, keyed by size and dtype, and handed out
    again. A caller must be done with a buffer before asking for one of the
    same size and dtype again.
    """
    cache = getattr(_local, "buffers", None)
    if cache is None:
        cache = _local.buffers = {}
    key = (int(size), np.dtype(dtype))
    buf = cache.get(key)
    if buf is None:
        if len(cache) >= _MAX_CACHED:  # keep memory bounded if sizes keep changing
            cache.clear()
        buf = cache[key] = np.empty(key[0], dtype=key[1])
    return buf


def pack(arrays: Sequence[np.ndarray], dtype) -> np.ndarray:
    """Copy every element of ``arrays`` into one flat scratch buffer of ``dtype``."""
    out = scratch(sum(np.size(a) for a in arrays), dtype)
    if len(arrays):
        np.concatenate([np.ravel(a) for a in arrays], out=out, casting="same_kind")
    return out


def unpack(flat: np.ndarray, like: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Cut ``flat`` back into new arrays with the shapes and dtypes of ``like``."""
    out, offset = [], 0
    for a in like:
        a = np.asarray(a)
        out.append(flat[offset:offset + a.size].reshape(a.shape).astype(a.dtype, copy=True))
        offset += a.size
    return out


def pack_bytes(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Copy the raw bytes of ``arrays`` (of any dtypes) into one uint8 scratch buffer.

    Moving bytes rather than numbers lets one broadcast carry float32 weights,
    float64 statistics and integer counters alike, bit for bit.
    """
    arrays = [np.ascontiguousarray(a) for a in arrays]
    out = scratch(sum(a.nbytes for a in arrays), np.uint8)
    if arrays:
        np.concatenate([a.reshape(-1).view(np.uint8) for a in arrays], out=out)
    return out


def unpack_bytes(flat: np.ndarray, like: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Inverse of :func:`pack_bytes`: new arrays shaped and typed like ``like``."""
    out, offset = [], 0
    for a in like:
        a = np.asarray(a)
        chunk = flat[offset:offset + a.nbytes]
        # copy() also realigns: the chunk may start at any byte offset.
        out.append(chunk.view(a.dtype).reshape(a.shape).copy())
        offset += a.nbytes
    return out
