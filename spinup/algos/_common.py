"""The numpy parts that the PyTorch and TF1 policy-gradient algorithms share:
discounted sums, the GAE-Lambda experience buffer, and the helpers for
stepping an environment and resuming a run. Nothing here imports a deep
learning framework; each framework's ``core.py`` builds on it.
"""
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium.spaces import Box

from spinup.utils.mpi_tools import mpi_statistics_scalar


def combined_shape(length: int | None, shape: None | int | Sequence[int] = None) -> tuple:
    """Shape of a buffer (or batch) holding ``length`` items of the given shape."""
    if shape is None:
        return (length,)
    return (length, shape) if np.isscalar(shape) else (length, *shape)


def discount_cumsum(x: np.ndarray, discount: float) -> np.ndarray:
    """Discounted cumulative sums along a vector, from each index to the end.

    For ``x = [x0, x1, x2]`` the result is
    ``[x0 + d*x1 + d^2*x2, x1 + d*x2, x2]``.
    """
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    running = 0.0
    for i in range(len(x) - 1, -1, -1):
        running = x[i] + discount * running
        out[i] = running
    return out


class GAEBuffer:
    """Stores one epoch of experience (on this MPI rank) and turns it into
    the batch a policy-gradient update needs.

    Advantages are computed with GAE-Lambda, and returns (the value
    function's targets) are the rewards-to-go, both per finished trajectory
    segment in :meth:`finish_path`.
    """

    def __init__(self, obs_dim, act_dim, size: int, gamma: float = 0.99, lam: float = 0.95,
                 act_dtype=np.float32):
        self.obs_buf = np.zeros(combined_shape(size, obs_dim), dtype=np.float32)
        self.act_buf = np.zeros(combined_shape(size, act_dim), dtype=act_dtype)
        self.adv_buf = np.zeros(size, dtype=np.float32)
        self.rew_buf = np.zeros(size, dtype=np.float32)
        self.ret_buf = np.zeros(size, dtype=np.float32)
        self.val_buf = np.zeros(size, dtype=np.float32)
        self.logp_buf = np.zeros(size, dtype=np.float32)
        self.gamma, self.lam = gamma, lam
        self.ptr, self.path_start_idx, self.max_size = 0, 0, size

    def store(self, obs, act, rew, val, logp) -> None:
        """Append one timestep of agent-environment interaction."""
        if self.ptr >= self.max_size:
            raise RuntimeError("GAEBuffer is full (%d steps); call get() first." % self.max_size)
        self.obs_buf[self.ptr] = obs
        self.act_buf[self.ptr] = act
        self.rew_buf[self.ptr] = rew
        self.val_buf[self.ptr] = val
        self.logp_buf[self.ptr] = logp
        self.ptr += 1

    def finish_path(self, last_val: float = 0.0) -> None:
        """Close the current trajectory segment.

        ``last_val`` is 0 if the episode really ended (the agent reached a
        terminal state), and otherwise V(s_T), the value estimate of the
        state the segment was cut at (a time limit or the end of the epoch),
        which stands in for the rewards the agent would have collected after.
        """
        path = slice(self.path_start_idx, self.ptr)
        rews = np.append(self.rew_buf[path], last_val)
        vals = np.append(self.val_buf[path], last_val)
        deltas = rews[:-1] + self.gamma * vals[1:] - vals[:-1]
        self.adv_buf[path] = discount_cumsum(deltas, self.gamma * self.lam)
        self.ret_buf[path] = discount_cumsum(rews, self.gamma)[:-1]
        self.path_start_idx = self.ptr

    def get_arrays(self) -> dict[str, np.ndarray]:
        """Return the epoch's data (obs, act, ret, adv, logp) as numpy arrays
        and empty the buffer.

        The advantages are normalised to mean 0 and standard deviation 1
        over all MPI ranks. Call only when the buffer is full.
        """
        if self.ptr != self.max_size:
            raise RuntimeError("GAEBuffer.get() needs a full buffer (%d of %d steps stored)."
                               % (self.ptr, self.max_size))
        self.ptr, self.path_start_idx = 0, 0
        adv_mean, adv_std = mpi_statistics_scalar(self.adv_buf)
        self.adv_buf = (self.adv_buf - adv_mean) / (adv_std + 1e-8)
        return dict(obs=self.obs_buf, act=self.act_buf, ret=self.ret_buf,
                    adv=self.adv_buf, logp=self.logp_buf)


