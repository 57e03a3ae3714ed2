"""The spinup command line.

::

    python -m spinup.run CMD [ARGS...]      (or just: spinup CMD [ARGS...])

CMD is ``help``, ``plot``, ``test_policy``, ``results``, an algorithm name (``ppo``,
``vpg_tf1``, ...) or ``package.module:function`` for your own training
function. For an algorithm, the rest of the line describes an
ExperimentGrid::

    python -m spinup.run ppo --env CartPole-v1 --seed 0 10 --pi_lr 3e-4 1e-3 --parallel 2

Every ``--flag`` starts a keyword argument and the words after it are the
values to try. See the "Running experiments" docs page for the details.
"""

__all__ = ["main", "parse_and_execute_grid_search", "add_with_backends"]

import os
import sys
from collections.abc import Sequence
from textwrap import dedent
from typing import Any

import spinup
from spinup import _cli_grid as cli
from spinup._cli_grid import RUN_KEYS, SUBSTITUTIONS, UsageError
from spinup.user_config import DEFAULT_BACKEND

# Algorithms that ship with spinup; `ppo` means `ppo_<DEFAULT_BACKEND['ppo']>`.
BASE_ALGO_NAMES = ["vpg", "ppo", "ddpg", "td3", "sac", "trpo"]
BACKENDS = ["pytorch", "tf1"]
# Algorithms that exist in some backends only (as in the original, TRPO is TF1 only).
ALGO_BACKENDS = {"trpo": ["tf1"]}
# Algorithms written to run as several MPI processes (num_cpu > 1).
MPI_COMPATIBLE_ALGOS = ["vpg", "ppo", "trpo"]
UTILS = ["plot", "test_policy", "results"]
HELP = ["help", "-h", "--help"]


def add_with_backends(algo_list: Sequence[str]) -> list[str]:
    """The algorithm names plus their backend-suffixed forms."""
    algo_list_with_backends = list(algo_list)
    for algo in algo_list:
        algo_list_with_backends += [algo + "_" + backend
                                    for backend in ALGO_BACKENDS.get(algo, BACKENDS)]
    return algo_list_with_backends


def _help_text() -> str:
    algos = add_with_backends(BASE_ALGO_NAMES)
    subs = ["--" + k.ljust(10) + "for".ljust(10) + "--" + v for k, v in SUBSTITUTIONS.items()]
    return dedent("""
        Experiment in spinup from the command line with

        \tpython -m spinup.run CMD [ARGS...]

        (or `spinup CMD [ARGS...]`) where CMD is a valid command. Current valid
        commands are:
        """) + "\n\t" + "\n\t".join(algos + UTILS) + dedent("""
        \tpackage.module:function   (your own training function)

        FYI: When running an algorithm, any keyword argument to the
        algorithm function can be used as a flag, eg

        \tpython -m spinup.run ppo --env CartPole-v1 --clip_ratio 0.1

        Give several values after a flag to run a grid over them. If you
        need a quick refresher on valid kwargs, get the docstring with

        \tpython -m spinup.run [algo] --help

        See the "Running experiments" docs page for more details.

        Also: Some common but long flags can be substituted for shorter
        ones. Valid substitutions are:
        """) + "\n\t" + "\n\t".join(subs) + dedent("""

        These flags take one value and configure how the grid runs:
        """) + "\n\t" + "\n\t".join("--" + k for k in RUN_KEYS) + dedent("""

        These choose the logger's outputs besides progress.txt, for every run
        (they set SPINUP_LOG_OUTPUTS):

        \t--log_outputs %s
        \t--tensorboard             (the same as --log_outputs tensorboard)
        """) % " ".join(cli.log_output_names())


def _algo_function(cmd: str) -> Any:
    """Import a built-in algorithm (importing its framework)."""
    import spinup
    try:
        return getattr(spinup, cmd)
    except ModuleNotFoundError as e:
        extra = {"torch": "torch", "tensorflow": "tf"}.get((e.name or "").split(".")[0])
        hint = (" Install it with: pip install 'spinup[%s]'" % extra) if extra else ""
        print("Can't run %s: %s.%s" % (cmd, e, hint), file=sys.stderr)
        sys.exit(1)


