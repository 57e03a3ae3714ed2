"""Experiment templates: garage's ``wrap_experiment`` and what a call does.

A call of a wrapped experiment chooses its name and log directory, writes
``variant.json`` and ``metadata.json`` (see metadata.py), archives the
launcher's repository (archive.py), and runs the function with its
``ExperimentContext`` active, so that Spinning Up's logger finds it.
The public names are re-exported by ``spinup.utils.experiment``.
"""
import functools
import importlib
import inspect
import os
import re
import tarfile
import warnings
from collections.abc import Callable
from typing import Any

from spinup._errors import SpinupError
from spinup.utils import _snapshots
from spinup.utils._context import active_context
from spinup.utils._experiment import archive
from spinup.utils._experiment.metadata import dump_json, get_metadata

# The snapshot modes the logger understands (SPEC §3.3): a bad mode is
# refused when the experiment is decorated, not at its first save.
_SNAPSHOT_MODES = _snapshots.SNAPSHOT_MODES
_NAME_PARAMETERS = (None, "all", "passed")
_OPTION_NAMES = ("function", "log_dir", "name", "prefix", "snapshot_mode", "snapshot_gap",
                 "archive_launch_repo", "name_parameters", "use_existing_dir", "x_axis")


class ExperimentArgumentError(ValueError, TypeError, SpinupError):
    """An experiment was defined or called the wrong way.

    garage raises ``ValueError`` for these mistakes (a positional argument, an
    unknown option, a function whose first parameter is not ``ctxt``, ...),
    so this is a ``ValueError``; it is also a ``TypeError``, which is what
    Python itself raises for a bad call, so code that catches either works,
    and a ``spinup.SpinupError`` like every error spinup defines.
    """


def _check_snapshot_settings(snapshot_mode: Any, snapshot_gap: Any) -> None:
    # The logger also accepts None (the original's own rule); an experiment
    # always has a mode, as in garage.
    if snapshot_mode is None:
        raise ValueError("snapshot_mode must be one of %s, not None."
                         % ", ".join(repr(m) for m in _SNAPSHOT_MODES))
    _snapshots.check(snapshot_mode, snapshot_gap, ValueError)


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
        name_parameters (str, list or None): Parameters to insert into the
            experiment name: None (the default), 'all' (all named
            parameters, with their defaults when not passed), 'passed' (only
            passed parameters) or a list of parameter names. They are
            inserted in the order they appear in the function definition, as
            ``<name>_<param>=<value>_...``; arguments caught by ``**kwargs``
            never are. Checked when the experiment is called, as in garage.
        use_existing_dir (bool): If true, (re)use the directory for this
            experiment, even if it already contains data.
        x_axis (str or None): The column the plotter should use as this
            run's x axis by default (recorded in ``metadata.json``). None
            leaves the plotter's own default, ``TotalEnvInteracts``.
    """

    def __init__(self, *, function: Callable | None, log_dir: str | None,
                 name: str | None, prefix: str, snapshot_mode: str, snapshot_gap: int,
                 archive_launch_repo: bool, name_parameters: str | list[str] | None,
                 use_existing_dir: bool, x_axis: str | None = None):
        _check_snapshot_settings(snapshot_mode, snapshot_gap)
        for what, value in (("prefix", prefix), ("name", name)):
            if value is not None:
                _check_relative_name(what, value)
        if x_axis is not None and (not isinstance(x_axis, str) or not x_axis):
            raise ExperimentArgumentError("x_axis must be the name of a progress.txt column "
                                          "(e.g. 'TotalEnvInteracts') or None, not %r."
                                          % (x_axis,))
        if function is not None:
            signature = _experiment_signature(function)
            functools.update_wrapper(self, function)
            if signature is not None:
                # What a caller passes: the arguments without ctxt.
                self.__signature__ = signature
        self.function = function
        self.log_dir = log_dir
        self.name = name
        self.prefix = prefix
        self.snapshot_mode = snapshot_mode
        self.snapshot_gap = snapshot_gap
        self.archive_launch_repo = archive_launch_repo
        self.name_parameters = name_parameters
        self.use_existing_dir = use_existing_dir
        self.x_axis = x_axis

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
                raise ExperimentArgumentError(
                    "Please apply the result of wrap_experiment() to a single function: "
                    "wrap_experiment(...) returns a decorator, as in @wrap_experiment("
                    "snapshot_mode='all') above `def my_experiment(ctxt, ...)`.")
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
            raise ExperimentArgumentError(
                "%s() got a dict with unknown option(s) %s. A positional dict may only "
                "override wrap_experiment options (%s); pass the experiment's own arguments "
                "as keywords." % (fname, ", ".join(unknown), ", ".join(_OPTION_NAMES[1:])))
        raise ExperimentArgumentError(
            "%s() only accepts keyword arguments: call it as %s(seed=1, ...), not %s(1, ...). "
            "(Got %d positional argument(s).)" % (fname, fname, fname, len(args)))


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
                    archive_launch_repo: bool = True,
                    name_parameters: str | list[str] | None = None,
                    use_existing_dir: bool = False, x_axis: str | None = None) -> Any:
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
        name_parameters (str, list or None): Parameters to insert into the
            experiment name. Should be either None (the default), 'all' (all
            parameters will be used), 'passed' (only passed parameters
            will be used) or a list of parameter names. The used parameters
            will be inserted in the order they appear in the function
            definition.
        use_existing_dir (bool): If true, (re)use the directory for this
            experiment, even if it already contains data.
        x_axis (str or None): Column to use for the x axis when plotting
            this experiment's runs (None: the plotter's default,
            ``TotalEnvInteracts``).

    Returns:
        callable: The wrapped function (an ExperimentTemplate).
    """
    return ExperimentTemplate(function=function, log_dir=log_dir, prefix=prefix, name=name,
                              snapshot_mode=snapshot_mode, snapshot_gap=snapshot_gap,
                              archive_launch_repo=archive_launch_repo,
                              name_parameters=name_parameters,
                              use_existing_dir=use_existing_dir, x_axis=x_axis)