def env_action(a: np.ndarray, action_space) -> np.ndarray:
    """The action to hand to ``env.step`` for a sampled action ``a``.

    Gaussian samples can fall outside a Box's bounds; the buffer keeps the
    sample itself (its log-probability is what the update needs) and the
    environment gets it clipped to the bounds.
    """
    if isinstance(action_space, Box):
        return np.clip(a, action_space.low, action_space.high)
    return a


def load_snapshot(logger_kwargs: dict) -> dict | None:
    """The last snapshot of the run that ``logger_kwargs`` points at, or None.

    Used by ``resume=True``: the snapshot is the state dict an algorithm
    saved with ``logger.save_state`` (it holds the epoch it was taken after).
    None means there is nothing to resume from (no output_dir given, or no
    snapshot in it yet), and training starts from scratch.
    """
    from spinup.utils._context import current_context
    from spinup.utils.logx import load_state

    output_dir = logger_kwargs.get("output_dir")
    if output_dir is None and current_context() is not None:
        output_dir = current_context().snapshot_dir
    if output_dir is None:
        return None
    try:
        state = load_state(output_dir)
    except FileNotFoundError:
        return None
    if not isinstance(state, dict) or "epoch" not in state or "model_state" not in state:
        raise ValueError("Cannot resume from the snapshot in %s: it was not written by "
                         "this algorithm (it has no 'epoch' and 'model_state'). Use a "
                         "new output_dir, or resume=False." % output_dir)
    return state


def resume_seed(seed: int, rank: int, epoch: int) -> int:
    """A fresh seed for a run resumed at ``epoch``, different on every rank
    and from the seeds of the epochs already run."""
    return int(np.random.SeedSequence([seed, rank, epoch]).generate_state(1)[0] % (2 ** 31))


@dataclass
class RunStart:
    """What a training function needs to begin, or to pick up where it stopped.

    ``snapshot`` is None for a fresh run; otherwise it is the state dict the
    run saved last, and ``start_epoch`` is the epoch after it.
    """
    logger: Any
    snapshot: dict | None
    start_epoch: int
    seed: int


def start_run(logger_kwargs: dict, seed: int, resume: bool, rank: int = 0) -> RunStart:
    """Open the run's logger, resuming from its last snapshot when asked.

    This is the set-up every reference algorithm shares:

    1. with ``resume``, load the last snapshot (every MPI rank reads it);
    2. open an ``EpochLogger`` that appends to progress.txt when resuming,
       and drop the rows logged after the snapshot;
    3. pick the seed: ``seed`` for a fresh run, a new one derived from
       (seed, rank, epoch) for a resumed run, so it does not replay the
       random numbers of epochs already run.

    Seeding the frameworks and restoring model states stays with the
    algorithm (see :func:`restore`), since only it knows what it saved.

    Args:
        logger_kwargs (dict): The algorithm's ``logger_kwargs``.
        seed (int): The seed to use for a fresh run (already offset per rank).
        resume (bool): Whether to continue from the last snapshot.
        rank (int): This process's MPI rank.
    """
    from spinup.utils.logx import EpochLogger

    snapshot = load_snapshot(logger_kwargs) if resume else None
    start_epoch = 0 if snapshot is None else snapshot["epoch"] + 1
    logger = EpochLogger(**dict(logger_kwargs, resume=snapshot is not None))
    if snapshot is not None:
        logger.rewind_progress(start_epoch)
        logger.log("Resuming from the snapshot taken after epoch %d." % snapshot["epoch"])
        seed = resume_seed(seed, rank, start_epoch)
    return RunStart(logger=logger, snapshot=snapshot, start_epoch=start_epoch, seed=seed)


def restore(snapshot: dict | None, **objects: Any) -> None:
    """Load each object's state from ``snapshot[name]`` (nothing for a fresh run).

    ``restore(snapshot, model_state=ac, pi_optimizer=pi_opt)`` calls
    ``ac.load_state_dict(snapshot["model_state"])`` and so on: anything with
    a ``load_state_dict`` (PyTorch modules and optimizers, replay buffers),
    or a function that takes the saved value (as TF1 code restores its
    session's variables). A snapshot that does not fit (say, ``ac_kwargs``
    changed between the runs) is a ValueError that says so.
    """
    if snapshot is None:
        return
    for name, obj in objects.items():
        load = getattr(obj, "load_state_dict", obj)
        try:
            load(snapshot[name])
        except (RuntimeError, ValueError, KeyError) as e:
            raise ValueError("Cannot resume: the snapshot does not fit this actor-critic "
                             "(were ac_kwargs changed?): %r: %s" % (name, e)) from e
