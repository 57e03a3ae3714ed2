"""
Tools for running experiments the garage way.

Decorate a training function with ``wrap_experiment`` and call it with
keyword arguments. Each call gets its own log directory,
``<data>/local/<prefix>/<name>``, in which it saves its arguments
(``variant.json``), which code it ran (``metadata.json`` and
``launch_archive.tar.xz``), and everything the Spinning Up logger writes:
inside the experiment, an ``EpochLogger()`` made without an ``output_dir``
logs into that directory, and its ``save_state`` keeps the snapshots the
experiment's ``snapshot_mode`` asks for.

.. code-block:: python

    from spinup.utils.experiment import wrap_experiment
    from spinup.utils.logx import EpochLogger

    @wrap_experiment(snapshot_mode='gap', snapshot_gap=10)
    def my_experiment(ctxt, seed, lr=0.5):
        logger = EpochLogger()          # logs into ctxt.snapshot_dir
        ...

    my_experiment(seed=1)

``run_experiment`` is garage's older launcher: it runs a pickled function
in a fresh Python process through a small entry point.
"""
import functools
import importlib
import inspect
import json
import os
import re
import shlex
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from spinup.utils import _atomic, _git_archive, _snapshots
from spinup.utils._context import active_context
from spinup.utils._readable_json import to_readable

# The snapshot modes the logger understands (SPEC §3.3), checked here too so
# that a bad mode is refused when the experiment is decorated.
_SNAPSHOT_MODES = _snapshots.SNAPSHOT_MODES
_NAME_PARAMETERS = (None, "all", "passed")
_OPTION_NAMES = ("function", "log_dir", "name", "prefix", "snapshot_mode", "snapshot_gap",
                 "archive_launch_repo", "name_parameters", "use_existing_dir")

_DEFAULT_SCRIPT = "spinup.utils._experiment_entrypoint"


def _check_snapshot_settings(snapshot_mode: Any, snapshot_gap: Any) -> None:
    if snapshot_mode not in _SNAPSHOT_MODES:
        raise ValueError("Unknown snapshot_mode %r; use one of %s."
                         % (snapshot_mode, ", ".join(repr(m) for m in _SNAPSHOT_MODES)))
    if isinstance(snapshot_gap, bool) or not isinstance(snapshot_gap, int) or snapshot_gap < 1:
        raise ValueError("snapshot_gap must be a positive int (the number of iterations "
                         "between snapshots), not %r." % (snapshot_gap,))


class ExperimentContext:
    """Context in which an experiment is being run.

    A wrapped experiment function receives one as its first argument. While
    the function runs, the context is also the *active* one: a Spinning Up
    ``Logger`` or ``EpochLogger`` created without an ``output_dir`` writes
    into ``snapshot_dir``, and, unless it is given a ``snapshot_mode`` of its
    own, its ``save_state`` follows ``snapshot_mode`` and ``snapshot_gap``.

    Args:
        snapshot_dir (str): The full directory to put snapshots in (the
            experiment's log directory).
        snapshot_mode (str): Policy for which snapshots to keep (or make at
            all): 'all' (every iteration is saved, numbered), 'last' (only the
            last iteration, unnumbered, overwritten each time), 'gap' (every
            ``snapshot_gap`` iterations, numbered), 'gap_and_last' (both
            'gap' and 'last'), 'gap_overwrite' (every ``snapshot_gap``
            iterations, unnumbered) or 'none' (no snapshots).
        snapshot_gap (int): Gap between snapshot iterations. Waits this
            number of iterations before taking another snapshot.
    """

    def __init__(self, *, snapshot_dir: str, snapshot_mode: str, snapshot_gap: int):
        _check_snapshot_settings(snapshot_mode, snapshot_gap)
        self.snapshot_dir = snapshot_dir
        self.snapshot_mode = snapshot_mode
        self.snapshot_gap = snapshot_gap

    def __repr__(self) -> str:
        return ("ExperimentContext(snapshot_dir=%r, snapshot_mode=%r, snapshot_gap=%r)"
                % (self.snapshot_dir, self.snapshot_mode, self.snapshot_gap))


