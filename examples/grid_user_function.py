"""An ExperimentGrid over your own training function.

ExperimentGrid is not only for the algorithms that ship with spinup: any
function that takes its hyperparameters as keyword arguments, and a
``logger_kwargs`` argument for its EpochLogger, can be run over a grid. Here
the function fits a line to noisy data with stochastic gradient descent
(plain numpy), and the grid tries two learning rates with two seeds each.

Every variant runs in a fresh Python process, gets its own output folder
(``<data_dir>/<grid name>_<variant>/<..._s<seed>>``) and writes the usual
config.json and progress.txt, so the plotter works on the results::

    python examples/grid_user_function.py
    python -m spinup.run plot data/fit-line -y Loss WeightError
"""
import argparse
import time

import numpy as np

from spinup.utils.logx import EpochLogger
from spinup.utils.run_utils import ExperimentGrid


def fit_line(lr=0.05, batch_size=16, steps_per_epoch=50, epochs=20, noise=0.5, seed=0,
             logger_kwargs=dict()):
    """Fit y = w*x + b to noisy samples of y = 3x - 1 by SGD, logging each epoch.

    Args:
        lr (float): Step size.
        batch_size (int): Samples per gradient step.
        steps_per_epoch (int): Gradient steps per epoch.
        epochs (int): Number of epochs.
        noise (float): Standard deviation of the noise on y.
        seed (int): Seed for the data and the initial parameters.
        logger_kwargs (dict): Keyword args for EpochLogger (the grid sets
            output_dir and exp_name).
    """
    logger = EpochLogger(**logger_kwargs)
    logger.save_config(locals())
    rng = np.random.default_rng(seed)
    true_w, true_b = 3.0, -1.0
    w, b = rng.normal(size=2)
    start_time = time.time()

    for epoch in range(epochs):
        for _ in range(steps_per_epoch):
            x = rng.uniform(-1, 1, batch_size)
            y = true_w * x + true_b + noise * rng.normal(size=batch_size)
            err = w * x + b - y
            logger.store(Loss=np.mean(err ** 2))
            # Gradient of the mean squared error.
            w -= lr * np.mean(2 * err * x)
            b -= lr * np.mean(2 * err)

        logger.log_tabular("Epoch", epoch)
        logger.log_tabular("Loss", with_min_and_max=True)
        logger.log_tabular("WeightError", abs(w - true_w) + abs(b - true_b))
        logger.log_tabular("TotalEnvInteracts", (epoch + 1) * steps_per_epoch * batch_size)
        logger.log_tabular("Time", time.time() - start_time)
        logger.dump_tabular()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Run a grid over a user's own function.")
    parser.add_argument("--data_dir", type=str, default=None,
                        help="where the runs go (default: spinup's DEFAULT_DATA_DIR)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=1,
                        help="how many variants run at the same time")
    args = parser.parse_args()

    eg = ExperimentGrid(name="fit-line")
    eg.add("lr", [0.01, 0.1], in_name=True)
    eg.add("seed", [0, 10])
    eg.add("epochs", args.epochs)
    eg.run(fit_line, data_dir=args.data_dir, parallel=args.parallel)
