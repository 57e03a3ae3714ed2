"""garage's older launcher: run a pickled call in a fresh process.

``run_experiment`` wraps each task in an ``ExperimentCall`` (call.py) and
runs it the way the grid runs a variant: through the grid's thunk file, its
trial execution (a child of ``run_entrypoint.py`` that dies with us, and a
status record) and nothing of its own. ``to_local_command`` is garage's
command-line builder, kept for launchers that use it.
"""
import contextlib
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from spinup.utils._experiment.call import ExperimentCall
from spinup.utils._experiment.metadata import get_metadata
from spinup.utils._experiment.template import (
    ExperimentArgumentError,
    ExperimentTemplate,
    _check_snapshot_settings,
    _data_dir,
)
from spinup.utils._grid import status as _status
from spinup.utils._grid import thunk_file as _thunk_file
from spinup.utils._grid import trial as _trial

# The module a dry run's printed command runs: the grid's entry point.
_DEFAULT_SCRIPT = "spinup.utils.run_entrypoint"

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

        to_local_command({'log_dir': 'data/x', 'env': {'A': '1'}}, script='my.entry')
        # "A=1 python -m my.entry --log_dir data/x"

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
    parts = [python_command, "-m", script]
    for key, value in params.items():
        if isinstance(value, dict):
            for sub, sub_value in value.items():
                flag = key if str(sub) == "_name" else "%s_%s" % (key, sub)
                parts += _flag(flag, sub_value)
        else:
            parts += _flag(key, value)
    return _shell_line(parts, env, pre_commands)


def _check_env(env: dict[str, Any]) -> None:
    for key in env:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(key)):
            raise ExperimentArgumentError("env: %r is not a valid environment variable name."
                                          % (key,))


def _pre_command_list(pre_commands: str | Sequence[str] | None) -> list[str]:
    if not pre_commands:
        return []
    return [pre_commands] if isinstance(pre_commands, str) else list(pre_commands)