class ExperimentTemplate:
    """Creates experiment log directories and runs an experiment.

    Make one with ``wrap_experiment``, normally as a decorator:

    .. code-block:: python

        @wrap_experiment(snapshot_mode='all')
        def my_experiment(ctxt, seed, lr=0.5):
            ...

        my_experiment(seed=1)

    Calling the template runs the function once: it creates the log
    directory ``<data>/local/<prefix>/<name>`` (``<data>`` is
    ``spinup.user_config.DEFAULT_DATA_DIR``, read at each call), adding
    ``_1``, ``_2``, ... when that directory already exists; saves the
    arguments to ``variant.json`` and the launch metadata to
    ``metadata.json``; archives the launcher's git repository if asked; then
    calls ``function(ctxt, **kwargs)`` with the ``ExperimentContext`` active
    and returns what it returns.

    Only keyword arguments are accepted. As in garage, a single dict may be
    passed positionally to override the template's options for this one
    call, e.g. ``my_experiment(dict(log_dir='/tmp/run'), seed=1)``.

    When the launcher runs under MPI (``mpi_fork`` before the call), only
    rank 0 creates the directory and its files; every rank gets the same
    context.

    Args:
        function (callable or None): The experiment function to wrap. Its
            first parameter receives the ExperimentContext.
        log_dir (str or None): The full log directory to log to. Will be
            computed from name if omitted. If it already holds files and
            ``use_existing_dir`` is False, a numeric suffix is added, so
            earlier results are never mixed with new ones.
        name (str or None): The name of this experiment template. Will be
            filled from the wrapped function's name if omitted.
        prefix (str): Directory under data/local in which to place the
            experiment directory.
        snapshot_mode (str): Policy for which snapshots to keep (or make at
            all): 'all', 'last', 'gap', 'gap_and_last', 'gap_overwrite' or
            'none' (see ExperimentContext).
        snapshot_gap (int): Gap between snapshot iterations.
        archive_launch_repo (bool): Whether to save an archive of the
            repository containing the launcher script. This is a potentially
            expensive operation which is useful for ensuring
            reproducibility.
        name_parameters (str or None): Parameters to insert into the
            experiment name: None (the default), 'all' (all parameters, with
            their defaults when not passed) or 'passed' (only passed
            parameters). They are inserted in the order they appear in the
            function definition, as ``<name>_<param>=<value>_...``.
        use_existing_dir (bool): If true, (re)use the directory for this
            experiment, even if it already contains data.
    """

    def __init__(self, *, function: Callable | None, log_dir: str | None,
                 name: str | None, prefix: str, snapshot_mode: str, snapshot_gap: int,
                 archive_launch_repo: bool, name_parameters: str | None,
                 use_existing_dir: bool):
        _check_snapshot_settings(snapshot_mode, snapshot_gap)
        if name_parameters not in _NAME_PARAMETERS:
            raise ValueError("name_parameters must be None, 'all' or 'passed', not %r."
                             % (name_parameters,))
        for what, value in (("prefix", prefix), ("name", name)):
            if value is not None:
                _check_relative_name(what, value)
        if function is not None:
            _check_experiment_function(function)
            functools.update_wrapper(self, function)
        self.function = function
        self.log_dir = log_dir
        self.name = name
        self.prefix = prefix
        self.snapshot_mode = snapshot_mode
        self.snapshot_gap = snapshot_gap
        self.archive_launch_repo = archive_launch_repo
        self.name_parameters = name_parameters
        self.use_existing_dir = use_existing_dir

    def _options(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _OPTION_NAMES}

    def __repr__(self) -> str:
        what = "unapplied" if self.function is None else getattr(
            self.function, "__qualname__", repr(self.function))
        return "<ExperimentTemplate %s>" % what

    def __reduce__(self):
        # Plain pickle finds a decorated module-level experiment by its name
        # (the function itself is hidden behind the template of that name).
        module, qualname = getattr(self, "__module__", None), getattr(self, "__qualname__", None)
        if (self.function is not None and module not in (None, "__main__") and qualname
                and "<" not in qualname and _find_by_name(module, qualname) is self):
            return _lookup, (module, qualname)
        return _rebuild_template, (self._options(),)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the experiment (or, for ``wrap_experiment(...)``, wrap a function).

        Args:
            args: Nothing, or one dict of options overriding the template's
                for this call.
            kwargs: The experiment's arguments (keyword arguments only).

        Returns:
            Whatever the experiment function returns.
        """
        if self.function is None:
            if len(args) != 1 or kwargs or not callable(args[0]):
                raise TypeError("wrap_experiment(...) returns a decorator: apply it to an "
                                "experiment function, as in @wrap_experiment(snapshot_mode="
                                "'all') above `def my_experiment(ctxt, ...)`.")
            return ExperimentTemplate(**dict(self._options(), function=args[0]))
        options = self._options_for_call(args)
        _bind_arguments(self.function, kwargs)
        ctxt = _make_context(options, kwargs)
        with active_context(ctxt):
            return self.function(ctxt, **kwargs)

    def _options_for_call(self, args: tuple) -> dict[str, Any]:
        options = self._options()
        fname = getattr(self.function, "__name__", "the experiment")
        if not args:
            return options
        if len(args) == 1 and isinstance(args[0], dict):
            unknown = sorted(set(map(str, args[0])) - set(_OPTION_NAMES[1:]))
            if not unknown:
                options.update(args[0])
                # Validate the overridden options the same way as at decoration.
                return ExperimentTemplate(**options)._options()
            raise TypeError("%s() got a dict with unknown option(s) %s. A positional dict may "
                            "only override wrap_experiment options (%s); pass the experiment's "
                            "own arguments as keywords." % (fname, ", ".join(unknown),
                                                            ", ".join(_OPTION_NAMES[1:])))
        raise TypeError("%s() only accepts keyword arguments: call it as %s(seed=1, ...), "
                        "not %s(1, ...). (Got %d positional argument(s).)"
                        % (fname, fname, fname, len(args)))


def _lookup(module: str, qualname: str) -> Any:
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    return obj


def _find_by_name(module: str, qualname: str) -> Any:
    try:
        return _lookup(module, qualname)
    except Exception:  # not importable here: pickle by value instead
        return None


def _rebuild_template(options: dict[str, Any]) -> "ExperimentTemplate":
    return ExperimentTemplate(**options)


def wrap_experiment(function: Callable | None = None, *, log_dir: str | None = None,
                    prefix: str = "experiment", name: str | None = None,
                    snapshot_mode: str = "last", snapshot_gap: int = 1,
                    archive_launch_repo: bool = True, name_parameters: str | None = None,
                    use_existing_dir: bool = False) -> Any:
    """Decorate a function to turn it into an ExperimentTemplate.

    When invoked, the wrapped function will receive an ExperimentContext,
    which will contain the log directory into which the experiment should
    log information.

    This decorator can be invoked in two different ways. Without arguments,
    like this:

    .. code-block:: python

        @wrap_experiment
        def my_experiment(ctxt, seed, lr=0.5):
            ...

    Or with arguments:

    .. code-block:: python

        @wrap_experiment(snapshot_mode='all')
        def my_experiment(ctxt, seed, lr=0.5):
            ...

    All arguments must be keyword arguments, and so must the arguments of
    every call of the wrapped function: ``my_experiment(seed=1)``.

    Args:
        function (callable or None): The experiment function to wrap.
        log_dir (str or None): The full log directory to log to. Will be
            computed from name if omitted.
        name (str or None): The name of this experiment template. Will be
            filled from the wrapped function's name if omitted.
        prefix (str): Directory under data/local in which to place the
            experiment directory.
        snapshot_mode (str): Policy for which snapshots to keep (or make at
            all). Can be either "all" (all iterations will be saved), "last"
            (only the last iteration will be saved), "gap" (every
            snapshot_gap iterations are saved), "gap_and_last" (both),
            "gap_overwrite" (every snapshot_gap iterations, overwriting one
            unnumbered snapshot) or "none" (do not save snapshots).
        snapshot_gap (int): Gap between snapshot iterations. Waits this
            number of iterations before taking another snapshot.
        archive_launch_repo (bool): Whether to save an archive of the
            repository containing the launcher script. This is a potentially
            expensive operation which is useful for ensuring
            reproducibility.
        name_parameters (str or None): Parameters to insert into the
            experiment name. Should be either None (the default), 'all' (all
            parameters will be used) or 'passed' (only passed parameters
            will be used). The used parameters will be inserted in the order
            they appear in the function definition.
        use_existing_dir (bool): If true, (re)use the directory for this
            experiment, even if it already contains data.

    Returns:
        callable: The wrapped function (an ExperimentTemplate).
    """
    return ExperimentTemplate(function=function, log_dir=log_dir, prefix=prefix, name=name,
                              snapshot_mode=snapshot_mode, snapshot_gap=snapshot_gap,
                              archive_launch_repo=archive_launch_repo,
                              name_parameters=name_parameters,
                              use_existing_dir=use_existing_dir)


# -- making the log directory ---------------------------------------------------

def _check_relative_name(what: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise TypeError("%s must be a non-empty string, not %r." % (what, value))
    parts = value.replace("\\", "/").split("/")
    if os.path.isabs(value) or ".." in parts:
        raise ValueError("%s=%r would put the log directory outside <data>/local; use a "
                         "plain relative name, or give log_dir for a full path." % (what, value))


def _check_experiment_function(function: Callable) -> None:
    if not callable(function):
        raise TypeError("wrap_experiment needs a function, not %r." % (function,))
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # some builtins have no signature: trust them
        return
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                  inspect.Parameter.VAR_POSITIONAL)
    if not params or params[0].kind not in positional:
        raise TypeError("An experiment function receives the ExperimentContext as its first "
                        "argument: define it as `def %s(ctxt, ...)`."
                        % getattr(function, "__name__", "my_experiment"))


def _bind_arguments(function: Callable, kwargs: dict[str, Any]) -> None:
    """Refuse a call the function cannot take, before any folder is made."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(None, **kwargs)
    except TypeError as e:
        raise TypeError("%s(): %s" % (getattr(function, "__name__", "experiment"), e)) from None