# -- making the log directory ---------------------------------------------------

def _check_relative_name(what: str, value: Any) -> None:
    if not isinstance(value, str) or not value:
        raise ExperimentArgumentError("%s must be a non-empty string, not %r." % (what, value))
    parts = value.replace("\\", "/").split("/")
    if os.path.isabs(value) or ".." in parts:
        raise ValueError("%s=%r would put the log directory outside <data>/local; use a "
                         "plain relative name, or give log_dir for a full path." % (what, value))


def _experiment_signature(function: Callable) -> inspect.Signature | None:
    """The signature callers see: the function's, without ctxt, keywords only.

    Like garage, refuse a function whose first parameter is not named
    ``ctxt``: the name is how a reader tells an experiment function apart.
    """
    if not callable(function):
        raise ExperimentArgumentError("wrap_experiment needs a function, not %r." % (function,))
    try:
        params = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):  # some builtins have no signature: trust them
        return None
    fname = getattr(function, "__name__", "my_experiment")
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not params:
        raise ExperimentArgumentError(
            "Experiment functions should have a first parameter named 'ctxt', but %r has no "
            "parameters: define it as `def %s(ctxt, ...)`." % (function, fname))
    if params[0].name != "ctxt" or params[0].kind not in positional:
        raise ExperimentArgumentError(
            "Experiment functions should have a first parameter named 'ctxt' instead of %r: "
            "define it as `def %s(ctxt, ...)`; it receives the ExperimentContext."
            % (params[0].name, fname))
    shown = []
    for p in params[1:]:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            continue  # the template takes keyword arguments only
        if p.kind is not inspect.Parameter.VAR_KEYWORD:
            p = p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        shown.append(p)
    return inspect.signature(function).replace(parameters=shown)


def _bind_arguments(function: Callable, kwargs: dict[str, Any]) -> None:
    """Refuse a call the function cannot take, before any folder is made."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(None, **kwargs)
    except TypeError as e:
        raise ExperimentArgumentError("%s(): %s" % (getattr(function, "__name__", "experiment"),
                                                    e)) from None


def _check_name_parameters(mode: Any, params: list[inspect.Parameter]) -> None:
    if mode in _NAME_PARAMETERS:
        return
    names = [p.name for p in params]
    if isinstance(mode, (list, tuple)) and all(isinstance(m, str) for m in mode):
        unknown = [m for m in mode if m not in names]
        if not unknown:
            return
        raise ExperimentArgumentError(
            "wrap_experiment.name_parameters lists %s, which the experiment function does "
            "not have as named parameter(s); it has: %s."
            % (", ".join(map(repr, unknown)), ", ".join(names) or "none"))
    raise ExperimentArgumentError(
        "wrap_experiment.name_parameters should be set to one of None, 'passed', 'all' or a "
        "list of parameter names, not %r." % (mode,))


def _parameters_for_name(function: Callable, mode: str | list[str] | None,
                         kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
    try:
        params = list(inspect.signature(function).parameters.values())[1:]  # skip ctxt
    except (TypeError, ValueError):
        params = []
    # Only the function's own named parameters: what **kwargs catches never
    # goes into the name, as in garage.
    params = [p for p in params if p.kind not in (inspect.Parameter.VAR_POSITIONAL,
                                                  inspect.Parameter.VAR_KEYWORD)]
    _check_name_parameters(mode, params)
    if mode is None:
        return []
    chosen = []
    for p in params:
        if isinstance(mode, (list, tuple)) and p.name not in mode:
            continue
        if p.name in kwargs:
            chosen.append((p.name, kwargs[p.name]))
        elif mode != "passed" and p.default is not inspect.Parameter.empty:
            chosen.append((p.name, p.default))
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
        if options["x_axis"] is not None:
            metadata["x_axis"] = options["x_axis"]  # the plotter's default for this run
        dump_json(os.path.join(log_dir, "metadata.json"), metadata)
        if git_root and options["archive_launch_repo"]:
            try:
                archive.make_launcher_archive(git_root_path=git_root, log_dir=log_dir)
            except (archive.GitError, OSError, tarfile.TarError) as e:
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

