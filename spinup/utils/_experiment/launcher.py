"""garage's older launcher: run a pickled call in a fresh process.

``run_experiment`` pickles the method call, builds the command line of the
entry point (entrypoint.py) with ``to_local_command`` and runs it.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any

from spinup.utils._experiment.metadata import get_metadata
from spinup.utils._experiment.template import (
    ExperimentArgumentError,
    ExperimentTemplate,
    _check_snapshot_settings,
    _data_dir,
)

_DEFAULT_SCRIPT = "spinup.utils._experiment.entrypoint"

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
        # "A=1 python -m spinup.utils._experiment.entrypoint --log_dir data/x"

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

        python -m spinup.utils._experiment.entrypoint --args_data /tmp/spinup-experiment-XXXX.pkl \\
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
    if template is not None and template.x_axis is not None:
        metadata = dict(metadata, x_axis=template.x_axis)
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

