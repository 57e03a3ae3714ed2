"""Launch experiments: one at a time (``call_experiment``) or a whole grid of
hyperparameters (``ExperimentGrid``).

Every experiment runs in a fresh Python process (``run_entrypoint.py``), so
no state leaks from one experiment into the next. ``ExperimentGrid.run`` is
plan, print, schedule, summarise, in layers as in Ray Tune:

- the plan: ``ExperimentGrid`` and ``_grid.plan`` check everything and build
  every run as a ``Trial`` (name, label, pickled function, output dir,
  attempt) before the first one starts;
- the schedule: ``_grid.schedule`` runs the trials, ``parallel`` at a time,
  on this machine or on a Ray cluster, through one loop;
- the execution of one trial: ``_grid.trial`` (a fresh process tied to the
  grid's life, with a status record in its output dir);
- the report: ``_grid.reporter`` owns the console (banners, the runs'
  labelled lines, the progress bar), and ``_grid.summary`` makes the final
  tables and their CSV files.
"""

__all__ = ["setup_logger_kwargs", "call_experiment", "all_bools", "valid_str", "ExperimentGrid",
           "GridError", "GridRunError"]

import builtins
import io
import itertools
import math
import os
import os.path as osp
import string
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from textwrap import dedent
from typing import Any

from tqdm import trange

from spinup import user_config
from spinup._errors import SpinupError
from spinup.user_config import (
    DEFAULT_SHORTHAND,
    FORCE_DATESTAMP,
    WAIT_BEFORE_LAUNCH,
)
from spinup.utils import gym_compat as _gym_compat
from spinup.utils._grid import plan as _grid_plan
from spinup.utils._grid import schedule as _schedule
from spinup.utils._grid import summary as _summary
from spinup.utils._grid import trial as _trial
from spinup.utils._grid.plan import GridError
from spinup.utils._grid.reporter import Reporter
from spinup.utils.logx import colorize
from spinup.utils.serialization_utils import convert_json

DIV_LINE_WIDTH = 80


def __getattr__(name: str) -> Any:
    # run_utils.DEFAULT_DATA_DIR, read when asked for (user_config computes it
    # from the working directory of that moment).
    if name == "DEFAULT_DATA_DIR":
        return user_config.DEFAULT_DATA_DIR
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def _default_data_dir() -> str:
    # A DEFAULT_DATA_DIR assigned to this module by hand wins, as it did in the original.
    return globals().get("DEFAULT_DATA_DIR") or user_config.DEFAULT_DATA_DIR


# Arguments of call_experiment that a grid sets itself; a grid key of the
# same name would collide with them.
_RUN_ARGS = ("num_cpu", "data_dir", "datestamp")
_GRID_SET = ("exp_name", "thunk")


class GridRunError(subprocess.CalledProcessError, SpinupError):
    """Some variants of a grid failed (or were not run because of
    ``fail_fast``). A CalledProcessError, like the original's error on a
    failed experiment.

    Attributes:
        failed (list): Names of the variants that did not finish.
        outcomes (list): What became of every variant.
    """

    def __init__(self, failed: list[str], outcomes: list[Any]):
        codes = [o.exit_code for o in outcomes if not o.ok and o.exit_code]
        super().__init__(codes[0] if codes else 1, "ExperimentGrid.run")
        self.failed = failed
        self.outcomes = outcomes

    def __reduce__(self):
        return type(self), (self.failed, self.outcomes)

    def __str__(self) -> str:
        return "%d of %d variants did not finish: %s" % (
            len(self.failed), len(self.outcomes), ", ".join(self.failed))