def _parameters_for_name(function: Callable, mode: str | None,
                         kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
    if mode is None:
        return []
    params = list(inspect.signature(function).parameters.values())[1:]  # skip ctxt
    chosen = []
    for p in params:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if p.name in kwargs:
            chosen.append((p.name, kwargs[p.name]))
        elif mode == "all" and p.default is not inspect.Parameter.empty:
            chosen.append((p.name, p.default))
    # Arguments caught by **kwargs come last, in the order they were passed.
    named = {p.name for p in params}
    chosen += [(k, v) for k, v in kwargs.items() if k not in named]
    return chosen


def _name_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "-".join(_name_value(v) for v in value)
    if not isinstance(value, (str, int, float)) and hasattr(value, "__name__"):
        return value.__name__
    return str(value)


def _experiment_name(options: dict[str, Any], kwargs: dict[str, Any]) -> str:
    function = options["function"]
    name = options["name"] or getattr(function, "__name__", None) or "experiment"
    pairs = _parameters_for_name(function, options["name_parameters"], kwargs)
    if not pairs:
        return name
    # Characters that would make a path separator or need shell quoting
    # become '-', so the name stays one readable folder name.
    text = "_".join("%s=%s" % (k, re.sub(r"[^\w.+,=-]+", "-", _name_value(v)))
                    for k, v in pairs)
    return "%s_%s" % (name, text)


def _make_sequential_log_dir(log_dir: str) -> str:
    """Create log_dir, or log_dir_1, log_dir_2, ... if it exists.

    os.makedirs fails when the folder exists, so two experiments started at
    the same moment can never get the same directory.
    """
    i = 0
    while True:
        candidate = log_dir if i == 0 else "%s_%d" % (log_dir, i)
        try:
            os.makedirs(candidate)
            return candidate
        except FileExistsError:
            i += 1


def _data_dir() -> str:
    from spinup import user_config
    return os.path.abspath(user_config.DEFAULT_DATA_DIR)


def _choose_log_dir(options: dict[str, Any], name: str) -> str:
    log_dir = options["log_dir"]
    if log_dir is None:
        log_dir = os.path.join(_data_dir(), "local", options["prefix"], name)
        explicit = False
    else:
        log_dir = os.path.abspath(os.fspath(log_dir))
        explicit = True
    if os.path.exists(log_dir) and not os.path.isdir(log_dir):
        raise FileExistsError("The log dir %s is an existing file, not a folder; choose another "
                              "log_dir or name." % log_dir)
    if options["use_existing_dir"]:
        os.makedirs(log_dir, exist_ok=True)
        return log_dir
    if explicit and os.path.isdir(log_dir) and not os.listdir(log_dir):
        return log_dir  # a folder made for us but still empty: nothing to protect
    return _make_sequential_log_dir(log_dir)


def _make_context(options: dict[str, Any], kwargs: dict[str, Any]) -> ExperimentContext:
    from spinup.utils.mpi_tools import num_procs, proc_id

    log_dir = None
    if proc_id() == 0:
        name = _experiment_name(options, kwargs)
        # Metadata first: the new log dir must not make the tree look dirty.
        git_root, metadata = get_metadata()
        log_dir = _choose_log_dir(options, name)
        dump_json(os.path.join(log_dir, "variant.json"), kwargs)
        dump_json(os.path.join(log_dir, "metadata.json"), metadata)
        if git_root and options["archive_launch_repo"]:
            try:
                make_launcher_archive(git_root_path=git_root, log_dir=log_dir)
            except (_git_archive.GitError, OSError, tarfile.TarError) as e:
                # The archive is a convenience: losing it must not lose the run.
                warnings.warn("Could not archive the launcher's repository %s: %s"
                              % (git_root, e), stacklevel=3)
        from spinup.utils.logx import colorize
        print(colorize("Experiment %s: logging to %s" % (name, log_dir), "cyan", bold=True))
    if num_procs() > 1:
        from mpi4py import MPI
        log_dir = MPI.COMM_WORLD.bcast(log_dir, root=0)
    return ExperimentContext(snapshot_dir=log_dir, snapshot_mode=options["snapshot_mode"],
                             snapshot_gap=options["snapshot_gap"])


# -- saving arguments and metadata ------------------------------------------------

class LogEncoder(json.JSONEncoder):
    """Encoder to be used as cls in json.dump.

    Writes what the standard encoder cannot, in a readable form: numpy
    scalars as numbers and arrays as lists; classes as
    ``{"$class": "module.QualName"}``; functions and methods as
    ``{"$function": "module.qualname"}``; enum members as
    ``{"$enum": "module.Class.NAME"}``; sets as sorted lists; paths, bytes and
    dates as text; dataclasses and plain objects as
    ``{"$type": "module.Class", <attributes>}``; anything else as its repr.
    Dict keys JSON cannot hold become their repr, and a structure that
    contains itself is cut instead of raising.

    .. code-block:: python

        json.dumps({'lr': np.float32(0.5), 'act': torch.nn.Tanh}, cls=LogEncoder)
        # '{"lr": 0.5, "act": {"$class": "torch.nn.modules.activation.Tanh"}}'
    """

    def default(self, o: Any) -> Any:
        """Perform JSON encoding.

        Args:
            o (object): Object to encode.

        Returns:
            JSON-native data (dict, list, str, number or None) describing o.
        """
        return to_readable(o)

    def iterencode(self, o: Any, _one_shot: bool = False):
        """Encode o, converting it first, so that dict keys of any type work.

        Args:
            o (object): Object to encode.

        Returns:
            An iterator over the pieces of the JSON text.
        """
        return super().iterencode(to_readable(o), _one_shot)


def dump_json(filename: str, data: Any) -> None:
    """Dump a dictionary to a file in JSON format.

    The folder is created if needed, and the file is replaced in one step
    (written under a temporary name, then renamed).

    Args:
        filename (str): Filename for the file.
        data (dict): Data to save to file.
    """
    folder = os.path.dirname(os.path.abspath(filename))
    os.makedirs(folder, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=False, cls=LogEncoder)
    _atomic.write_text(filename, text + "\n")


def _launcher_path() -> str | None:
    main = sys.modules.get("__main__")
    # `python -` and `python -c` have no file ('<stdin>' is not one).
    for path in (getattr(main, "__file__", None), sys.argv[0] if sys.argv else None):
        if path and os.path.isfile(path):
            return os.path.realpath(path)
    return None


def get_metadata() -> tuple[str | None, dict[str, str]]:
    """Get metadata about the main script.

    The goal of this function is to capture the additional information
    needed to re-run an experiment, assuming that the launcher script that
    started the experiment is located in a clean git repository.

    The launcher is the ``__main__`` module's file (``sys.argv[0]`` for
    ``python my_launcher.py``). When it is not inside a git repository (or
    git ignores it, or git is not installed, or there is no launcher file,
    as in an interactive session), the dict has no githash and a ``note``
    says why.

    Returns:
        tuple[str or None, dict[str, str]]: The absolute path to the root
        directory of the launcher's git repo (None outside git), and a dict
        with:

        * githash (str): Hash of the git revision of the repo the experiment
          was started from. "-dirty" is appended if the repo has uncommitted
          changes (modified, staged or untracked files). Absent outside git
          and in a repository with no commits yet.
        * launcher (str): Relative path to the main script from the base of
          the repo the experiment was started from. If the main script was
          not started from a git repo, this is instead an absolute path to
          the main script.
        * note (str): Only when something is missing: why.
    """
    launcher = _launcher_path()
    if launcher is None:
        return None, {"note": "no launcher script (interactive session or `python -c`); "
                              "no git information recorded"}
    root, why_not = _git_archive.repo_root(os.path.dirname(launcher))
    if root is not None and _git_archive.is_ignored(root, launcher):
        # e.g. a tool's script inside an ignored virtualenv in a repository:
        # that repository does not hold the launcher's code.
        root, why_not = None, "git ignores it in the repository %s" % root
    if root is None:
        if "not a git repository" in why_not:
            why_not = "it is not in a git repository"
        return None, {"launcher": launcher,
                      "note": "no githash and no archive recorded: %s" % why_not}
    metadata = {}
    githash = _git_archive.head_hash(root)
    try:
        dirty = _git_archive.is_dirty(root)
    except _git_archive.GitError:
        dirty = False
    if githash is not None:
        metadata["githash"] = githash + ("-dirty" if dirty else "")
    metadata["launcher"] = os.path.relpath(launcher, root)
    if githash is None:
        metadata["note"] = "the launcher's git repository has no commits yet"
    return root, metadata


def make_launcher_archive(*, git_root_path: str, log_dir: str) -> None:
    """Saves an archive of the launcher's git repo to the log directory.

    Writes ``log_dir/launch_archive.tar.xz`` holding every tracked file and
    every untracked file git does not ignore (as ``git ls-files --cached
    --others --exclude-standard`` lists them), with paths relative to the
    repository root. Untracked files inside the log directory or inside the
    data directory (``DEFAULT_DATA_DIR``: earlier results) are left out, and
    so are files of 8 MiB or more (with a warning).

    Args:
        git_root_path (str): Absolute path to git repo to archive.
        log_dir (str): Absolute path to the log directory.
    """
    os.makedirs(log_dir, exist_ok=True)
    _git_archive.archive_repo(git_root_path, log_dir, skip_untracked_under=[_data_dir()])


# -- garage's older launcher: run a pickled call in a fresh process ---------------

_exp_count = 0

_RUN_OPTIONS = ("snapshot_mode", "snapshot_gap", "seed", "archive_launch_repo")


def _quote_value(value: Any) -> str:
    return shlex.quote(str(value))


def to_local_command(params: dict[str, Any], python_command: str = "python",
                     script: str = _DEFAULT_SCRIPT) -> str:
    """Build the shell command that runs ``script`` with params as flags.

    Every entry ``key: value`` becomes ``--key value`` (a list gives several
    values, a dict ``{'sub': v}`` gives ``--key_sub v``, a value of None
    leaves the flag out), with every value quoted for the shell. Two entries
    are special: ``env`` (a dict) becomes ``NAME=value`` assignments in front
    of the command, and ``pre_commands`` (a string or list of strings) are
    shell commands run first, joined with ``&&``.

    .. code-block:: python

        to_local_command({'log_dir': 'data/x', 'env': {'A': '1'}})
        # "A=1 python -m spinup.utils._experiment_entrypoint --log_dir data/x"

    Args:
        params (dict): The flags, plus optional ``env`` and ``pre_commands``.
        python_command (str): The Python command to use (may include
            options, e.g. ``'python -u'``).
        script (str): The module to run with ``-m``.

    Returns:
        str: The command line.
    """
    params = dict(params)
    env = params.pop("env", None) or {}
    pre_commands = params.pop("pre_commands", None)
    parts = []
    for key, value in env.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)):
            raise ValueError("env: %r is not a valid environment variable name." % (key,))
        parts.append("%s=%s" % (key, _quote_value(value)))
    parts += [python_command, "-m", script]
    for key, value in params.items():
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                flag = key if str(sub) == "_name" else "%s_%s" % (key, sub)
                parts += _flag(flag, sub_value)
        else:
            parts += _flag(key, value)
    command = " ".join(parts)
    if pre_commands:
        if isinstance(pre_commands, str):
            pre_commands = [pre_commands]
        command = " && ".join(list(pre_commands) + [command])
    return command


