"""
Some simple logging functionality, inspired by rllab's logging.

Logs to a tab-separated-values file (path/to/output_directory/progress.txt)

Two classes do the work:

- ``Logger`` saves diagnostics (one row per ``dump_tabular``), the
  experiment's configuration, its state and its trained model.
- ``EpochLogger`` adds ``store``: collect a quantity many times during an
  epoch, then log its average, standard deviation, min and max (over all MPI
  processes) with one ``log_tabular`` call.

Importing this module does not import TensorFlow or PyTorch; they are only
imported when you set up a TF or PyTorch saver.
"""
import json
import os
import os.path as osp
import re
import time
import warnings
from typing import Any

import numpy as np

from spinup._errors import LogDirError, LogFileError, LoggerError, LoggerTypeError
from spinup.utils import _atomic
from spinup.utils._context import current_context
from spinup.utils._writers import ProgressWriter, TableWriter, TensorBoardWriter
from spinup.utils.mpi_tools import mpi_statistics_scalar, num_procs, proc_id
from spinup.utils.serialization_utils import convert_json

color2num = dict(
    gray=30,
    red=31,
    green=32,
    yellow=33,
    blue=34,
    magenta=35,
    cyan=36,
    white=37,
    crimson=38,
)

SNAPSHOT_MODES = ("last", "all", "gap", "gap_and_last", "gap_overwrite", "none")


def colorize(string: str, color: str, bold: bool = False, highlight: bool = False) -> str:
    """
    Colorize a string.

    This function was originally written by John Schulman.
    """
    attr = []
    num = color2num[color]
    if highlight:
        num += 10
    attr.append(str(num))
    if bold:
        attr.append("1")
    return "\x1b[%sm%s\x1b[0m" % (";".join(attr), string)


def restore_tf_graph(sess: Any, fpath: str) -> dict[str, Any]:
    """
    Loads graphs saved by Logger.

    Will output a dictionary whose keys and values are from the 'inputs'
    and 'outputs' dict you specified with logger.setup_tf_saver().

    Args:
        sess: A Tensorflow session.
        fpath: Filepath to save directory.

    Returns:
        A dictionary mapping from keys to tensors in the computation graph
        loaded from fpath.
    """
    import joblib
    import tensorflow as tf

    info_path = osp.join(fpath, "model_info.pkl")
    if not osp.isfile(info_path):
        raise FileNotFoundError(
            "No TensorFlow save at %s (model_info.pkl is missing). Point to a "
            "tf1_save folder written by Logger.save_state." % fpath)
    tf.compat.v1.saved_model.loader.load(
        sess, [tf.compat.v1.saved_model.tag_constants.SERVING], fpath)
    model_info = joblib.load(info_path)
    graph = tf.compat.v1.get_default_graph()
    model = dict()
    model.update({k: graph.get_tensor_by_name(v) for k, v in model_info["inputs"].items()})
    model.update({k: graph.get_tensor_by_name(v) for k, v in model_info["outputs"].items()})
    return model


_VARS_RE = re.compile(r"^vars(\d+)\.pkl$")


def load_state(output_dir: str, itr: Any = "last") -> dict[str, Any]:
    """Load back a state dict saved by ``Logger.save_state``.

    This is how a training function resumes: it reads what it saved (for
    the reference algorithms: the environment, the epoch, the model and
    optimizer states) and carries on from there.

    Args:
        output_dir (string): The run's output directory.

        itr: Which snapshot: ``'last'`` (the default) picks the most recent of
            the highest numbered ``vars<N>.pkl`` and the unnumbered
            ``vars.pkl``; an int picks ``vars<itr>.pkl``; None picks
            ``vars.pkl``.

    Returns:
        The state dict, as it was passed to ``save_state``.
    """
    import joblib

    path = snapshot_path(output_dir, itr)
    return joblib.load(path)


def snapshot_path(output_dir: str, itr: Any = "last") -> str:
    """The vars file that ``load_state(output_dir, itr)`` would read."""
    if itr == "last":
        candidates = []
        try:
            entries = os.listdir(output_dir)
        except FileNotFoundError:
            raise FileNotFoundError("No output directory %s to load a snapshot from."
                                    % output_dir) from None
        numbered = [int(m.group(1)) for m in map(_VARS_RE.match, entries) if m]
        if numbered:
            candidates.append(osp.join(output_dir, "vars%d.pkl" % max(numbered)))
        if "vars.pkl" in entries:
            candidates.append(osp.join(output_dir, "vars.pkl"))
        if not candidates:
            raise FileNotFoundError("No snapshot (vars.pkl or vars<N>.pkl) in %s." % output_dir)
        return max(candidates, key=osp.getmtime)
    path = osp.join(output_dir, "vars.pkl" if itr is None else "vars%d.pkl" % int(itr))
    if not osp.isfile(path):
        raise FileNotFoundError("No snapshot %s." % path)
    return path