def setup_logger_kwargs(exp_name: str, seed: int | None = None,
                        data_dir: str | None = None, datestamp: bool = False) -> dict[str, str]:
    """
    Sets up the output_dir for a logger and returns a dict for logger kwargs.

    If no seed is given and datestamp is false,

    ::

        output_dir = data_dir/exp_name

    If a seed is given and datestamp is false,

    ::

        output_dir = data_dir/exp_name/exp_name_s[seed]

    If datestamp is true, amend to

    ::

        output_dir = data_dir/YY-MM-DD_exp_name/YY-MM-DD_HH-MM-SS_exp_name_s[seed]

    You can force datestamp=True by setting ``FORCE_DATESTAMP=True`` in
    ``spinup/user_config.py`` (or ``SPINUP_FORCE_DATESTAMP=1``).

    Args:
        exp_name (string): Name for experiment. It must stay inside data_dir:
            no ``..`` that climbs out of it, no absolute path.

        seed (int): Seed for random number generators used by experiment.

        data_dir (string): Path to folder where results should be saved.
            Default is the ``DEFAULT_DATA_DIR`` in ``spinup/user_config.py``.

        datestamp (bool): Whether to include a date and timestamp in the
            name of the save directory.

    Returns:
        logger_kwargs, a dict containing output_dir and exp_name.
    """
    datestamp = datestamp or FORCE_DATESTAMP
    ymd_time = time.strftime("%Y-%m-%d_") if datestamp else ""
    relpath = "".join([ymd_time, exp_name])
    if seed is not None:
        # Runs that differ only by seed share a folder, one subfolder each.
        if datestamp:
            hms_time = time.strftime("%Y-%m-%d_%H-%M-%S")
            subfolder = "".join([hms_time, "-", exp_name, "_s", str(seed)])
        else:
            subfolder = "".join([exp_name, "_s", str(seed)])
        relpath = osp.join(relpath, subfolder)
    data_dir = data_dir or _default_data_dir()
    norm = osp.normpath(relpath)
    if osp.isabs(exp_name) or norm == os.pardir or norm.startswith(os.pardir + os.sep):
        raise GridError("exp_name %r would put the output outside data_dir (%s). Use a "
                        "relative name without '..'." % (exp_name, data_dir))
    return dict(output_dir=osp.join(data_dir, relpath), exp_name=exp_name)


def call_experiment(exp_name: str, thunk: Callable[..., Any], seed: int = 0,
                    num_cpu: int | str = 1, data_dir: str | None = None,
                    datestamp: bool = False, env_api: str = "gymnasium", **kwargs) -> None:
    """
    Run a function (thunk) with hyperparameters (kwargs), plus configuration.

    This wraps a few pieces of functionality which are useful when you want
    to run many experiments in sequence, including logger configuration and
    splitting into multiple processes for MPI.

    There's also a SpinningUp-specific convenience added into executing the
    thunk: if ``env_name`` is one of the kwargs passed to call_experiment,
    it's assumed that the thunk accepts an argument called ``env_fn``, and
    that the ``env_fn`` should make a gymnasium environment with the given
    ``env_name`` (classic gym is used for names only it knows).

    The way the experiment is actually executed: the function is serialized
    with cloudpickle to a temporary file that only you can read, and
    ``run_entrypoint.py`` is executed in a subprocess with the path of that
    file as its argument. ``run_entrypoint.py`` loads the function and
    executes it. We choose to do it this way---instead of just calling the
    function directly here---to avoid leaking state between successive
    experiments. The subprocess does not outlive this process, and its
    output dir gets a ``status.json`` record of the run.

    Args:
        exp_name (string): Name for experiment.

        thunk (callable): A python function.

        seed (int): Seed for random number generators.

        num_cpu (int): Number of MPI processes to split into. Also accepts
            'auto', which will set up as many procs as there are cpus on
            the machine.

        data_dir (string): Used in configuring the logger, to decide where
            to store experiment results. Note: if left as None, data_dir will
            default to ``DEFAULT_DATA_DIR`` from ``spinup/user_config.py``.

        env_api (string): ``'gymnasium'`` (default), or ``'gym'`` for a thunk
            written for the old gym API: its ``env_fn`` then makes
            environments whose ``reset`` returns obs and ``step`` returns 4
            values (see :mod:`spinup.utils.gym_compat`).

        **kwargs: All kwargs to pass to thunk.

    Raises:
        GridError: bad num_cpu or exp_name (before anything runs).
        subprocess.CalledProcessError: the experiment failed.
    """
    thunk = _env_api_thunk(thunk, env_api)
    num_cpu = _grid_plan.check_num_cpu(num_cpu)
    if not callable(thunk):
        raise GridError("thunk must be callable, not %r." % (thunk,))
    variant = _variant(exp_name, thunk, seed, kwargs, num_cpu, data_dir, datestamp)
    trial = _grid_plan.make_trials([variant])[0]
    reporter = Reporter()
    reporter.started(trial)
    outcome = _trial.execute(trial.blob, exp_name=exp_name, output_dir=trial.output_dir,
                             attempt=trial.attempt)
    reporter.ended(trial, outcome)
    if not outcome.ok:
        raise subprocess.CalledProcessError(outcome.exit_code, [sys.executable, _trial.ENTRYPOINT])


