"""spinup.utils.mpi_tf: TF1-style graphs (tf.compat.v1) trained over MPI ranks.

TensorFlow is imported only in the child processes: each test script builds
its graph the way Spinning Up TF1 code does.
"""

# A small regression model with two heads ("pi" and "v") of the same size,
# built from tf.compat.v1.get_variable as the Spinning Up TF1 code does.
MODEL = r"""
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3)).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3 + 0.1 * np.tanh(X[:, :1])).astype(np.float32)

def mlp(x, scope):
    with tf.compat.v1.variable_scope(scope):
        w1 = tf.compat.v1.get_variable("w1", [3, 8])
        b1 = tf.compat.v1.get_variable("b1", [8], initializer=tf.compat.v1.zeros_initializer())
        w2 = tf.compat.v1.get_variable("w2", [8, 1])
        b2 = tf.compat.v1.get_variable("b2", [1], initializer=tf.compat.v1.zeros_initializer())
    return tf.matmul(tf.tanh(tf.matmul(x, w1) + b1), w2) + b2

def build(optimizer_class):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3])
    y = tf.compat.v1.placeholder(tf.float32, [None, 1])
    # Mean losses: the mean of the ranks' gradients is the full-batch gradient.
    loss_pi = tf.reduce_mean((mlp(x, "pi") - y) ** 2)
    loss_v = tf.reduce_mean(tf.abs(mlp(x, "v") - y))
    train_pi = optimizer_class(learning_rate=0.01).minimize(loss_pi)
    train_v = optimizer_class(learning_rate=0.01).minimize(loss_v)
    return x, y, [train_pi, train_v]

def values(variables, sess):
    return {v.name: sess.run(v) for v in variables}
"""

ONE_PROCESS = MODEL + r"""
from spinup.utils.mpi_tf import (MpiAdamOptimizer, assign_params_from_flat, flat_concat,
                                 sync_all_params, sync_params)

# Building MPI ops needs graph mode: eager mode gets a clear error.
try:
    sync_all_params()
except RuntimeError as e:
    assert "disable_eager_execution" in str(e), e
else:
    raise AssertionError("eager mode was not refused")

# flat_concat and assign_params_from_flat are inverses.
with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
    a = tf.compat.v1.get_variable("a", initializer=np.arange(6, dtype=np.float32).reshape(2, 3))
    b = tf.compat.v1.get_variable("b", initializer=np.float32([7.0]))
    flat = flat_concat([a, b])
    new = tf.compat.v1.placeholder(tf.float32, [7])
    assign = assign_params_from_flat(new, [a, b])
    sess.run(tf.compat.v1.global_variables_initializer())
    assert sess.run(flat).tolist() == [0, 1, 2, 3, 4, 5, 7]
    sess.run(assign, {new: np.arange(10, 17, dtype=np.float32)})
    assert sess.run(a).tolist() == [[10, 11, 12], [13, 14, 15]] and sess.run(b).tolist() == [16]
    sess.run([sync_params([a, b]), sync_all_params()])  # nothing to sync with
    assert sess.run(b).tolist() == [16]

# In one process MpiAdamOptimizer is exactly AdamOptimizer.
results = []
for optimizer_class in (MpiAdamOptimizer, tf.compat.v1.train.AdamOptimizer):
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        tf.compat.v1.set_random_seed(0)
        x, y, train = build(optimizer_class)
        sess.run(tf.compat.v1.global_variables_initializer())
        for _ in range(10):
            sess.run(train, {x: X, y: Y})
        results.append(values(tf.compat.v1.trainable_variables(), sess))
assert all(np.array_equal(results[0][k], results[1][k]) for k in results[0])
print("one process OK")
"""


def test_in_one_process_graph_helpers_work_and_mpi_adam_is_adam(python_runner):
    proc = python_runner(ONE_PROCESS, timeout=120)
    assert "one process OK" in proc.stdout


# One 2-rank job for all MPI checks (TensorFlow takes seconds to import).
# Each rank asserts; a failed assertion aborts the job and fails the test.
TWO_RANKS = r"""
import tensorflow as tf
tf.compat.v1.disable_eager_execution()  # as at the top of a Spinning Up TF1 script
""" + MODEL + r"""
from mpi4py import MPI
from spinup.utils.mpi_tools import num_procs, proc_id
from spinup.utils.mpi_tf import MpiAdamOptimizer, sync_all_params

comm = MPI.COMM_WORLD
rank = proc_id()
assert num_procs() == 2
mine = slice(rank * 32, (rank + 1) * 32)

# Two ranks with different initial weights, counters of other dtypes too.
tf.compat.v1.set_random_seed(100 + rank)
x, y, train = build(MpiAdamOptimizer)
counter = tf.compat.v1.get_variable("counter", initializer=np.int64(10 + rank), trainable=False)
stats = tf.compat.v1.get_variable("stats", initializer=np.full(5, rank + 0.1), trainable=False)
sess = tf.compat.v1.Session()
sess.run(tf.compat.v1.global_variables_initializer())

# sync_all_params: everything becomes rank 0's, bit for bit.
sess.run(sync_all_params())
start = values(tf.compat.v1.global_variables(), sess)
root = comm.bcast(start, root=0)
assert all(np.array_equal(start[k], root[k]) for k in start)
assert sess.run(counter) == 10 and sess.run(stats)[0] == 0.1
print("rank %d synced" % rank)

# Train both heads in the same session.run: TF runs the two gradient
# Allreduces in any order, possibly not the same on both ranks.
for _ in range(30):
    sess.run(train, {x: X[mine], y: Y[mine]})
trained = values(tf.compat.v1.trainable_variables(), sess)

# The same training on the full batch in one process, from the same start.
with tf.Graph().as_default(), tf.compat.v1.Session() as ref_sess:
    x, y, train = build(tf.compat.v1.train.AdamOptimizer)
    ref_sess.run(tf.compat.v1.global_variables_initializer())
    for v in tf.compat.v1.global_variables():
        v.load(start[v.name], ref_sess)
    for _ in range(30):
        ref_sess.run(train, {x: X, y: Y})
    reference = values(tf.compat.v1.trainable_variables(), ref_sess)

other = comm.bcast(trained, root=1)
for name in trained:
    assert np.array_equal(trained[name], other[name]), name  # identical on both ranks
    assert np.abs(trained[name] - reference[name]).max() < 1e-5, name
    assert np.abs(trained[name] - start[name]).max() > 0.02, name  # training moved it
print("rank %d adam matches" % rank)
"""


def test_two_ranks_sync_and_train_like_one_process(python_runner):
    proc = python_runner(TWO_RANKS, n=2, timeout=180)
    for rank in (0, 1):
        assert "rank %d synced" % rank in proc.stdout
        assert "rank %d adam matches" % rank in proc.stdout
