"""spinup.utils.mpi_pytorch: data-parallel PyTorch training over MPI ranks."""
import torch

from spinup.utils.mpi_pytorch import mpi_avg_grads, setup_pytorch_for_mpi, sync_params


def small_net(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def test_in_a_single_process_everything_is_left_alone():
    net = small_net(0)
    net(torch.randn(5, 3)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    before = [g.clone() for g in grads]
    params = [p.detach().clone() for p in net.parameters()]

    mpi_avg_grads(net)
    sync_params(net)

    assert all(p.grad is g for p, g in zip(net.parameters(), grads))
    assert all(torch.equal(g, b) for g, b in zip(grads, before))
    assert all(torch.equal(p, q) for p, q in zip(net.parameters(), params))


def test_setup_pytorch_for_mpi_keeps_all_threads_in_one_process():
    old = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        setup_pytorch_for_mpi()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(old)


def test_importing_it_installs_no_torch_hooks(python_runner):
    proc = python_runner("""
        import torch.nn.modules.module as m
        def hooks():
            return {name: len(getattr(m, name)) for name in dir(m) if name.startswith("_global_")
                    and name.endswith("hooks")}
        before = hooks()
        import spinup.utils.mpi_pytorch
        print(before == hooks(), sum(before.values()))
    """)
    assert proc.stdout.split() == ["True", "0"]


# Everything below runs as one 2-rank MPI job: each rank asserts, and any
# failed assertion aborts the job, which fails the test.
TWO_RANKS = r"""
import numpy as np
import torch
from mpi4py import MPI
from spinup.utils.mpi_tools import mpi_avg, num_procs, proc_id
from spinup.utils.mpi_pytorch import mpi_avg_grads, setup_pytorch_for_mpi, sync_params

comm = MPI.COMM_WORLD
rank = proc_id()
assert num_procs() == 2

# setup_pytorch_for_mpi shares the threads out between the ranks.
torch.set_num_threads(4)
setup_pytorch_for_mpi()
assert torch.get_num_threads() == 2
torch.set_num_threads(1)

def small_net(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))

# --- sync_params: rank 1 ends with rank 0's parameters, bit for bit,
# whatever their dtype.
net = small_net(seed=rank)  # different weights on each rank
extra = torch.full((3,), rank + 0.1, dtype=torch.float64)
net.register_parameter("extra", torch.nn.Parameter(extra))
sync_params(net)
mine = [p.detach().numpy().copy() for p in net.parameters()]
root = comm.bcast(mine, root=0)
assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(mine, root))
assert net.extra.dtype == torch.float64 and net.extra[0].item() == 0.1

# --- mpi_avg_grads: every gradient becomes the mean of the ranks' gradients,
# exactly what one mpi_avg per tensor gives.
net = small_net(seed=0)
torch.manual_seed(10 + rank)
net(torch.randn(16, 3)).pow(2).mean().backward()
local = [p.grad.numpy().copy() for p in net.parameters()]
everyone = comm.allgather(local)
per_tensor = [mpi_avg(g) for g in local]
mpi_avg_grads(net)
for i, p in enumerate(net.parameters()):
    mean = (everyone[0][i] + everyone[1][i]) / np.float32(2)
    assert p.grad.dtype == torch.float32
    assert np.array_equal(p.grad.numpy(), mean), i
    assert np.array_equal(p.grad.numpy(), per_tensor[i]), i
print("rank %d grads averaged" % rank)

# A gradient only rank 0 has counts as zero on rank 1; one nobody has stays None.
net = small_net(seed=0)
net.register_parameter("unused", torch.nn.Parameter(torch.ones(2)))
out = net(torch.ones(4, 3)).sum()
if rank == 0:
    out = out + net.unused.sum() * 4.0
net[2].bias.requires_grad_(False)
out.backward()
mpi_avg_grads(net)
assert net.unused.grad.tolist() == [2.0, 2.0]
assert net[2].bias.grad is None

# A gradient kept from one call is the caller's own tensor: the next call
# (which reuses its flat buffer) leaves it alone, whether the optimizer sets
# gradients to None or zeroes them in place.
net = small_net(seed=0)
for set_to_none in (True, False):
    net.zero_grad(set_to_none=set_to_none)
    net(torch.full((2, 3), 1.0 + rank)).sum().backward()
    mpi_avg_grads(net)
    kept = [p.grad for p in net.parameters()]
    values = [g.clone() for g in kept]
    net.zero_grad(set_to_none=set_to_none)
    net(torch.full((2, 3), -5.0 - rank)).sum().backward()
    mpi_avg_grads(net)
    if set_to_none:
        assert all(torch.equal(g, v) for g, v in zip(kept, values))
    else:  # zeroing in place: the same tensors, now holding the new average
        assert all(p.grad is g for p, g in zip(net.parameters(), kept))
    storages = {p.grad.untyped_storage().data_ptr() for p in net.parameters()}
    assert len(storages) == len(kept)  # no two gradients share memory
print("rank %d kept grads untouched" % rank)

# Gradients of other dtypes, or strided ones, are averaged in place too, and
# a parameter reshaped between calls (p.data = ...) needs nothing special.
net = small_net(seed=0)
net.register_parameter("wide", torch.nn.Parameter(torch.ones(2, 3, dtype=torch.float64)))
net.wide.grad = torch.full((3, 2), float(rank + 1), dtype=torch.float64).t()
assert not net.wide.grad.is_contiguous()
net[0].bias.grad = torch.full((8,), 2.0 * rank)
wide_grad = net.wide.grad
mpi_avg_grads(net)
assert net.wide.grad is wide_grad and wide_grad.dtype == torch.float64
assert wide_grad.tolist() == [[1.5] * 3] * 2 and net[0].bias.grad.tolist() == [1.0] * 8
net[0].bias.data = torch.zeros(1)
net[0].bias.grad = torch.full((1,), 4.0 * rank)
mpi_avg_grads(net)
assert net[0].bias.grad.tolist() == [2.0]

# --- Adam on two ranks, each on half of the batch, equals Adam on the whole
# batch in one process (mean loss per half: the mean gradient is the
# full-batch gradient).
rng = np.random.default_rng(0)
X = torch.as_tensor(rng.normal(size=(64, 3)), dtype=torch.float32)
Y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3
mine = slice(rank * 32, (rank + 1) * 32)

def train(X, Y, mpi, set_to_none):
    net = small_net(seed=123)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(40):
        opt.zero_grad(set_to_none=set_to_none)
        ((net(X) - Y) ** 2).mean().backward()
        if mpi:
            mpi_avg_grads(net)
        opt.step()
    return [p.detach().numpy().copy() for p in net.parameters()]

reference = train(X, Y, mpi=False, set_to_none=True)
start = [p.detach().numpy() for p in small_net(seed=123).parameters()]
for set_to_none in (True, False):
    trained = train(X[mine], Y[mine], mpi=True, set_to_none=set_to_none)
    other = comm.bcast(trained, root=1)
    for t, o, r, s in zip(trained, other, reference, start):
        assert np.array_equal(t, o)  # identical on both ranks
        assert np.abs(t - r).max() < 1e-5, np.abs(t - r).max()
        assert np.abs(t - s).max() > 0.05  # and training did move them
    print("rank %d adam set_to_none=%s matches" % (rank, set_to_none))
"""


def test_two_ranks_average_gradients_sync_parameters_and_train_like_one(python_runner):
    proc = python_runner(TWO_RANKS, n=2, timeout=120)
    for rank in (0, 1):
        assert "rank %d grads averaged" % rank in proc.stdout
        assert "rank %d kept grads untouched" % rank in proc.stdout
        for mode in (True, False):
            assert "rank %d adam set_to_none=%s matches" % (rank, mode) in proc.stdout