def _env_api_thunk(thunk: Any, env_api: str) -> Any:
    try:
        return _gym_compat.thunk_for_env_api(thunk, env_api)
    except ValueError as e:
        raise GridError(str(e)) from None


def _variant(exp_name: str, thunk: Callable[..., Any], seed: Any, kwargs: dict[str, Any],
             num_cpu: int, data_dir: str | None, datestamp: bool,
             params: dict[str, Any] | None = None) -> _grid_plan.Variant:
    """One run, with its logger_kwargs set up (unless the caller gave them)."""
    kwargs = dict(kwargs, seed=seed)
    given = "logger_kwargs" in kwargs
    if not given:
        kwargs["logger_kwargs"] = setup_logger_kwargs(exp_name, seed, data_dir, datestamp)
    logger_kwargs = kwargs["logger_kwargs"]
    output_dir = None
    if isinstance(logger_kwargs, dict) and isinstance(logger_kwargs.get("output_dir"), str):
        output_dir = logger_kwargs["output_dir"]
    return _grid_plan.Variant(
        exp_name, thunk, kwargs, num_cpu, output_dir,
        params={"seed": seed} if params is None else params, logger_kwargs_given=given)


def all_bools(vals: Sequence[Any]) -> bool:
    """Whether every value in vals is a bool."""
    return all([isinstance(v, bool) for v in vals])


def valid_str(v: Any) -> str:
    """
    Convert a value or values to a string which could go in a filepath.

    Named objects (functions, classes) give their name; tuples and lists
    give their items joined by ``-``; anything else is lowercased, with every
    character other than letters, digits, ``-`` and ``_`` replaced by ``-``.
    """
    if hasattr(v, "__name__"):
        return valid_str(v.__name__)

    if isinstance(v, tuple) or isinstance(v, list):
        return "-".join([valid_str(x) for x in v])

    valid_chars = "-_%s%s" % (string.ascii_letters, string.digits)
    str_v = str(v).lower()
    return "".join(c if c in valid_chars else "-" for c in str_v)