class Logger:
    """
    A general-purpose logger.

    Makes it easy to save diagnostics, hyperparameter configurations, the
    state of a training run, and the trained model.
    """

    def __init__(self, output_dir: str | None = None, output_fname: str = "progress.txt",
                 exp_name: str | None = None, *, resume: bool = False,
                 snapshot_mode: str | None = None, snapshot_gap: int = 1,
                 tensorboard: bool = False):
        """
        Initialize a Logger.

        Args:
            output_dir (string): A directory for saving results to. If
                ``None``, defaults to a temp directory of the form
                ``/tmp/experiments/somerandomnumber`` (or, inside a
                ``wrap_experiment`` experiment, the experiment's log dir).

            output_fname (string): Name for the tab-separated-value file
                containing metrics logged throughout a training run.
                Defaults to ``progress.txt``. An existing file of that name
                is never overwritten: it is moved aside to
                ``progress.txt.1`` (``.2``, ...) unless you resume.

            exp_name (string): Experiment name. If you run multiple training
                runs and give them all the same ``exp_name``, the plotter
                will know to group them. (Use case: if you run the same
                hyperparameter configuration with multiple random seeds, you
                should give them all the same ``exp_name``.)

            resume (bool): Keyword only. Append to an existing progress file
                instead of moving it aside; the keys you log must be the
                file's columns.

            snapshot_mode (string): Keyword only. Which snapshots
                ``save_state`` keeps: None (the original behaviour), 'last',
                'all', 'gap', 'gap_and_last', 'gap_overwrite' or 'none'.

            snapshot_gap (int): Keyword only. The gap between numbered
                snapshots for the 'gap' modes.

            tensorboard (bool): Keyword only. Also write every row as
                TensorBoard scalars under ``output_dir/tb``.
        """
        ctxt = current_context()
        if snapshot_mode is None and ctxt is not None:
            snapshot_mode, snapshot_gap = ctxt.snapshot_mode, ctxt.snapshot_gap
        if snapshot_mode is not None and snapshot_mode not in SNAPSHOT_MODES:
            raise LoggerError("Unknown snapshot_mode %r; use one of %s (or None for the "
                              "original behaviour)." % (snapshot_mode, ", ".join(SNAPSHOT_MODES)))
        if not isinstance(snapshot_gap, int) or snapshot_gap < 1:
            raise LoggerError("snapshot_gap must be a positive int, not %r." % (snapshot_gap,))
        self.snapshot_mode = snapshot_mode
        self.snapshot_gap = snapshot_gap
        # Inside a wrapped experiment, the experiment's log dir is the
        # expected home (it already exists: no warning) and names the run.
        in_context_dir = output_dir is None and ctxt is not None
        if in_context_dir:
            output_dir = ctxt.snapshot_dir
            if exp_name is None:
                exp_name = osp.basename(osp.normpath(output_dir))
        self.exp_name = exp_name
        self.first_row = True
        self.log_headers = []
        self.log_current_row = {}
        self.writers = []
        self.output_file = None
        self._progress = None

        if proc_id() == 0:
            self.output_dir = output_dir or "/tmp/experiments/%i" % int(time.time())
            _prepare_output_dir(self.output_dir, warn_if_exists=not in_context_dir)
            path = osp.join(self.output_dir, output_fname)
            self._progress = ProgressWriter(path, resume=resume,
                                            announce=lambda m: print(colorize(m, "yellow")))
            self.output_file = self._progress.file
            print(colorize("Logging data to %s" % self._progress.path, "green", bold=True))
            # The progress file goes first: when resuming, it checks the row
            # before anything is printed.
            self.writers = [self._progress, TableWriter()]
            if tensorboard:
                self.writers.append(TensorBoardWriter(osp.join(self.output_dir, "tb")))
        else:
            self.output_dir = None

    def log(self, msg: str, color: str = "green") -> None:
        """Print a colorized message to stdout."""
        if proc_id() == 0:
            print(colorize(msg, color, bold=True))

    def log_tabular(self, key: str, val: Any) -> None:
        """
        Log a value of some diagnostic.

        Call this only once for each diagnostic quantity, each iteration.
        After using ``log_tabular`` to store values for each diagnostic,
        make sure to call ``dump_tabular`` to write them out to file and
        stdout (otherwise they will not get saved anywhere).
        """
        if self.first_row:
            if self._progress is not None:
                self._progress.check_key(key)
            if key not in self.log_headers:
                self.log_headers.append(key)
        elif key not in self.log_headers:
            raise LoggerError("Trying to introduce a new key %s that you didn't include "
                              "in the first iteration" % key)
        if key in self.log_current_row:
            raise LoggerError("You already set %s this iteration. Maybe you forgot to "
                              "call dump_tabular()" % key)
        self.log_current_row[key] = val

    def save_config(self, config: dict[str, Any]) -> None:
        """
        Log an experiment configuration.

        Call this once at the top of your experiment, passing in all important
        config vars as a dict. This will serialize the config to JSON, while
        handling anything which can't be serialized in a graceful way (writing
        as informative a string as possible).

        Example use:

        .. code-block:: python

            logger = EpochLogger(**logger_kwargs)
            logger.save_config(locals())
        """
        config_json = convert_json(config)
        if self.exp_name is not None:
            config_json["exp_name"] = self.exp_name
        if proc_id() == 0:
            try:
                output = json.dumps(config_json, separators=(",", ":\t"), indent=4,
                                    sort_keys=True)
            except TypeError:  # keys of mixed types cannot be sorted
                output = json.dumps(convert_json({str(k): v for k, v in config_json.items()}),
                                    separators=(",", ":\t"), indent=4, sort_keys=True)
            print(colorize("Saving config:\n", color="cyan", bold=True))
            print(output)
            _atomic.write_text(osp.join(self.output_dir, "config.json"), output)

    def save_state(self, state_dict: dict[str, Any], itr: int | None = None) -> None:
        """
        Saves the state of an experiment.

        To be clear: this is about saving *state*, not logging diagnostics.
        All diagnostic logging is separate from this function. This function
        will save whatever is in ``state_dict``---usually just a copy of the
        environment---and the most recent parameters for the model you
        previously set up saving for with ``setup_tf_saver`` or
        ``setup_pytorch_saver``.

        Call with any frequency you prefer. If you only want to maintain a
        single state and overwrite it at each call with the most recent
        version, leave ``itr=None``. If you want to keep all of the states you
        save, provide unique (increasing) values for 'itr'. (A
        ``snapshot_mode`` given to the Logger decides instead.)

        Every file is written under a temporary name and then renamed, so a
        run killed in the middle of a save still has its previous snapshot.

        Args:
            state_dict (dict): Dictionary containing essential elements to
                describe the current state of training.

            itr: An int, or None. Current iteration of training.
        """
        if proc_id() != 0:
            return
        for target in self._snapshot_targets(itr):
            fname = "vars.pkl" if target is None else "vars%d.pkl" % target
            try:
                import joblib
                _atomic.write_with(osp.join(self.output_dir, fname),
                                   lambda tmp: joblib.dump(state_dict, tmp))
            except Exception:
                self.log("Warning: could not pickle state_dict.", color="red")
            if hasattr(self, "tf_saver_elements"):
                self._tf_simple_save(target)
            if hasattr(self, "pytorch_saver_elements"):
                self._pytorch_simple_save(target)

    def save_epoch(self, state_dict: dict[str, Any], epoch: int) -> None:
        """Save the state reached after ``epoch``, as a training loop does.

        Without a ``snapshot_mode`` this is the original's
        ``save_state(state_dict, None)``: one snapshot, overwritten each
        time. With a mode, the epoch decides which files are written
        (numbered, unnumbered, every ``snapshot_gap`` epochs, ...).
        """
        self.save_state(state_dict, None if self.snapshot_mode is None else epoch)

    def _snapshot_targets(self, itr: int | None):
        """Which snapshots (None = unnumbered, int = numbered) to write."""
        mode = self.snapshot_mode
        if mode is None:
            return [itr]
        if mode == "none":
            return []
        if mode == "last" or itr is None:
            return [None]
        due = itr % self.snapshot_gap == 0
        if mode == "all":
            return [itr]
        if mode == "gap":
            return [itr] if due else []
        if mode == "gap_and_last":
            return [None, itr] if due else [None]
        return [None] if due else []  # gap_overwrite

    def setup_tf_saver(self, sess: Any, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
        """
        Set up easy model saving for tensorflow.

        Call once, after defining your computation graph but before training.

        Args:
            sess: The Tensorflow session in which you train your computation
                graph.

            inputs (dict): A dictionary that maps from keys of your choice
                to the tensorflow placeholders that serve as inputs to the
                computation graph. Make sure that *all* of the placeholders
                needed for your outputs are included!

            outputs (dict): A dictionary that maps from keys of your choice
                to the outputs from your computation graph.
        """
        import tensorflow as tf

        for what, mapping in (("inputs", inputs), ("outputs", outputs)):
            if not isinstance(mapping, dict) or not mapping:
                raise LoggerTypeError("setup_tf_saver: %s must be a non-empty dict of "
                                      "name -> tensor, got %r." % (what, mapping))
            for key, value in mapping.items():
                if not isinstance(value, (tf.Tensor, tf.Variable, tf.Operation)) \
                        or not hasattr(value, "graph"):
                    raise LoggerTypeError(
                        "setup_tf_saver: %s[%r] is %r (type %s), not a graph tensor. Pass "
                        "the placeholders and output tensors of your tf.compat.v1 graph."
                        % (what, key, value, type(value).__name__))
        self.tf_saver_elements = dict(session=sess, inputs=inputs, outputs=outputs)
        self.tf_saver_info = {"inputs": {k: v.name for k, v in inputs.items()},
                              "outputs": {k: v.name for k, v in outputs.items()}}

    def _tf_simple_save(self, itr: int | None = None) -> None:
        """Uses simple_save to save a trained model, plus info to make it
        easy to associate tensors to variables after restore."""
        if proc_id() != 0:
            return
        import joblib
        import tensorflow as tf

        fpath = osp.join(self.output_dir, "tf1_save" + ("%d" % itr if itr is not None else ""))

        def build(tmp_dir):
            tf.compat.v1.saved_model.simple_save(export_dir=tmp_dir, **self.tf_saver_elements)
            joblib.dump(self.tf_saver_info, osp.join(tmp_dir, "model_info.pkl"))

        _atomic.replace_dir(fpath, build)

    def setup_pytorch_saver(self, what_to_save: Any) -> None:
        """
        Set up easy model saving for a single PyTorch model.

        Because PyTorch saving and loading is especially painless, this is
        very minimal; we just need references to whatever we would like to
        pickle. This is integrated into the logger because the logger
        knows where the user would like to save information about this
        training run.

        Args:
            what_to_save: Any PyTorch model or serializable object containing
                PyTorch models.
        """
        self.pytorch_saver_elements = what_to_save

    def _pytorch_simple_save(self, itr: int | None = None) -> None:
        """Saves the PyTorch model (or models)."""
        if proc_id() != 0:
            return
        import torch

        fpath = osp.join(self.output_dir, "pyt_save")
        fname = osp.join(fpath, "model" + ("%d" % itr if itr is not None else "") + ".pt")
        os.makedirs(fpath, exist_ok=True)
        with warnings.catch_warnings():
            # torch warns about saving whole modules (source code is not
            # saved with them); that is what we want here.
            warnings.simplefilter("ignore")
            _atomic.write_with(fname, lambda tmp: torch.save(self.pytorch_saver_elements, tmp))

    def dump_tabular(self) -> None:
        """
        Write all of the diagnostics from the current iteration.

        Writes both to stdout, and to the output file.
        """
        if proc_id() == 0:
            vals = [self.log_current_row.get(key, "") for key in self.log_headers]
            for writer in self.writers:
                writer.write(self.log_headers, vals)
        self.log_current_row.clear()
        self.first_row = False

    def rewind_progress(self, num_rows: int) -> None:
        """Keep only the first ``num_rows`` rows of the progress file.

        Meant for resuming: rows logged after the snapshot you resume from
        would otherwise appear twice. The complete old file is first kept as
        the next free ``progress.txt.N``.
        """
        if self._progress is not None:
            self._progress.rewind(num_rows)

    def close(self) -> None:
        """Close the progress file and any other outputs."""
        for writer in self.writers:
            writer.close()


class EpochLogger(Logger):
    """
    A variant of Logger tailored for tracking average values over epochs.

    Typical use case: there is some quantity which is calculated many times
    throughout an epoch, and at the end of the epoch, you would like to
    report the average / std / min / max value of that quantity.

    With an EpochLogger, each time the quantity is calculated, you would
    use

    .. code-block:: python

        epoch_logger.store(NameOfQuantity=quantity_value)

    to load it into the EpochLogger's state. Then at the end of the epoch, you
    would use

    .. code-block:: python

        epoch_logger.log_tabular(NameOfQuantity, **options)

    to record the desired values.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.epoch_dict = dict()

    def store(self, **kwargs) -> None:
        """
        Save something into the epoch_logger's current state.

        Provide an arbitrary number of keyword arguments with numerical
        values.
        """
        epoch_dict = self.epoch_dict
        for k, v in kwargs.items():
            if type(v) not in _PLAIN_NUMBERS:
                v = _checked_number(k, v)
            try:
                epoch_dict[k].append(v)
            except KeyError:
                epoch_dict[k] = [v]

    def log_tabular(self, key: str, val: Any = None, with_min_and_max: bool = False,
                    average_only: bool = False) -> None:
        """
        Log a value or possibly the mean/std/min/max values of a diagnostic.

        Args:
            key (string): The name of the diagnostic. If you are logging a
                diagnostic whose state has previously been saved with
                ``store``, the key here has to match the key you used there.

            val: A value for the diagnostic. If you have previously saved
                values for this key via ``store``, do *not* provide a ``val``
                here.

            with_min_and_max (bool): If true, log min and max values of the
                diagnostic over the epoch.

            average_only (bool): If true, do not log the standard deviation
                of the diagnostic over the epoch.
        """
        if val is not None:
            super().log_tabular(key, val)
        else:
            stats = self.get_stats(key, with_min_and_max=with_min_and_max)
            super().log_tabular(key if average_only else "Average" + key, stats[0])
            if not average_only:
                super().log_tabular("Std" + key, stats[1])
            if with_min_and_max:
                super().log_tabular("Max" + key, stats[3])
                super().log_tabular("Min" + key, stats[2])
        self.epoch_dict[key] = []

    def get_stats(self, key: str, with_min_and_max: bool = False):
        """
        Lets an algorithm ask the logger for mean/std/min/max of a diagnostic.

        Returns (mean, std), or (mean, std, min, max) with
        ``with_min_and_max``, over the values stored this epoch by every MPI
        process.
        """
        values = self.epoch_dict.get(key)
        if values is None:
            if num_procs() == 1:
                stored = ", ".join(sorted(self.epoch_dict)) or "nothing yet"
                raise LoggerError(
                    "No values were stored for %r. Call logger.store(%s=value) during "
                    "the epoch before logging it, or pass a value: log_tabular(%r, val). "
                    "(Stored keys: %s.)" % (key, key, key, stored))
            values = []  # other MPI ranks may have values for it
        if values and isinstance(values[0], np.ndarray) and values[0].ndim > 0:
            values = np.concatenate(values)
        with np.errstate(invalid="ignore", divide="ignore"):
            return mpi_statistics_scalar(values, with_min_and_max=with_min_and_max)


_PLAIN_NUMBERS = frozenset([float, int, bool, np.float32, np.float64, np.int32, np.int64,
                            np.bool_])


def _checked_number(key: str, value: Any) -> Any:
    """Return value if it is numeric (a number or a numeric array), else raise."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return value
    elif not isinstance(value, (str, bytes)):
        try:
            as_array = np.asarray(value)
        except Exception:
            as_array = None
        if as_array is not None and as_array.dtype.kind in "biuf":
            return value
    raise LoggerTypeError(
        "EpochLogger.store(%s=...) got %r (type %s), which is not a number or numeric "
        "array. store() collects numbers to average; log other values with "
        "log_tabular(%r, value)." % (key, value, type(value).__name__, key))


def _prepare_output_dir(output_dir: str, warn_if_exists: bool = True) -> None:
    """Create output_dir (or warn that it exists) and make sure we can write."""
    if osp.exists(output_dir):
        if not osp.isdir(output_dir):
            raise LogDirError("Log dir %s is an existing file, not a folder. Choose another "
                              "output_dir." % output_dir)
        if warn_if_exists:
            print("Warning: Log dir %s already exists! Storing info there anyway."
                  % output_dir)
    else:
        try:
            os.makedirs(output_dir)
        except OSError as e:
            raise LogDirError("Cannot create log dir %s (%s). Choose an output_dir you can "
                              "write to." % (output_dir, e.strerror or e)) from e
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise LogDirError("Log dir %s is not writable. Choose an output_dir you can write to."
                          % output_dir)


__all__ = ["colorize", "restore_tf_graph", "load_state", "snapshot_path", "Logger",
           "EpochLogger", "LoggerError", "LoggerTypeError", "LogDirError", "LogFileError",
           "SNAPSHOT_MODES"]
