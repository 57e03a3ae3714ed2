"""TensorFlow 1 graph helpers for data-parallel training with MPI.

These build ops in a ``tf.compat.v1`` graph (placeholders and a Session, the
way the Spinning Up TF1 code works). The MPI calls run inside the graph
through ``tf.numpy_function``, TensorFlow 2's graph-mode bridge to Python
(the successor of the removed ``tf.py_func``).

Build the graph in graph mode: call ``tf.compat.v1.disable_eager_execution()``
at the top of your script, or build inside ``with tf.Graph().as_default():``.

In a single process (no MPI job) the ops skip MPI entirely:
MpiAdamOptimizer is then a plain AdamOptimizer and the sync ops do nothing.

This is a bit hacky: if you're looking for something more sophisticated and
general-purpose, consider Horovod.
"""
import threading
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from spinup.utils import _flat_buffers
from spinup.utils.mpi_tools import num_procs

__all__ = ["flat_concat", "assign_params_from_flat", "sync_params", "sync_all_params",
           "MpiAdamOptimizer"]


def flat_concat(xs: Sequence[tf.Tensor]) -> tf.Tensor:
    """Flatten each tensor of ``xs`` and concatenate them into one 1-D tensor.

    Args:
        xs: Tensors (or variables) of one dtype.
    """
    return tf.concat([tf.reshape(x, (-1,)) for x in xs], axis=0)


def assign_params_from_flat(x: tf.Tensor, params: Sequence[tf.Variable]) -> tf.Operation:
    """An op that cuts the 1-D tensor ``x`` into pieces shaped like ``params``
    and assigns each piece to its variable (the inverse of :func:`flat_concat`).

    Args:
        x: A 1-D tensor with as many elements as ``params`` together.
        params: The variables to assign to, in the order ``x`` holds them.
    """
    sizes = [_num_elements(p) for p in params]
    pieces = tf.split(x, sizes, axis=0)
    return tf.group([tf.compat.v1.assign(p, tf.reshape(piece, p.shape))
                     for p, piece in zip(params, pieces)])


def sync_params(params: Sequence[tf.Variable]) -> tf.Operation:
    """An op that copies rank 0's values of ``params`` to every other rank.

    All values travel, bit for bit, in one MPI broadcast, whatever their
    dtypes. Run the op on every rank at the same point.

    Args:
        params: The variables to sync.
    """
    _check_graph_mode("sync_params")
    params = list(params)
    if num_procs() == 1 or not params:
        return tf.no_op()
    comm = _communicator("bcast", params)

    def _broadcast(*values):
        flat = _flat_buffers.pack_bytes(values)
        with comm.lock:
            comm.comm.Bcast(flat, root=0)
        return _flat_buffers.unpack_bytes(flat, values)

    synced = tf.numpy_function(_broadcast, [_read(p) for p in params],
                               [p.dtype.base_dtype for p in params], stateful=True,
                               name="mpi_sync_params")
    return tf.group([tf.compat.v1.assign(p, tf.ensure_shape(v, p.shape))
                     for p, v in zip(params, synced)])


def sync_all_params() -> tf.Operation:
    """Sync all tf variables across MPI processes.

    Returns an op that copies rank 0's values of every global variable of
    the default graph (optimizer slots included) to all other ranks; run it
    once after initializing the variables.
    """
    _check_graph_mode("sync_all_params")
    return sync_params(tf.compat.v1.global_variables())


