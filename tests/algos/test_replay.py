"""The off-policy replay buffer shared by the PyTorch and TF1 algorithms."""
import numpy as np
import pytest

from spinup.algos._replay import ReplayBuffer


def fill(buf, n, start=0):
    for i in range(start, start + n):
        buf.store(np.full(3, i), np.full(1, -i), float(i), np.full(3, i + 1), i % 2 == 0)


def test_wraps_around_keeping_the_newest_transitions():
    buf = ReplayBuffer(3, 1, size=5)
    fill(buf, 7)
    assert buf.size == 5
    assert sorted(buf.rew_buf) == [2, 3, 4, 5, 6]
    batch = buf.sample_batch(64)
    assert batch["obs"].shape == (64, 3) and batch["act"].shape == (64, 1)
    # Every sampled row is one transition, not a mix of several.
    np.testing.assert_array_equal(batch["obs2"][:, 0], batch["rew"] + 1)
    np.testing.assert_array_equal(batch["done"], (batch["rew"] % 2 == 0).astype(np.float32))
    assert set(batch["rew"]) <= {2, 3, 4, 5, 6}


def test_state_dict_round_trip_keeps_only_the_filled_part():
    buf = ReplayBuffer((3,), 1, size=100)
    fill(buf, 10)
    state = buf.state_dict()
    assert len(state["obs"]) == 10

    other = ReplayBuffer((3,), 1, size=100)
    other.load_state_dict(state)
    fill(buf, 5, start=10)
    fill(other, 5, start=10)
    for name in ("obs_buf", "obs2_buf", "act_buf", "rew_buf", "done_buf"):
        np.testing.assert_array_equal(getattr(buf, name), getattr(other, name))
    assert (other.ptr, other.size) == (15, 15)


def test_mismatched_state_is_a_clear_error():
    buf = ReplayBuffer(3, 1, size=10)
    fill(buf, 3)
    with pytest.raises(ValueError, match="replay_size"):
        ReplayBuffer(3, 1, size=20).load_state_dict(buf.state_dict())
    with pytest.raises(ValueError, match="'obs'"):
        ReplayBuffer(4, 1, size=10).load_state_dict(buf.state_dict())
    with pytest.raises(RuntimeError, match="empty"):
        ReplayBuffer(3, 1, size=10).sample_batch(4)
