"""The replay buffer that the off-policy algorithms (DDPG, TD3, SAC) share,
for both the PyTorch and the TF1 versions.

It is plain numpy: each framework turns the sampled batch into its own
tensors. Unlike the on-policy GAE buffer, which is emptied every epoch, the
replay buffer keeps the agent's whole recent history, so resuming a run has
to bring it back too: :meth:`ReplayBuffer.state_dict` and
:meth:`ReplayBuffer.load_state_dict` do that, and the algorithms put the
buffer's state in their snapshot.
"""
from collections.abc import Sequence

import numpy as np

from spinup.algos._common import combined_shape

# The arrays a buffer holds, in the order of ``store``'s arguments.
_FIELDS = ("obs", "act", "rew", "obs2", "done")


class ReplayBuffer:
    """A simple FIFO experience replay buffer for off-policy agents.

    It holds up to ``size`` transitions ``(o, a, r, o2, d)``; once full, each
    new transition replaces the oldest one. ``d`` is 1 only when the episode
    truly ended at ``o2`` (gymnasium's ``terminated``), so that the Bellman
    backup does not bootstrap from it; a time limit is not an ending.

    Args:
        obs_dim: Shape of one observation (an int or a tuple).
        act_dim: Shape of one action (an int or a tuple).
        size (int): How many transitions the buffer can hold.
    """

    def __init__(self, obs_dim: int | Sequence[int], act_dim: int | Sequence[int], size: int):
        size = int(size)
        if size < 1:
            raise ValueError("ReplayBuffer size must be at least 1 (got %d); "
                             "pass e.g. replay_size=int(1e6)." % size)
        self.obs_buf = np.zeros(combined_shape(size, obs_dim), dtype=np.float32)
        self.obs2_buf = np.zeros(combined_shape(size, obs_dim), dtype=np.float32)
        self.act_buf = np.zeros(combined_shape(size, act_dim), dtype=np.float32)
        self.rew_buf = np.zeros(size, dtype=np.float32)
        self.done_buf = np.zeros(size, dtype=np.float32)
        self.ptr, self.size, self.max_size = 0, 0, size

    def _arrays(self) -> dict[str, np.ndarray]:
        return dict(obs=self.obs_buf, act=self.act_buf, rew=self.rew_buf,
                    obs2=self.obs2_buf, done=self.done_buf)

    def store(self, obs, act, rew: float, next_obs, done: bool | float) -> None:
        """Add one transition, overwriting the oldest when the buffer is full."""
        self.obs_buf[self.ptr] = obs
        self.obs2_buf[self.ptr] = next_obs
        self.act_buf[self.ptr] = act
        self.rew_buf[self.ptr] = rew
        self.done_buf[self.ptr] = done
        self.ptr = (self.ptr + 1) % self.max_size
        self.size = min(self.size + 1, self.max_size)

    def sample_batch(self, batch_size: int = 32) -> dict[str, np.ndarray]:
        """A batch of transitions drawn uniformly, with replacement.

        Returns a dict of float32 arrays with keys ``obs``, ``obs2``, ``act``,
        ``rew`` and ``done``, each with ``batch_size`` rows. The indices come
        from numpy's global random state (seeded by the algorithm), as in
        Spinning Up.
        """
        if self.size == 0:
            raise RuntimeError("Cannot sample from an empty ReplayBuffer; store some "
                               "transitions first (see update_after).")
        idxs = np.random.randint(0, self.size, size=batch_size)
        return {name: arr[idxs] for name, arr in self._arrays().items()}

    def state_dict(self) -> dict:
        """Everything needed to rebuild the buffer, for a snapshot.

        Only the filled part of the arrays is kept, so a snapshot early in a
        run is small; a full buffer costs ``(2 * obs_size + act_size + 2) * 4``
        bytes per transition (36 MB per million transitions for Pendulum).
        """
        state = {name: arr[:self.size].copy() for name, arr in self._arrays().items()}
        state.update(ptr=self.ptr, size=self.size, max_size=self.max_size)
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore the buffer saved by :meth:`state_dict`.

        The buffer must have been built with the same shapes and size;
        otherwise this raises ValueError saying what differs.
        """
        missing = [k for k in _FIELDS + ("ptr", "size", "max_size") if k not in state]
        if missing:
            raise ValueError("Not a ReplayBuffer state: it lacks %s." % ", ".join(missing))
        if state["max_size"] != self.max_size:
            raise ValueError("The saved replay buffer holds %d transitions but this one %d; "
                             "use the same replay_size to resume."
                             % (state["max_size"], self.max_size))
        size = int(state["size"])
        for name, arr in self._arrays().items():
            saved = np.asarray(state[name])
            if saved.shape[1:] != arr.shape[1:] or len(saved) != size:
                raise ValueError("The saved replay buffer's %r has shape %s, which does not "
                                 "fit this buffer (%s per transition, %d stored)."
                                 % (name, saved.shape, arr.shape[1:], size))
        for name, arr in self._arrays().items():
            arr[:size] = state[name]
            arr[size:] = 0
        self.ptr, self.size = int(state["ptr"]), size