class MpiAdamOptimizer(tf.compat.v1.train.AdamOptimizer):
    """Adam optimizer that averages gradients across MPI processes.

    ``compute_gradients`` averages the gradients over all ranks with one
    Allreduce on one flat buffer; ``apply_gradients`` takes the Adam step and
    then broadcasts rank 0's updated variables, so that all ranks stay
    exactly in sync. Use it like the base optimizer, typically
    ``train_op = MpiAdamOptimizer(learning_rate=lr).minimize(loss)``.

    Each rank must run the training op at the same point. Fetching the
    training ops of two optimizers in one ``session.run`` works if the
    session has at least two inter-op threads (TensorFlow's default on a
    machine with two or more cores): an MPI op holds its thread until all
    ranks have joined it.

    For documentation on method arguments, see the TensorFlow docs page for
    the base ``tf.compat.v1.train.AdamOptimizer``.

    Args:
        **kwargs: Passed to ``tf.compat.v1.train.AdamOptimizer``
            (learning_rate, beta1, beta2, epsilon, use_locking, name).
    """

    def __init__(self, **kwargs):
        tf.compat.v1.train.AdamOptimizer.__init__(self, **kwargs)

    def compute_gradients(self, loss, var_list=None,
                          **kwargs) -> list[tuple[tf.Tensor, tf.Variable]]:
        """Same as normal compute_gradients, except average grads over processes.

        Variables that the loss does not depend on (gradient None) are left
        out, as the base optimizer's ``minimize`` would skip them anyway.
        """
        _check_graph_mode("MpiAdamOptimizer")
        grads_and_vars = super().compute_gradients(loss, var_list, **kwargs)
        grads_and_vars = [(g, v) for g, v in grads_and_vars if g is not None]
        n = num_procs()
        if n == 1 or not grads_and_vars:
            return grads_and_vars
        grads = [tf.convert_to_tensor(g) for g, _ in grads_and_vars]
        variables = [v for _, v in grads_and_vars]
        comm = _communicator("allreduce", variables)
        # Sum in float32 when the gradients are float32, as mpi_avg does.
        dtype = np.result_type(*[g.dtype.as_numpy_dtype for g in grads])
        from mpi4py import MPI

        def _average(*values):
            flat = _flat_buffers.pack(values, dtype)
            with comm.lock:
                comm.comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
            np.divide(flat, dtype.type(n), out=flat)
            return _flat_buffers.unpack(flat, values)

        averaged = tf.numpy_function(_average, grads, [g.dtype for g in grads], stateful=True,
                                     name="mpi_average_gradients")
        return [(tf.ensure_shape(a, v.shape), v) for a, v in zip(averaged, variables)]

    def apply_gradients(self, grads_and_vars, global_step=None, name=None) -> tf.Operation:
        """Same as normal apply_gradients, except sync params after update."""
        grads_and_vars = list(grads_and_vars)
        opt = super().apply_gradients(grads_and_vars, global_step=global_step, name=name)
        if num_procs() == 1:
            return opt
        with tf.control_dependencies([opt]):
            # Reading the variables inside this block orders the broadcast
            # after the Adam update.
            sync = sync_params([v for g, v in grads_and_vars if g is not None])
        return tf.group([opt, sync])


class _Communicator:
    """A private duplicate of COMM_WORLD, and the lock its calls take."""

    def __init__(self, comm, lock: threading.Lock):
        self.comm = comm
        self.lock = lock


_communicators: dict[tuple[str, str], _Communicator] = {}
_global_lock = threading.Lock()


def _communicator(kind: str, variables: Sequence[tf.Variable]) -> _Communicator:
    """The communicator for ``kind`` ops over ``variables`` (created once).

    One ``session.run`` may fetch several MPI ops at once (say the training
    ops of two optimizers). TensorFlow runs independent ops in any order, on
    several threads, and not in the same order on every rank, while
    collectives on one communicator must come in the same order everywhere.
    So each group of variables gets its own duplicate of COMM_WORLD: the
    policy gradients of rank 0 can never be summed with the value gradients
    of rank 1. Duplicating is collective, which is fine because every rank
    builds the same graph in the same order.
    """
    key = (kind, ",".join("%s%s" % (v.name, v.shape) for v in variables))
    found = _communicators.get(key)
    if found is None:
        from mpi4py import MPI
        # Ops over the same variables share a communicator, so their calls
        # must not overlap; without full thread support no calls may.
        multiple = MPI.Query_thread() >= MPI.THREAD_MULTIPLE
        lock = threading.Lock() if multiple else _global_lock
        found = _communicators[key] = _Communicator(MPI.COMM_WORLD.Dup(), lock)
    return found


def _read(v) -> tf.Tensor:
    """The value of v, read where this op is built (after control dependencies).

    Converting a TF1 reference variable to a tensor may return a snapshot
    taken when the variable was created; read_value() always reads anew.
    """
    return v.read_value() if hasattr(v, "read_value") else tf.convert_to_tensor(v)


def _num_elements(v) -> int:
    shape = v.shape
    if not shape.is_fully_defined():
        raise ValueError("assign_params_from_flat: the shape of %s is not fully known (%s)"
                         % (getattr(v, "name", v), shape))
    return int(np.prod(shape.as_list(), dtype=np.int64))


def _check_graph_mode(what: str) -> None:
    if tf.executing_eagerly():
        raise RuntimeError(
            "%s builds TensorFlow 1 graph ops, but TensorFlow is running eagerly. "
            "Call tf.compat.v1.disable_eager_execution() at the top of your script, "
            "or build your graph inside `with tf.Graph().as_default():`." % what)