def _shell_line(words: list[str], env: dict[str, Any],
                pre_commands: str | Sequence[str] | None) -> str:
    """words (already quoted) as one shell line, after env assignments and pre_commands."""
    _check_env(env)
    assignments = ["%s=%s" % (key, _quote_value(value)) for key, value in env.items()]
    return " && ".join(_pre_command_list(pre_commands) + [" ".join(assignments + words)])


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
        if not callable(method_call):
            raise ExperimentArgumentError("run_experiment needs a callable method_call, not %r."
                                          % (method_call,))
        batch_tasks = [dict(method_call=method_call)]
    tasks = []
    for i, task in enumerate(batch_tasks):
        task = dict(method_call=task) if callable(task) else task
        if not isinstance(task, dict) or not callable(task.get("method_call")):
            raise ExperimentArgumentError(
                "batch_tasks[%d] should be callable, or a dict with a callable 'method_call' "
                "(got %r)." % (i, task))
        task = dict(task)
        unknown = set(task) - set(common) - {"method_call"}
        if unknown:
            raise ExperimentArgumentError(
                "batch_tasks[%d] has unknown key(s) %s; allowed: method_call, %s."
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


def run_experiment(method_call: Callable | None = None,
                   batch_tasks: Sequence[Any] | None = None,
                   exp_prefix: str = "experiment", exp_name: str | None = None,
                   log_dir: str | None = None, script: str = _DEFAULT_SCRIPT,
                   python_command: str = "python", dry: bool = False,
                   env: dict[str, str] | None = None, variant: dict[str, Any] | None = None,
                   force_cpu: bool = False, pre_commands: str | Sequence[str] | None = None,
                   **kwargs: Any) -> list[str]:
    """Serialize the method call and run the experiment in a fresh process.

    Each task runs the way ``ExperimentGrid`` runs a variant: the call is
    pickled with cloudpickle into a temporary file only you can read, and a
    fresh Python process (``run_entrypoint.py``, with this interpreter) loads
    and runs it. That process dies with this one, and the log directory gets
    the grid's status record (``status.json``). In the child, the log
    directory is created (used as is), ``variant.json`` and
    ``metadata.json`` (of this launcher) are written, the
    ``ExperimentContext`` is made active and the child calls

    * ``method_call(ctxt, variant)``, or ``method_call(ctxt)`` or
      ``method_call()`` if it takes fewer arguments (garage's
      ``def run_task(snapshot_config, *_)`` works as is); or
    * for an experiment made with ``wrap_experiment``, the wrapped function
      as ``function(ctxt, **variant)``.

    A dry run writes the pickle, keeps it, and prints a command that runs it
    later, like

    .. code-block:: bash

        CUDA_VISIBLE_DEVICES='' python -m spinup.utils.run_entrypoint /tmp/spinup-thunk-XXXX.pkl

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
        script (str): The entry point module in a dry run's printed command.
        python_command (str): The Python command in a dry run's printed
            command. A real run always uses this interpreter
            (``sys.executable``), so that the child sees the same packages.
        dry (bool): Whether to do a dry-run, which only prints the commands
            without executing them.
        env (dict): Extra environment variables for the task's processes.
        variant (dict): If provided, should be a dictionary of parameters.
            It is saved as ``variant.json`` (with ``exp_name`` added unless
            the method call is a wrapped experiment).
        force_cpu (bool): Whether to set all GPU devices invisible to force
            use CPU (``CUDA_VISIBLE_DEVICES=''`` for the run).
        pre_commands (str or list[str]): Shell commands to run, one after
            another, before the experiment; if one fails, the task fails. Each
            runs in a shell of its own (a ``cd`` or ``export`` there does not
            reach the experiment: use ``env``).
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
        raise ExperimentArgumentError(
            "run_experiment got unexpected keyword argument(s) %s; the extra parameters it "
            "knows are %s." % (", ".join(sorted(unknown)), ", ".join(_RUN_OPTIONS)))
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
    calls = [_prepare_task(task, exp_prefix, force_cpu, git_root, metadata) for task in tasks]
    # Every task is pickled before the first one starts, so that one that
    # cannot be is reported before anything runs.
    blobs = [_pickle_task(i, call) for i, (_, call, _, _) in enumerate(calls)]
    failures = []
    for (exp_name, call, env, pre_commands), blob in zip(calls, blobs):
        if dry:
            # Kept (readable by you alone), so the printed command can be run by hand.
            path = _thunk_file.write(blob)
            words = [python_command, "-m", script, _quote_value(path)]
            print(_shell_line(words, env, pre_commands))
            continue
        failure = _run_task(blob, exp_name, call.log_dir, env, pre_commands)
        if failure is not None:
            failures.append(failure)
    if failures:
        raise failures[0]
    return [call.log_dir for _, call, _, _ in calls]


def _pickle_task(index: int, call: ExperimentCall) -> bytes:
    try:
        return _thunk_file.dumps(call)
    except Exception as e:
        raise ExperimentArgumentError(
            "run_experiment cannot pickle task %d (method_call %r, variant keys %s): %s: %s. "
            "Make what the method call uses picklable, or create it inside the call."
            % (index, call.method_call, sorted(call.variant), type(e).__name__, e)) from e


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """Set env for the children started inside the block, then put os.environ back."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run_task(blob: bytes, exp_name: str, log_dir: str, env: dict[str, str],
              pre_commands: str | Sequence[str] | None) -> subprocess.CalledProcessError | None:
    """Run one task the way the grid runs a variant; return its failure, if any."""
    from spinup.utils.logx import colorize
    with _environment(env):
        for command in _pre_command_list(pre_commands):
            print(command)
            sys.stdout.flush()
            # pre_commands are shell commands by definition; the experiment is not.
            done = subprocess.run(command, shell=True)
            if done.returncode != 0:
                return subprocess.CalledProcessError(done.returncode, command)
        print(colorize("Experiment %s: logging to %s" % (exp_name, log_dir), "cyan", bold=True))
        outcome = _trial.execute(blob, exp_name=exp_name, output_dir=log_dir)
    if outcome.state == _status.FINISHED:
        return None
    what = "experiment %s (log dir %s): %s" % (exp_name, log_dir, outcome.state)
    return subprocess.CalledProcessError(1 if outcome.exit_code is None else outcome.exit_code,
                                         what)


def _prepare_task(task: dict[str, Any], exp_prefix: str, force_cpu: bool, git_root: str | None,
                  metadata: dict[str, str]) -> tuple[str, ExperimentCall, dict[str, str], Any]:
    call = task.pop("method_call")
    template = call if isinstance(call, ExperimentTemplate) else None
    if template is not None and template.function is None:
        raise ExperimentArgumentError("run_experiment got wrap_experiment(...) without a "
                                      "function; decorate a function first.")
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

    snapshot_mode = pick("snapshot_mode", getattr(template, "snapshot_mode", None), "last")
    snapshot_gap = pick("snapshot_gap", getattr(template, "snapshot_gap", None), 1)
    _check_snapshot_settings(snapshot_mode, snapshot_gap)
    env = {str(k): str(v) for k, v in (task.pop("env") or {}).items()}
    if force_cpu:
        env["CUDA_VISIBLE_DEVICES"] = ""
    _check_env(env)
    if template is not None and template.x_axis is not None:
        metadata = dict(metadata, x_axis=template.x_axis)
    experiment_call = ExperimentCall(
        call, variant=variant, log_dir=os.path.abspath(log_dir), snapshot_mode=snapshot_mode,
        snapshot_gap=snapshot_gap, seed=task.pop("seed"),
        archive_launch_repo=pick("archive_launch_repo",
                                 getattr(template, "archive_launch_repo", None), False),
        git_root=git_root, metadata=metadata)
    return exp_name, experiment_call, env, task.pop("pre_commands")