def _flag(key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return ["--" + key] + [_quote_value(v) for v in value]
    return ["--" + key, _quote_value(value)]


def _task_list(method_call: Callable | None, batch_tasks: Sequence[Any] | None,
               common: dict[str, Any]) -> list[dict[str, Any]]:
    if method_call is None and batch_tasks is None:
        raise ValueError("run_experiment needs a method_call or a list of batch_tasks.")
    if method_call is not None and batch_tasks is not None:
        raise ValueError("Give run_experiment either method_call or batch_tasks, not both.")
    if batch_tasks is None:
        batch_tasks = [dict(method_call=method_call)]
    tasks = []
    for i, task in enumerate(batch_tasks):
        task = dict(method_call=task) if callable(task) else dict(task)
        if not callable(task.get("method_call")):
            raise TypeError("batch_tasks[%d] needs a callable 'method_call' (got %r)."
                            % (i, task.get("method_call")))
        unknown = set(task) - set(common) - {"method_call"}
        if unknown:
            raise TypeError("batch_tasks[%d] has unknown key(s) %s; allowed: method_call, %s."
                            % (i, ", ".join(sorted(unknown)), ", ".join(sorted(common))))
        tasks.append(dict(common, **task))
    return tasks


def _default_exp_name(exp_prefix: str) -> tuple[str, str]:
    global _exp_count
    timestamp = time.strftime("%Y_%m_%d_%H_%M_%S")
    while True:
        _exp_count += 1
        exp_name = "%s_%s_%04d" % (exp_prefix, timestamp, _exp_count)
        log_dir = os.path.join(_data_dir(), "local", exp_prefix.replace("_", "-"), exp_name)
        if not os.path.exists(log_dir):
            return exp_name, log_dir


def _write_payload(payload: dict[str, Any]) -> str:
    import cloudpickle
    # mkstemp makes the file readable and writable by this user only.
    fd, path = tempfile.mkstemp(prefix="spinup-experiment-", suffix=".pkl")
    with os.fdopen(fd, "wb") as f:
        cloudpickle.dump(payload, f)
    return path


def run_experiment(method_call: Callable | None = None,
                   batch_tasks: Sequence[Any] | None = None,
                   exp_prefix: str = "experiment", exp_name: str | None = None,
                   log_dir: str | None = None, script: str = _DEFAULT_SCRIPT,
                   python_command: str = "python", dry: bool = False,
                   env: dict[str, str] | None = None, variant: dict[str, Any] | None = None,
                   force_cpu: bool = False, pre_commands: str | Sequence[str] | None = None,
                   **kwargs: Any) -> list[str]:
    """Serialize the method call and run the experiment in a fresh process.

    The call is pickled with cloudpickle into a temporary file readable only
    by you, and a command like

    .. code-block:: bash

        python -m spinup.utils._experiment_entrypoint --args_data /tmp/spinup-experiment-XXXX.pkl \\
            --exp_name experiment_2024_01_01_12_00_00_0001 \\
            --log_dir <data>/local/experiment/experiment_2024_01_01_12_00_00_0001 \\
            --snapshot_mode last --snapshot_gap 1

    is printed and run through the shell. The entry point creates the log
    directory (used as is), writes ``variant.json`` and ``metadata.json``
    (of this launcher), makes the ``ExperimentContext`` active and calls

    * ``method_call(ctxt, variant)``, or ``method_call(ctxt)`` or
      ``method_call()`` if it takes fewer arguments (garage's
      ``def run_task(snapshot_config, *_)`` works as is); or
    * for an experiment made with ``wrap_experiment``, the wrapped function
      as ``function(ctxt, **variant)``.

    The temporary file is removed when the run ends; after a dry run it is
    kept, so the printed command can be run by hand.

    Args:
        method_call (callable): A method call.
        batch_tasks (list[dict]): A batch of method calls: each a dict with a
            ``method_call`` and, optionally, its own value for any other
            argument of this function (exp_name, log_dir, variant, env,
            pre_commands, and the kwargs below). They run one after another.
        exp_prefix (str): Name prefix for the experiment.
        exp_name (str): Name of the experiment. Defaults to
            ``<exp_prefix>_<timestamp>_<count>``.
        log_dir (str): Log directory for the experiment. Defaults to
            ``<data>/local/<exp_prefix with _ as ->/<exp_name>``.
        script (str): The name of the entrance point python module.
        python_command (str): Python command to run the experiment. Note that
            ``'python'`` is whichever Python the shell finds first; pass
            ``sys.executable`` to use the current interpreter.
        dry (bool): Whether to do a dry-run, which only prints the commands
            without executing them.
        env (dict): Extra environment variables.
        variant (dict): If provided, should be a dictionary of parameters.
            It is saved as ``variant.json`` (with ``exp_name`` added unless
            the method call is a wrapped experiment).
        force_cpu (bool): Whether to set all GPU devices invisible to force
            use CPU (``CUDA_VISIBLE_DEVICES=''`` for the run).
        pre_commands (str or list[str]): Shell commands to run before the
            experiment (joined with ``&&``).
        kwargs (dict): Additional parameters: ``snapshot_mode`` (default
            'last', or the wrapped experiment's), ``snapshot_gap`` (default
            1), ``seed`` (seeds Python's, numpy's and, when the method call
            brought them in, torch's and TensorFlow's random generators) and
            ``archive_launch_repo`` (default False, or the wrapped
            experiment's).

    Returns:
        list[str]: The log directory of each task.

    Raises:
        subprocess.CalledProcessError: If a task fails. With batch_tasks,
            the remaining tasks still run first.
    """
    unknown = set(kwargs) - set(_RUN_OPTIONS)
    if unknown:
        raise TypeError("run_experiment got unexpected keyword argument(s) %s; the extra "
                        "parameters it knows are %s." % (", ".join(sorted(unknown)),
                                                           ", ".join(_RUN_OPTIONS)))
    common = dict(exp_name=None, log_dir=None, variant=None, env=None, pre_commands=None,
                  **{k: None for k in _RUN_OPTIONS})
    common.update(kwargs, variant=variant, env=env, pre_commands=pre_commands)
    if batch_tasks is not None and (exp_name is not None or log_dir is not None):
        raise ValueError("With batch_tasks, give each task its own exp_name / log_dir "
                         "(in its dict) instead of one for all.")
    tasks = _task_list(method_call, batch_tasks, common)
    if batch_tasks is None:
        tasks[0].update(exp_name=exp_name, log_dir=log_dir)

    git_root, metadata = get_metadata()
    failures, log_dirs = [], []
    for task in tasks:
        command, payload_path, task_log_dir = _prepare_task(
            task, exp_prefix, force_cpu, python_command, script, git_root, metadata)
        log_dirs.append(task_log_dir)
        print(command)
        if dry:
            continue
        try:
            sys.stdout.flush()
            proc = subprocess.run(command, shell=True)
        finally:
            _remove_quietly(payload_path)
        if proc.returncode != 0:
            failures.append(subprocess.CalledProcessError(proc.returncode, command))
    if failures:
        raise failures[0]
    return log_dirs


def _prepare_task(task: dict[str, Any], exp_prefix: str, force_cpu: bool, python_command: str,
                  script: str, git_root: str | None,
                  metadata: dict[str, str]) -> tuple[str, str, str]:
    call = task.pop("method_call")
    template = call if isinstance(call, ExperimentTemplate) else None
    if template is not None and template.function is None:
        raise TypeError("run_experiment got wrap_experiment(...) without a function; "
                        "decorate a function first.")
    exp_name, log_dir = task.pop("exp_name"), task.pop("log_dir")
    if exp_name is None:
        exp_name, default_dir = _default_exp_name(exp_prefix)
        log_dir = log_dir or default_dir
    elif log_dir is None:
        log_dir = os.path.join(_data_dir(), "local", exp_prefix.replace("_", "-"), exp_name)
    variant = dict(task.pop("variant") or {})
    if template is None:
        variant.setdefault("exp_name", exp_name)

    def pick(key, template_default, default):
        value = task.pop(key)
        if value is not None:
            return value
        return template_default if template is not None else default

    params = dict(
        args_data=None,  # filled in below, kept first for readability
        exp_name=exp_name,
        log_dir=os.path.abspath(log_dir),
        snapshot_mode=pick("snapshot_mode", getattr(template, "snapshot_mode", None), "last"),
        snapshot_gap=pick("snapshot_gap", getattr(template, "snapshot_gap", None), 1),
        seed=task.pop("seed"),
        archive_launch_repo=pick("archive_launch_repo",
                                 getattr(template, "archive_launch_repo", None), False),
    )
    _check_snapshot_settings(params["snapshot_mode"], params["snapshot_gap"])
    env = dict(task.pop("env") or {})
    if force_cpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    payload = dict(method_call=call, variant=variant, git_root=git_root, metadata=metadata)
    params["args_data"] = _write_payload(payload)
    params.update(env=env, pre_commands=task.pop("pre_commands"))
    command = to_local_command(params, python_command=python_command, script=script)
    return command, params["args_data"], params["log_dir"]


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


__all__ = ["ExperimentContext", "ExperimentTemplate", "wrap_experiment", "LogEncoder",
           "dump_json", "get_metadata", "make_launcher_archive", "run_experiment",
           "to_local_command"]