class ExperimentGrid:
    """
    Tool for running many experiments given hyperparameter ranges.
    """

    def __init__(self, name: str = ""):
        self.keys: list[str] = []
        self.vals: list[list[Any]] = []
        self.shs: list[str | None] = []
        self.in_names: list[bool] = []
        self.name(name)

    def name(self, _name: str) -> None:
        """Set the grid's name, the first part of every variant's name."""
        if not isinstance(_name, str):
            raise GridError("Name has to be a string, not %r." % (_name,))
        self._name = _name

    def print(self) -> None:
        """Print a helpful report about the experiment grid."""
        print(self._describe(), end="")

    def _describe(self) -> str:
        """The report that ``print`` prints, as text."""
        buf = io.StringIO()

        def print(*args: Any) -> None:
            builtins.print(*args, file=buf)

        print("=" * DIV_LINE_WIDTH)

        # A long grid name breaks the announcement over two lines.
        base_msg = "ExperimentGrid %s runs over parameters:\n"
        name_insert = "[" + self._name + "]"
        if len(base_msg % name_insert) <= 80:
            msg = base_msg % name_insert
        else:
            msg = base_msg % (name_insert + "\n")
        print(colorize(msg, color="green", bold=True))

        # List off parameters, shorthands, and possible values.
        for k, v, sh in zip(self.keys, self.vals, self.shs):
            color_k = colorize(k.ljust(40), color="cyan", bold=True)
            print("", color_k, "[" + sh + "]" if sh is not None else "", "\n")
            for val in v:
                print("\t" + str(convert_json(val)))
            print()

        # Counting seeds: how many runs; not counting them: how many
        # otherwise-unique configurations.
        nvars_total = int(math.prod([len(v) for v in self.vals]))
        if "seed" in self.keys:
            num_seeds = len(self.vals[self.keys.index("seed")])
            nvars_seedless = int(nvars_total / num_seeds)
        else:
            nvars_seedless = nvars_total
        print(" Variants, counting seeds: ".ljust(40), nvars_total)
        print(" Variants, not counting seeds: ".ljust(40), nvars_seedless)
        print()
        print("=" * DIV_LINE_WIDTH)
        return buf.getvalue()

    def _default_shorthand(self, key: str) -> str:
        # The first three characters of each colon-separated part, minus
        # anything that is not a letter or digit.
        valid_chars = "%s%s" % (string.ascii_letters, string.digits)

        def shear(x):
            return "".join(z for z in x[:3] if z in valid_chars)
        return "-".join([shear(x) for x in key.split(":")])

    def add(self, key: str, vals: Any, shorthand: str | None = None,
            in_name: bool = False) -> None:
        """
        Add a parameter (key) to the grid config, with potential values (vals).

        By default, if a shorthand isn't given, one is automatically generated
        from the key using the first three letters of each colon-separated
        term. To disable this behavior, change ``DEFAULT_SHORTHAND`` in the
        ``spinup/user_config.py`` file to ``False``.

        Args:
            key (string): Name of parameter.

            vals (value or list of values): Allowed values of parameter.

            shorthand (string): Optional, shortened name of parameter. For
                example, maybe the parameter ``steps_per_epoch`` is shortened
                to ``steps``.

            in_name (bool): When constructing variant names, force the
                inclusion of this parameter into the name.

        Raises:
            GridError: key or shorthand not a string, key already added, or
                no values.
        """
        if not isinstance(key, str):
            raise GridError("Key must be a string, not %r." % (key,))
        if shorthand is not None and not isinstance(shorthand, str):
            raise GridError("Shorthand must be a string, not %r (key %r)." % (shorthand, key))
        if key in self.keys:
            raise GridError("Key %r was already added to the grid; give all its values in "
                            "one add() call." % key)
        if not isinstance(vals, list):
            vals = [vals]
        if len(vals) == 0:
            raise GridError("Key %r has an empty list of values; give it at least one." % key)
        if DEFAULT_SHORTHAND and shorthand is None:
            shorthand = self._default_shorthand(key)
        self.keys.append(key)
        self.vals.append(vals)
        self.shs.append(shorthand)
        self.in_names.append(in_name)

    def variant_name(self, variant: dict[str, Any]) -> str:
        """
        Given a variant (dict of valid param/value pairs), make an exp_name.

        A variant's name is constructed as the grid name (if you've given it
        one), plus param names (or shorthands if available) and values
        separated by underscores.

        Note: if ``seed`` is a parameter, it is not included in the name.
        """
        def get_val(v, k):
            # k = 'a:b:c' is the path variant['a']['b']['c'].
            if k in v:
                return v[k]
            splits = k.split(":")
            k0, k1 = splits[0], ":".join(splits[1:])
            return get_val(v[k0], k1)

        var_name = self._name
        for k, v, sh, inn in zip(self.keys, self.vals, self.shs, self.in_names):
            # A parameter goes in the name if it can take several values or
            # must be shown, except for seed: runs that differ only by seed
            # share an experiment name, so they are grouped together.
            if (len(v) > 1 or inn) and not (k == "seed"):
                param_name = valid_str(sh if sh is not None else k)
                variant_val = get_val(variant, k)
                if all_bools(v):
                    # A boolean parameter shows only when it is True.
                    var_name += ("_" + param_name) if variant_val else ""
                else:
                    var_name += "_" + param_name + valid_str(variant_val)
        return var_name.lstrip("_")

    def variants(self) -> list[dict[str, Any]]:
        """
        Makes a list of dicts, where each dict is a valid config in the grid.

        There is special handling for variant parameters whose names take
        the form ``'full:param:name'``. The colons are taken to indicate that
        these parameters should have a nested dict structure. eg, if there
        are two params,

        ==================== ===
        Key                  Val
        ==================== ===
        ``'base:param:a'``   1
        ``'base:param:b'``   2
        ==================== ===

        the variant dict will have the structure

        .. parsed-literal::

            variant = {
                base: {
                    param : {
                        a : 1,
                        b : 2
                        }
                    }
                }

        The first key added varies slowest.

        Raises:
            GridError: a key is both a value and a prefix of other keys
                ('a' and 'a:b').
        """
        flat = [dict(zip(self.keys, combo)) for combo in itertools.product(*self.vals)]
        return [_grid_plan.unflatten(var) for var in flat]

    def run(self, thunk: Callable[..., Any] | str, num_cpu: int | str = 1,
            data_dir: str | None = None, datestamp: bool = False, *,
            parallel: int | str = 1, backend: str = "local",
            address: str | None = None, resume: bool = False,
            fail_fast: bool = False, env_api: str = "gymnasium") -> None:
        """
        Run each variant in the grid with function 'thunk'.

        Note: 'thunk' must be either a callable function, or a string. If it
        is a string, it must be the name of a parameter whose values are all
        callable functions.

        Uses ``call_experiment`` to actually launch each experiment, and
        gives each variant a name using ``self.variant_name()``.

        Maintenance note: the args for ExperimentGrid.run should track
        closely to the args for call_experiment. However, ``seed`` is omitted
        because we presume the user may add it as a parameter in the grid.

        Everything is checked, and every variant pickled, before the first
        one launches. A failed variant does not stop the others (unless
        ``fail_fast``). At the end a summary lists every run (its seed and
        varied values, state, duration, last performance, output dir) and
        the mean ± std over seeds of each variant; both tables are saved as
        ``<data_dir>/<grid name>_summary.csv`` and
        ``<data_dir>/<grid name>_summary_variants.csv`` (with datestamp, in
        the grid's dated folder). Then a ``GridRunError`` names the variants
        that did not finish.

        With ``parallel`` above 1 each line a run prints is prefixed with
        the run's own label, its output folder's name; see the docs on
        running variants in parallel.

        Args:
            thunk (callable or string): The training function, or the name
                of a grid key whose values are training functions.

            num_cpu (int): MPI processes per variant, or 'auto'.

            data_dir (string): Where outputs go (default DEFAULT_DATA_DIR).

            datestamp (bool): Datestamp the output folders.

            parallel (int): Keyword only. How many variants run at once, each
                in its own process; 'auto' fills the machine (physical cores
                // num_cpu) or, with Ray, the cluster.

            backend (string): Keyword only. 'local' (this machine) or 'ray'
                (every variant is a Ray task with ``num_cpus=num_cpu``).

            address (string): Keyword only. The Ray cluster to use (default:
                RAY_ADDRESS, else a running local cluster, else a new one).

            resume (bool): Keyword only. Skip the variants that finished
                (their ``status.json`` says so) and rerun the others; a
                thunk with a ``resume`` parameter gets ``resume=True`` for a
                variant that ran before.

            fail_fast (bool): Keyword only. Stop everything at the first
                failure.

            env_api (string): Keyword only. ``'gym'`` for a thunk written
                for the old gym API (see call_experiment).

        Raises:
            GridError: bad arguments (nothing has been launched).
            GridRunError: some variants failed.
        """
        thunk = _env_api_thunk(thunk, env_api)
        plan = self._plan(thunk, num_cpu, data_dir, datestamp, parallel, backend, address,
                          resume)
        reporter = Reporter(capture=backend == "local" and plan.parallel > 1)
        reporter.write(self._describe().rstrip("\n"))
        _announce(reporter, sorted(set(t.name for t in plan.trials)))
        for text, color in plan.notes:
            reporter.note(text, color, bold=True)
        _countdown(reporter)

        reporter.begin(plan.todo, plan.skipped)
        try:
            if backend == "ray":
                ran = _schedule.run_ray(plan.todo, parallel=plan.parallel, fail_fast=fail_fast,
                                        events=reporter, address=address, num_cpu=plan.num_cpu)
            else:
                ran = _schedule.run_local(plan.todo, parallel=plan.parallel, fail_fast=fail_fast,
                                          events=reporter, num_cpu=plan.num_cpu,
                                          capture=reporter.capture)
        except _schedule.ClusterError as e:
            raise GridError(str(e)) from e  # before any variant was launched
        finally:
            reporter.close()
        outcomes = _summarise(self._name, plan, ran, reporter)
        failed = [o.exp_name for o in outcomes if not o.ok]
        if failed:
            raise GridRunError(failed, outcomes)

    def _plan(self, thunk: Callable[..., Any] | str, num_cpu: int | str,
              data_dir: str | None, datestamp: bool, parallel: int | str, backend: str,
              address: str | None, resume: bool) -> "_GridPlan":
        """Check everything and build every trial, before anything runs."""
        num_cpu = _grid_plan.check_num_cpu(num_cpu)
        parallel = _grid_plan.check_parallel(parallel, backend, address, num_cpu)
        datestamp = datestamp or FORCE_DATESTAMP
        if resume and datestamp:
            raise GridError("resume=True needs stable output folders, but datestamp gives "
                            "every run a new one. Resume without datestamp.")
        if backend == "ray":
            data_dir = osp.abspath(data_dir or _default_data_dir())  # workers start elsewhere
        varied = [k for k, v in zip(self.keys, self.vals) if len(v) > 1 and k != "seed"]
        variants = []
        for var in self.variants():
            params = {"seed": var.get("seed", 0), **{k: _get_path(var, k) for k in varied}}
            variants.append(self._variant(var, thunk, num_cpu, data_dir, datestamp, params))
        _grid_plan.check_variants(variants)
        notes, skipped = [], []
        if resume:
            skipped, line = _grid_plan.plan_resume(variants)
            notes.append((line, "cyan"))
        if backend == "local":
            warning = _grid_plan.oversubscription(parallel, num_cpu)
            if warning:
                notes.append((warning, "yellow"))
        trials = _grid_plan.make_trials(variants, skipped)
        skip = {id(v) for v in skipped}
        # The summary goes beside the grid's folders, or into its dated one.
        name = self._name or "grid"
        where = setup_logger_kwargs(name, data_dir=data_dir, datestamp=datestamp)["output_dir"]
        summary = osp.join(where, name) if datestamp else where
        return _GridPlan(trials=trials, todo=[t for t, v in zip(trials, variants)
                                              if id(v) not in skip],
                         notes=notes, parallel=parallel, num_cpu=num_cpu, keys=varied,
                         summary=summary + "_summary.csv")

    def _variant(self, var: dict[str, Any], thunk: Any, num_cpu: int, data_dir: str | None,
                 datestamp: bool, params: dict[str, Any]) -> _grid_plan.Variant:
        name = self.variant_name(var)
        if isinstance(thunk, str):
            # The thunk is the value of a grid key in each variant.
            if thunk not in self.keys or ":" in thunk:
                raise GridError("thunk %r names no (top-level) key of the grid; the keys are "
                                "%s." % (thunk, ", ".join(map(repr, self.keys))))
            thunk_ = var.pop(thunk)
        else:
            thunk_ = thunk
        if not callable(thunk_):
            raise GridError("thunk must be a callable or the name of a grid key whose values "
                            "are callables, not %r." % (thunk_,))
        for key in var:
            if key in _RUN_ARGS:
                raise GridError("Key %r is an argument of run(); pass it as "
                                "eg.run(thunk, %s=...)." % (key, key))
            if key in _GRID_SET:
                raise GridError("Key %r is set by the grid itself; rename it." % key)
        seed = var.pop("seed", 0)
        return _variant(name, thunk_, seed, var, num_cpu, data_dir, datestamp, params)


