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
import errno
import fcntl
import io
import json
import os
import os.path as osp
import shutil
import tempfile
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from spinup._constants import DEFAULT_OUTPUT_DIR_PATTERN
from spinup._errors import LogDirError, LogFileError, LoggerError, LoggerTypeError
from spinup.utils import _atomic, _snapshots
from spinup.utils._context import current_context
from spinup.utils._snapshots import SNAPSHOT_MODES
from spinup.utils._writers import (
    ProgressWriter,
    RunInfo,
    TableWriter,
    open_outputs,
    parse_outputs,
)
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



def colorize(string: str, color: str, bold: bool = False, highlight: bool = False) -> str:
    """
    Colorize a string.

    This function was originally written by John Schulman.

    When the ``NO_COLOR`` environment variable is set (to anything but an
    empty string, see no-color.org), the string comes back unchanged.
    """
    num = color2num[color]  # an unknown colour is a KeyError either way
    if os.environ.get("NO_COLOR"):
        return string
    attr = []
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
        if not osp.isdir(output_dir):
            raise FileNotFoundError("No output directory %s to load a snapshot from."
                                    % output_dir)
        found = _snapshots.latest(output_dir, "vars")
        if found is None:
            raise FileNotFoundError("No snapshot (vars.pkl or vars<N>.pkl) in %s." % output_dir)
        return osp.join(output_dir, "vars%s.pkl" % found)
    path = osp.join(output_dir, _snapshots.vars_name(None if itr is None else int(itr)))
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
                 tensorboard: bool = False, outputs: str | Sequence[str] | None = None):
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
                TensorBoard scalars under ``output_dir/tb`` (the same as
                adding ``'tensorboard'`` to ``outputs``).

            outputs: Keyword only. More places to write every row to, besides
                progress.txt and the printed table: any of ``'csv'``
                (progress.csv), ``'jsonl'`` (progress.jsonl),
                ``'tensorboard'``, ``'mlflow'`` and ``'wandb'``. None (the
                default) takes them from the ``SPINUP_LOG_OUTPUTS``
                environment variable (``csv,mlflow``), or none at all. See
                :doc:`outputs`.
        """
        output_names = parse_outputs(outputs, tensorboard)  # a bad name fails on every rank
        ctxt = current_context()
        if snapshot_mode is None and ctxt is not None:
            snapshot_mode, snapshot_gap = ctxt.snapshot_mode, ctxt.snapshot_gap
        _snapshots.check(snapshot_mode, snapshot_gap, LoggerError)
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
        self._lock_key = None

        if proc_id() == 0:
            if output_dir is None:
                output_dir, in_context_dir = new_default_output_dir(), True
            self.output_dir = output_dir
            _prepare_output_dir(self.output_dir, warn_if_exists=not in_context_dir)
            self._lock_key = _lock_output_dir(self.output_dir)
            # A run killed while saving may have left temporary files, or a
            # model without the vars.pkl it belongs with: tidy up first.
            _snapshots.recover(self.output_dir)
            path = osp.join(self.output_dir, output_fname)
            # The writer never writes through a symbolic link at path: it
            # refuses one when resuming, and otherwise moves it aside.
            self._progress = ProgressWriter(path, resume=resume,
                                            announce=lambda m: print(colorize(m, "yellow")))
            self.output_file = self._progress.file
            _check_opened(self._progress.file, path)
            print(colorize("Logging data to %s" % self._progress.path, "green", bold=True))
            # The progress file goes first: when resuming, it checks the row
            # before anything is printed.
            self.writers = [self._progress, TableWriter()]
            self.writers += open_outputs(output_names, RunInfo(
                self.output_dir, exp_name, resume, lambda m: print(colorize(m, "yellow"))))
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
        _check_key(key)
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
            for writer in self.writers:  # MLflow parameters, the W&B config
                writer.save_config(config_json)

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
        run killed in the middle of a save still has its previous snapshot;
        the model goes into place first and ``vars.pkl`` last, so the files
        of one snapshot belong together.

        A ``state_dict`` that cannot be pickled gets a warning, as in the
        original, and the model is saved all the same.

        Args:
            state_dict (dict): Dictionary containing essential elements to
                describe the current state of training.

            itr: An int, or None. Current iteration of training.

        Raises:
            OSError: A file could not be written (a full disk, say). The
                message names the file and the cause; the previous snapshot
                is left as it was.
        """
        if proc_id() != 0:
            return
        targets = _snapshots.targets(self.snapshot_mode, self.snapshot_gap, itr)
        if not targets:
            return
        state_bytes = _pickled(state_dict)
        if state_bytes is None:
            self.log("Warning: could not pickle state_dict.", color="red")
        for target in targets:
            self._save_snapshot(target, state_bytes)

    def _save_snapshot(self, target: int | None, state_bytes: bytes | None) -> None:
        """Write one snapshot's files under temporary names, then put them
        in place together (see ``_snapshots.commit``)."""
        vars_path = osp.join(self.output_dir, _snapshots.vars_name(target))
        vars_tmp = None
        staging = []
        writing = vars_path  # the file to name if a write fails
        try:
            if state_bytes is not None:
                vars_tmp = _atomic.tmp_path_beside(vars_path)
                _write_bytes(vars_tmp, state_bytes)
            models = []
            if hasattr(self, "tf_saver_elements"):
                writing = osp.join(self.output_dir, _snapshots.tf_name(target))
                models.append(self._tf_stage(target, staging))
            if hasattr(self, "pytorch_saver_elements"):
                writing = osp.join(self.output_dir, "pyt_save", _snapshots.model_name(target))
                models.append(self._pytorch_stage(target, staging))
            writing = self.output_dir
            _snapshots.commit(self.output_dir, target, vars_tmp, models)
        except LoggerError:
            raise
        except OSError as e:
            raise _save_error(e, writing) from e
        finally:
            if vars_tmp is not None:
                _atomic.remove_quietly(vars_tmp)
            for folder in staging:
                shutil.rmtree(folder, ignore_errors=True)

    def save_epoch(self, state_dict: dict[str, Any], epoch: int) -> None:
        """Save the state reached after ``epoch``, as a training loop does.

        Without a ``snapshot_mode`` this is the original's
        ``save_state(state_dict, None)``: one snapshot, overwritten each
        time. With a mode, the epoch decides which files are written
        (numbered, unnumbered, every ``snapshot_gap`` epochs, ...).
        """
        self.save_state(state_dict, None if self.snapshot_mode is None else epoch)

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
        staging = []
        try:
            _snapshots.commit(self.output_dir, itr, None, [self._tf_stage(itr, staging)])
        except LoggerError:
            raise
        except OSError as e:
            raise _save_error(e, osp.join(self.output_dir, _snapshots.tf_name(itr))) from e
        finally:
            for folder in staging:
                shutil.rmtree(folder, ignore_errors=True)

    def _tf_stage(self, itr: int | None, staging: list[str]) -> tuple[str, str]:
        """Save the TF model into a temporary folder beside its final place;
        return (temporary path, final path)."""
        import joblib
        import tensorflow as tf

        fpath = osp.join(self.output_dir, _snapshots.tf_name(itr))
        _refuse_link(fpath)
        folder = tempfile.mkdtemp(prefix=".%s." % osp.basename(fpath), suffix=".tmp",
                                  dir=self.output_dir)
        staging.append(folder)
        tmp_dir = osp.join(folder, osp.basename(fpath))
        try:
            tf.compat.v1.saved_model.simple_save(export_dir=tmp_dir, **self.tf_saver_elements)
        except tf.errors.OpError as e:
            # TensorFlow reports a failed write as its own error; the
            # user needs to hear it was the disk.
            raise _os_error_from_message(str(e)) from e
        joblib.dump(self.tf_saver_info, osp.join(tmp_dir, "model_info.pkl"))
        return tmp_dir, fpath

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
        staging = []
        fname = osp.join(self.output_dir, "pyt_save", _snapshots.model_name(itr))
        try:
            _snapshots.commit(self.output_dir, itr, None, [self._pytorch_stage(itr, staging)])
        except LoggerError:
            raise
        except OSError as e:
            raise _save_error(e, fname) from e
        finally:
            for folder in staging:
                shutil.rmtree(folder, ignore_errors=True)

    def _pytorch_stage(self, itr: int | None, staging: list[str]) -> tuple[str, str]:
        """torch.save the model into a temporary folder in ``pyt_save``;
        return (temporary path, final path).

        The file is written as ``model.pt`` (not under a temporary file
        name) because torch names the records inside the zip after the
        file: ``model/data.pkl``, as in the original's files.
        """
        import torch

        fpath = osp.join(self.output_dir, "pyt_save")
        _refuse_link(fpath)
        if not osp.isdir(fpath):
            os.mkdir(fpath)
        name = _snapshots.model_name(itr)
        folder = tempfile.mkdtemp(prefix=".%s." % name, suffix=".tmp", dir=fpath)
        staging.append(folder)
        tmp = osp.join(folder, name)
        with warnings.catch_warnings():
            # torch warns about saving whole modules (source code is not
            # saved with them); that is what we want here.
            warnings.simplefilter("ignore")
            try:
                torch.save(self.pytorch_saver_elements, tmp)
            except RuntimeError as e:
                # A failed write shows up as a RuntimeError from torch's zip
                # writer ("unexpected pos ..."), which says nothing of the
                # disk. Serialize in memory and write it ourselves to find
                # out what the file system says.
                buffer = io.BytesIO()
                torch.save(self.pytorch_saver_elements, buffer)
                _write_bytes(osp.join(folder, "probe"), buffer.getvalue())
                raise OSError(errno.EIO, "torch.save failed (%s)" % e, tmp) from e
        return tmp, osp.join(fpath, name)

    def dump_tabular(self) -> None:
        """
        Write all of the diagnostics from the current iteration.

        Writes both to stdout, and to the output file.
        """
        if proc_id() == 0:
            vals = [self.log_current_row.get(key, "") for key in self.log_headers]
            mark = self._progress_mark()
            try:
                for writer in self.writers:
                    writer.write(self.log_headers, vals)
            except OSError:
                # Full disk (or similar): take back the part of the row that
                # made it to the file and keep the row, so that calling
                # dump_tabular again once there is space writes it once.
                self._progress_rewind_to(mark)
                raise
        self.log_current_row.clear()
        self.first_row = False

    def _progress_mark(self) -> tuple[int, bool] | None:
        if self._progress is None:
            return None
        self._progress.file.flush()
        return os.fstat(self._progress.file.fileno()).st_size, self._progress.header_written

    def _progress_rewind_to(self, mark: tuple[int, bool] | None) -> None:
        if mark is None:
            return
        size, header_written = mark
        progress = self._progress
        try:
            progress.file.close()  # its buffer holds the unwritten rest of the row
        except OSError:
            pass
        os.truncate(progress.path, size)
        progress.file = self.output_file = _open_append(progress.path,
                                                        getattr(progress, "newline", None))
        progress.header_written = header_written

    def rewind_progress(self, num_rows: int) -> None:
        """Keep only the first ``num_rows`` rows of the progress file.

        Meant for resuming: rows logged after the snapshot you resume from
        would otherwise appear twice. The complete old file is first kept as
        the next free ``progress.txt.N``.
        """
        for writer in self.writers:  # progress.txt, and progress.csv etc. alike
            writer.rewind(num_rows)

    def close(self) -> None:
        """Close the progress file and any other outputs, and let other
        processes write to the output folder again."""
        for writer in self.writers:
            writer.close()
        if self._lock_key is not None:
            _unlock_output_dir(self._lock_key)
            self._lock_key = None


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
        values. A value may be a number, or any array-like of numbers (a numpy
        array, a list, a tuple, a list of lists, even a ragged one, or a
        PyTorch tensor): its numbers are flattened and each one counts as one
        sample, so ``store(V=[1, 2, 3]); store(V=[5])`` gives AverageV 2.75.
        """
        epoch_dict = self.epoch_dict
        for k, v in kwargs.items():
            if type(v) not in _PLAIN_NUMBERS:
                v = _as_numbers(k, v)
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
        _check_key(key)
        values = self.epoch_dict.get(key)
        if values is None:
            if num_procs() == 1:
                stored = ", ".join(sorted(self.epoch_dict)) or "nothing yet"
                raise LoggerError(
                    "No values were stored for %r. Call logger.store(%s=value) during "
                    "the epoch before logging it, or pass a value: log_tabular(%r, val). "
                    "(Stored keys: %s.)" % (key, key, key, stored))
            values = []  # other MPI ranks may have values for it
        if any(isinstance(v, np.ndarray) for v in values):
            values = np.concatenate([np.ravel(v) for v in values])
        with np.errstate(invalid="ignore", divide="ignore"):
            return mpi_statistics_scalar(values, with_min_and_max=with_min_and_max)


_PLAIN_NUMBERS = frozenset([float, int, bool, np.float32, np.float64, np.int32, np.int64,
                            np.bool_])


def _check_key(key: Any) -> None:
    if not isinstance(key, str):
        raise LoggerTypeError("A diagnostic's name must be a string, not %r (type %s). Name "
                              "it, as in log_tabular('Epoch', epoch)."
                              % (key, type(key).__name__))


_warned_about_grad = False


def _as_numbers(key: str, value: Any) -> Any:
    """The numbers in ``value`` as a flat numpy array (or ``value`` itself
    when it is a 0-d numeric array); raise LoggerTypeError if it holds
    anything else."""
    try:
        flat = _flatten(value)
    except (TypeError, ValueError):
        flat = None
    if flat is not None and flat.dtype.kind in "biuf":
        return flat
    raise LoggerTypeError(
        "EpochLogger.store(%s=...) got %r (type %s), which is not a number or numeric "
        "array. store() collects numbers to average; log other values with "
        "log_tabular(%r, value)." % (key, value, type(value).__name__, key))


def _flatten(value: Any) -> np.ndarray:
    # The original kept a list as one item and later summed it (store(V=[1,
    # 2, 3]) averaged to 6.0); every number counting once is what anyone
    # averaging a list expects.
    if isinstance(value, np.ndarray):
        return value if value.ndim == 0 else value.ravel()
    if isinstance(value, (str, bytes, dict)):
        raise TypeError("not numeric")
    if _is_torch_tensor(value):
        return _tensor_to_numpy(value).ravel()
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError, RuntimeError):
            arr = None  # ragged, or holds tensors that need care
        if arr is not None and arr.dtype.kind in "biuf":
            return arr.ravel()
        parts = [np.ravel(_flatten(item)) for item in value]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return np.asarray(value).ravel()


def _is_torch_tensor(value: Any) -> bool:
    # Checked by module name so that storing numbers never imports torch.
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def _tensor_to_numpy(tensor: Any) -> np.ndarray:
    global _warned_about_grad
    if getattr(tensor, "requires_grad", False):
        if not _warned_about_grad:
            _warned_about_grad = True
            warnings.warn("EpochLogger.store() got a tensor that requires grad; storing "
                          "its detached value. Store loss.item() or tensor.detach() to "
                          "avoid this warning.", stacklevel=4)
        tensor = tensor.detach()
    return tensor.cpu().numpy()


_made_by_us: set[str] = set()


def new_default_output_dir() -> str:
    """Create and return a fresh ``/tmp/experiments/<unix time>`` folder.

    This is where a Logger writes when it is given no ``output_dir``. The
    path is easy to guess, so it is created with ``mkdir`` (which never
    follows a symbolic link and fails if the folder exists), with a suffix
    (``_1``, ``_2``, ...) when another run took the name first.
    """
    path = DEFAULT_OUTPUT_DIR_PATTERN % int(time.time())
    parent = osp.dirname(path)
    try:
        os.mkdir(parent)
    except FileExistsError:
        pass
    except OSError as e:
        raise LogDirError("Cannot create %s (%s). Give the logger an output_dir."
                          % (parent, e.strerror or e)) from e
    if osp.islink(parent) or not osp.isdir(parent):
        raise LogDirError("%s is not a plain folder (it is a symbolic link or a file); "
                          "refusing to write through it. Remove it, or give the logger an "
                          "output_dir." % parent)
    candidate, n = path, 0
    while True:
        try:
            os.mkdir(candidate)
            _made_by_us.add(candidate)  # a Logger opening it need not warn
            return candidate
        except FileExistsError:
            n += 1
            candidate = "%s_%d" % (path, n)


# Output folders this process holds the lock of: (device, inode) -> [fd, users].
_locks: dict[tuple[int, int], list[int]] = {}


def _lock_output_dir(path: str) -> tuple[int, int]:
    """Take the output folder's lock, or raise if another process holds it.

    Two runs writing the same folder at once would interleave their rows and
    overwrite each other's snapshots. The lock is an flock on the folder
    itself: the kernel drops it when its process ends, however it ends, so a
    dead run never blocks the next one. Loggers of one process share it (a
    training function that resumes after a crash in the same process opens
    a second logger on the folder).
    """
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    st = os.fstat(fd)
    key = (st.st_dev, st.st_ino)
    if key in _locks:
        os.close(fd)
        _locks[key][1] += 1
        return key
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = _lock_holder(st.st_ino)
        raise LogDirError(
            "Another process (%s) is writing to %s right now. Two runs in one output folder "
            "would mix their rows and snapshots: wait for it to finish, or give this run "
            "another output_dir (another exp_name or seed)."
            % ("pid %d" % holder if holder else "pid unknown", path)) from None
    _locks[key] = [fd, 1]
    return key


def _unlock_output_dir(key: tuple[int, int]) -> None:
    entry = _locks.get(key)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] == 0:
        del _locks[key]
        os.close(entry[0])  # closing the last descriptor releases the flock


def _lock_holder(inode: int) -> int | None:
    """The pid holding an flock on the file with this inode (Linux only)."""
    try:
        with open("/proc/locks") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        # "1: FLOCK  ADVISORY  WRITE 4242 fd:01:123456 0 EOF"
        fields = line.split()
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[5].split(":")[-1] == str(inode):
            try:
                return int(fields[4])
            except ValueError:
                return None
    return None


def _refuse_link(path: str) -> None:
    # Folders the logger names itself (pyt_save, tf1_save) must be its own:
    # a link planted there would send the model somewhere else.
    if osp.islink(path):
        raise LogDirError("%s is a symbolic link (to %s); the logger does not write through "
                          "links it did not create. Remove the link, or choose another "
                          "output_dir." % (path, os.readlink(path)))


def _check_opened(file: Any, path: str) -> None:
    # The file just opened must be the one at path, not a link's target
    # (a link planted between the check above and the open).
    if osp.islink(path) or not osp.samestat(os.fstat(file.fileno()), os.lstat(path)):
        file.close()
        raise LogFileError("%s changed into a symbolic link while the logger opened it; "
                           "refusing to write through it." % path)


def _open_append(path: str, newline: str | None = None) -> Any:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
    return os.fdopen(fd, "a", encoding="utf-8", newline=newline)


def _pickled(state_dict: Any) -> bytes | None:
    """The state dict as joblib writes it to a file, or None if it cannot be
    pickled. Pickling in memory first keeps pickling failures (a warning,
    as in the original) apart from write failures (an error)."""
    import joblib

    buffer = io.BytesIO()
    try:
        joblib.dump(state_dict, buffer)
    except Exception:
        return None
    return buffer.getvalue()


def _write_bytes(path: str, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _os_error_from_message(message: str) -> OSError:
    for code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        if os.strerror(code).lower() in message.lower():
            return OSError(code, os.strerror(code))
    return OSError(errno.EIO, message)


def _save_error(e: OSError, path: str) -> OSError:
    """The error to raise when a snapshot could not be written."""
    if e.errno == errno.ENOSPC or e.errno == errno.EDQUOT:
        why = "no space left on the device (or quota reached)"
        fix = "Free some space"
    elif e.errno == errno.EFBIG:
        why = "the file became too large for this system's limits"
        fix = "Raise the file size limit (ulimit -f)"
    else:
        why = e.strerror or str(e)
        fix = "Check the output folder"
    return OSError(e.errno, "Could not save the snapshot %s: %s. The previous snapshot is "
                   "left as it was. %s, then save again." % (path, why, fix))


def _prepare_output_dir(output_dir: str, warn_if_exists: bool = True) -> None:
    """Create output_dir (or warn that it exists) and make sure we can write."""
    if osp.exists(output_dir):
        if not osp.isdir(output_dir):
            raise LogDirError("Log dir %s is an existing file, not a folder. Choose another "
                              "output_dir." % output_dir)
        if warn_if_exists and output_dir not in _made_by_us:
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
           "new_default_output_dir",
           "EpochLogger", "LoggerError", "LoggerTypeError", "LogDirError", "LogFileError",
           "SNAPSHOT_MODES"]