def parse_and_execute_grid_search(cmd: str, args: Sequence[str]) -> None:
    """Run a grid of experiments for an algorithm (or package.module:function)
    described by command-line words.

    Args:
        cmd: The algorithm name (``ppo``, ``ppo_tf1``, ...) or
            ``package.module:function``.
        args: The words after it, e.g. ``['--env', 'CartPole-v1', '--seed', '0', '10']``.

    Raises:
        UsageError: for any mistake in the words, found before any experiment
            starts (run.main turns it into a message and exit status 2).
        SystemExit: status 1 when some experiments of the grid failed.
    """
    custom = ":" in cmd
    if cmd in BASE_ALGO_NAMES:
        backends = ALGO_BACKENDS.get(cmd, BACKENDS)
        backend = DEFAULT_BACKEND.get(cmd, backends[0])
        if backend not in backends:
            raise UsageError("user_config.DEFAULT_BACKEND[%r] is %r, but %s exists only in %s; "
                             "fix it there, or name one, e.g. %s_%s."
                             % (cmd, backend, cmd, " and ".join(backends), cmd, backends[0]))
        cmd = cmd + "_" + backend
    label = cmd if custom else "spinup." + cmd

    if any(arg in ("--help", "-h") for arg in args):
        module, name = cmd.split(":", 1) if custom else spinup._LAZY[cmd]
        text = cli.function_help(label, module, name)
        try:
            print(text)
            sys.stdout.flush()
        except BrokenPipeError:
            # `... --help | head`: the reader has all it wants.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit()

    words, given_shorthands = cli.parse_flags(args)
    arg_dict = cli.evaluate_all(words)
    run_kwargs = cli.pop_run_kwargs(arg_dict)
    log_outputs = cli.pop_log_outputs(arg_dict)
    cli.check_logger_kwargs(list(arg_dict))
    default_name = "cmd_" + (cmd.split(":")[1] if custom else cmd)
    exp_name = cli.pop_exp_name(arg_dict, default_name)

    if custom:
        algo = cli.import_function(cmd)
        mpi_ok = cli.is_mpi_capable(algo)
    else:
        algo = None
        mpi_ok = cmd.rsplit("_", 1)[0] in MPI_COMPATIBLE_ALGOS
    num_cpu = run_kwargs.get("num_cpu", 1)
    if num_cpu != 1 and not mpi_ok:
        raise UsageError(
            "%s can't use MPI, so --num_cpu must be 1 (got %s). Only MPI-capable "
            "functions (%s, or functions marked mpi_capable = True) run on several "
            "processes; use --parallel to run several variants at once instead."
            % (label, num_cpu, ", ".join(add_with_backends(MPI_COMPATIBLE_ALGOS))))

    if "env_name" in arg_dict:
        cli.check_env_names(arg_dict["env_name"])
    elif not custom:
        raise UsageError("You did not give a value for --env_name! Add one, e.g. "
                         "--env CartPole-v1.")

    # A built-in algorithm is checked against its source first, so that a
    # mistake is reported before PyTorch or TensorFlow take seconds to load.
    checked = algo if algo is not None else cli.source_signature(*spinup._LAZY[cmd])
    if checked is None:
        checked = algo = _algo_function(cmd)
    cli.check_accepts(checked, label, list(arg_dict))
    cli.check_values(checked, words, arg_dict)
    if algo is None:
        algo = _algo_function(cmd)

    if log_outputs is not None:
        # Inherited by every process the grid starts (and their MPI ranks).
        os.environ[cli.LOG_OUTPUTS_VAR] = log_outputs
    from spinup.utils.run_utils import ExperimentGrid, GridError, GridRunError
    try:
        eg = ExperimentGrid(name=exp_name)
        for k, v in arg_dict.items():
            eg.add(k, v, shorthand=given_shorthands.get(k))
        eg.variants()  # checks the keys fit together before anything starts
    except (ValueError, TypeError) as e:
        raise UsageError(str(e)) from None
    try:
        eg.run(algo, **run_kwargs)
    except GridError as e:
        # Raised only before the first experiment launches.
        raise UsageError(str(e)) from None
    except GridRunError as e:
        # Each failed experiment has already shown its own traceback.
        print("spinup.run: %s" % e, file=sys.stderr)
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of ``python -m spinup.run`` and the ``spinup`` command.

    Args:
        argv: The command-line words after the program name; defaults to
            ``sys.argv[1:]``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    cmd = argv[0] if argv else "help"
    valid_algos = add_with_backends(BASE_ALGO_NAMES)
    try:
        if cmd in HELP:
            print(_help_text())
        elif cmd in UTILS:
            # Run the utility as if it were its own script.
            if cmd == "plot":
                from spinup.utils.plot import main as util_main
            elif cmd == "results":
                from spinup.utils.results import main as util_main
            else:
                from spinup.utils.test_policy import main as util_main
            saved_argv, sys.argv = sys.argv, ["spinup.run " + cmd] + argv[1:]
            try:
                util_main(argv[1:])
            finally:
                sys.argv = saved_argv
        elif cmd in valid_algos or ":" in cmd:
            parse_and_execute_grid_search(cmd, argv[1:])
        else:
            raise UsageError(
                "Unknown command %r%s. Select an algorithm or utility which is "
                "implemented in spinup (%s), or give your own function as "
                "package.module:function. See `python -m spinup.run help`."
                % (cmd, cli.did_you_mean(cmd, valid_algos + UTILS),
                   ", ".join(valid_algos + UTILS)))
    except UsageError as e:
        cli.exit_usage("spinup.run", str(e))


if __name__ == "__main__":
    main()