def _get_path(variant: dict[str, Any], key: str) -> Any:
    """variant['a']['b'] for key 'a:b' (the grid's nested keys)."""
    for part in key.split(":"):
        variant = variant[part]
    return variant


@dataclass
class _GridPlan:
    """Everything ExperimentGrid.run decided before the first launch."""

    trials: list[_trial.Trial]  # every variant, in the grid's order
    todo: list[_trial.Trial]  # the ones to run (all but those skipped on resume)
    notes: list[tuple[str, str]]  # (text, colour) to show before the launch
    parallel: Any  # an int, or 'auto' for Ray
    num_cpu: int
    keys: list[str]  # the varied keys (the summary's columns)
    summary: str  # where the summary CSV goes

    @property
    def skipped(self) -> list[_trial.Trial]:
        """The trials that finished before (resume) and will not run."""
        todo = {id(t) for t in self.todo}
        return [t for t in self.trials if id(t) not in todo]


def _announce(reporter: Reporter, var_names: list[str]) -> None:
    """List the experiments about to run."""
    line = "=" * DIV_LINE_WIDTH
    preparing = colorize("Preparing to run the following experiments...",
                         color="green", bold=True)
    joined_var_names = "\n".join(var_names)
    reporter.write(f"\n{preparing}\n\n{joined_var_names}\n\n{line}")


