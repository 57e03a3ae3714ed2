"""Training a TF1 graph with the spinup logger: a classifier on spirals.

This is the logger tutorial's MNIST script, made runnable without a
download: the data set (three interleaved noisy spirals in the plane) is
generated here. It shows the logger calls a training script needs:

- ``EpochLogger(**logger_kwargs)`` and ``logger.save_config(locals())``
  record where outputs go and the hyperparameters (config.json);
- ``logger.setup_tf_saver(sess, inputs, outputs)`` names the graph's inputs
  and outputs, and ``logger.save_state(...)`` saves them (tf1_save/);
- ``logger.store(...)`` collects values during an epoch, and
  ``log_tabular``/``dump_tabular`` write one row per epoch (progress.txt).

After training, the saved model is loaded back into a fresh graph with
``restore_tf_graph`` and evaluated on held-out data, the way you would use
it in another program. Run it with::

    python examples/tf1_train_classifier.py --epochs 10

and plot the curves with ``python -m spinup.run plot data/tf1_spirals -y Acc``.
"""
import argparse
import time

import numpy as np
import tensorflow as tf

from spinup.algos.tf1.vpg.core import mlp
from spinup.utils.logx import EpochLogger, restore_tf_graph

tf1 = tf.compat.v1


def make_spirals(n_per_class=1000, n_classes=3, noise=0.25, seed=0):
    """Points on ``n_classes`` interleaved spiral arms, with their arm number."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for c in range(n_classes):
        radius = np.linspace(0.05, 1.0, n_per_class)
        angle = (np.linspace(0.0, 4.0, n_per_class) + c * 2 * np.pi / n_classes
                 + rng.normal(0.0, noise, n_per_class))
        xs.append(np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1))
        ys.append(np.full(n_per_class, c))
    x, y = np.concatenate(xs).astype(np.float32), np.concatenate(ys).astype(np.int32)
    order = rng.permutation(len(x))
    return x[order], y[order]


# Simple script for training an MLP on the spirals.
def train_spirals(steps_per_epoch=100, epochs=5, lr=1e-3, layers=2, hidden_size=64,
                  logger_kwargs=dict(), save_freq=1):
    """Train an MLP classifier; return the output directory."""
    logger = EpochLogger(**logger_kwargs)
    logger.save_config(locals())

    # Make the data: 80% to train on, 20% held out.
    x_all, y_all = make_spirals()
    n_train = int(0.8 * len(x_all))
    x_train, y_train = x_all[:n_train], y_all[:n_train]
    x_test, y_test = x_all[n_train:], y_all[n_train:]
    n_classes = int(y_all.max()) + 1

    # A fresh TF1 graph.
    tf1.disable_eager_execution()
    tf1.reset_default_graph()
    tf1.set_random_seed(0)
    np.random.seed(0)

    # Define inputs & main outputs from computation graph
    x_ph = tf1.placeholder(tf.float32, shape=(None, 2))
    y_ph = tf1.placeholder(tf.int32, shape=(None,))
    logits = mlp(x_ph, hidden_sizes=[hidden_size] * layers + [n_classes],
                 activation=tf.nn.relu)
    predict = tf.argmax(logits, axis=1, output_type=tf.int32)

    # Define loss function, accuracy, and training op
    y = tf.one_hot(y_ph, n_classes)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits))
    acc = tf.reduce_mean(tf.cast(tf.equal(y_ph, predict), tf.float32))
    train_op = tf1.train.AdamOptimizer(learning_rate=lr).minimize(loss)

    # Prepare session
    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())

    # Setup model saving
    logger.setup_tf_saver(sess, inputs={"x": x_ph},
                          outputs={"logits": logits, "predict": predict})

    start_time = time.time()

    # Run main training loop
    for epoch in range(epochs):
        for _t in range(steps_per_epoch):
            idxs = np.random.randint(0, len(x_train), 32)
            feed_dict = {x_ph: x_train[idxs], y_ph: y_train[idxs]}
            outs = sess.run([loss, acc, train_op], feed_dict=feed_dict)
            logger.store(Loss=outs[0], Acc=outs[1])
        test_acc = sess.run(acc, feed_dict={x_ph: x_test, y_ph: y_test})

        # Save model
        if (epoch % save_freq == 0) or (epoch == epochs - 1):
            logger.save_state(state_dict=dict(), itr=None)

        # Log info about epoch
        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("Acc", with_min_and_max=True)
        logger.log_tabular("Loss", average_only=True)
        logger.log_tabular("TestAcc", test_acc)
        logger.log_tabular("TotalGradientSteps", (epoch + 1) * steps_per_epoch)
        logger.log_tabular("Time", time.time() - start_time)
        logger.dump_tabular()

    sess.close()
    return logger.output_dir


def evaluate_saved_model(output_dir):
    """Load tf1_save from output_dir into a new graph; return its accuracy
    on the held-out spirals."""
    x_all, y_all = make_spirals()
    x_test, y_test = x_all[int(0.8 * len(x_all)):], y_all[int(0.8 * len(x_all)):]
    graph = tf.Graph()
    with graph.as_default():
        sess = tf1.Session(graph=graph)
        model = restore_tf_graph(sess, output_dir + "/tf1_save")
        predictions = sess.run(model["predict"], feed_dict={model["x"]: x_test})
        sess.close()
    return float(np.mean(predictions == y_test))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Train a TF1 MLP on generated spirals.")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps_per_epoch", type=int, default=100)
    parser.add_argument("--hidden_size", type=int, default=64)
    parser.add_argument("--exp_name", type=str, default="tf1_spirals")
    parser.add_argument("--data_dir", type=str, default=None)
    args = parser.parse_args()

    from spinup.utils.run_utils import setup_logger_kwargs

    logger_kwargs = setup_logger_kwargs(args.exp_name, data_dir=args.data_dir)
    out = train_spirals(steps_per_epoch=args.steps_per_epoch, epochs=args.epochs,
                        hidden_size=args.hidden_size, logger_kwargs=logger_kwargs)
    print("Held-out accuracy of the saved model: %.3f" % evaluate_saved_model(out))