def _countdown(reporter: Reporter) -> None:
    """Give the user WAIT_BEFORE_LAUNCH seconds to stop a grid that looks wrong."""
    if WAIT_BEFORE_LAUNCH > 0:
        line = "=" * DIV_LINE_WIDTH
        delay_msg = colorize(dedent("""
        Launch delayed to give you a few seconds to review your experiments.

        To customize or disable this behavior, change WAIT_BEFORE_LAUNCH in
        spinup/user_config.py.

        """), color="cyan", bold=True) + line
        reporter.write(delay_msg)
        wait, steps = WAIT_BEFORE_LAUNCH, 100
        prog_bar = trange(steps, desc="Launching in...",
                          leave=False, ncols=DIV_LINE_WIDTH,
                          mininterval=0.25,
                          bar_format="{desc}: {bar}| {remaining} {elapsed}")
        for _ in prog_bar:
            time.sleep(wait / steps)


def _summarise(name: str, plan: _GridPlan, ran: list[_trial.Outcome],
               reporter: Reporter) -> list[_trial.Outcome]:
    """Print the summary tables, save them as CSV; return every trial's outcome."""
    results = dict(zip(map(id, plan.todo), ran))
    outcomes = [results.get(id(t)) or _trial.Outcome(t.name, t.output_dir, "skipped")
                for t in plan.trials]
    line = "=" * DIV_LINE_WIDTH
    reporter.write("\n".join([
        "", line, colorize("Summary of ExperimentGrid [%s]:" % name, "green", bold=True),
        _summary.summarise(plan.trials, outcomes, plan.keys, plan.summary), line]))
    return outcomes
