"""Turning command-line words into an ExperimentGrid: the machinery behind
``python -m spinup.run ALGO --flag values ...`` (see spinup/run.py).

Everything here raises UsageError for a mistake on the command line; run.py
turns it into a short message and exit status 2.
"""
import ast
import builtins
import difflib
import importlib
import inspect
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from spinup._errors import SpinupError

# Flags that are really other keys.
SUBSTITUTIONS = {
    "env": "env_name",
    "hid": "ac_kwargs:hidden_sizes",
    "act": "ac_kwargs:activation",
    "cpu": "num_cpu",
    "dt": "datestamp",
}

# Keys that configure ExperimentGrid.run rather than the training function.
RUN_KEYS = ["num_cpu", "data_dir", "datestamp", "parallel", "backend", "address", "resume"]

# Keys whose words are names or paths: they are kept as typed, never eval'ed
# (so `--exp_name 2024` stays the string '2024', and `--exp_name list` does
# not become the builtin).
STRING_KEYS = {"exp_name", "env_name", "data_dir", "backend", "address"}

# Module names a value may use without importing them, e.g. --act torch.nn.ReLU.
# They are imported only when a value actually refers to them.
LAZY_MODULES = {
    "torch": "torch",
    "nn": "torch.nn",
    "tf": "tensorflow",
    "tensorflow": "tensorflow",
    "np": "numpy",
    "numpy": "numpy",
    "gym": "gymnasium",
    "gymnasium": "gymnasium",
    "math": "math",
}

_FLAG_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z_][A-Za-z0-9_]*)*$")
_NO_VALUE = object()


class UsageError(ValueError, SpinupError):
    """A mistake on the command line; the message says what and how to fix it."""


def did_you_mean(word: str, choices: Sequence[str], n: int = 3) -> str:
    """' (did you mean a, b?)' for the closest choices, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=n)]
    return " (did you mean %s?)" % ", ".join(close) if close else ""


def parse_flags(args: Sequence[str]) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """Split ``--key[sh] v1 v2 --flag --other=v`` into keys and raw words.

    Returns (words, shorthands): words maps each key (after substitutions),
    in the order given, to its list of raw words (a flag with no words gets
    ``[True]``); shorthands maps keys to the shorthand given in brackets.
    """
    words: dict[str, list[Any]] = {}
    shorthands: dict[str, str] = {}
    typed: dict[str, str] = {}  # key -> flag as the user typed it, for messages
    key = None
    for _i, arg in enumerate(args):
        if not arg.startswith("--"):
            if key is None:
                raise UsageError("The first argument must be a flag like --env_name, not %r. "
                                 "Every value belongs to the flag before it." % arg)
            words[key].append(arg)
            continue
        flag, value = arg[2:], _NO_VALUE
        if "=" in flag:
            flag, value = flag.split("=", 1)
        name, shorthand = flag, None
        if "[" in flag or "]" in flag:
            m = re.match(r"^([^\[\]]*)\[([^\[\]]*)\]$", flag)
            if not m or not m.group(2):
                raise UsageError("Can't read the flag %r: a shorthand is written "
                                 "--key[sh], e.g. --pi_lr[lr]." % arg)
            name, shorthand = m.group(1), m.group(2)
        if not _FLAG_RE.match(name):
            raise UsageError("%r is not a valid flag: use --name or --outer:inner, with "
                             "letters, digits and underscores." % arg)
        key = SUBSTITUTIONS.get(name, name)
        if key in words:
            raise UsageError("%s was given twice (as %s and --%s); put all its values "
                             "after a single flag." % (key, typed[key], name))
        words[key] = [] if value is _NO_VALUE else [value]
        typed[key] = "--" + name
        if shorthand is not None:
            shorthands[key] = shorthand
    for vals in words.values():
        if not vals:
            vals.append(True)
    return words, shorthands


def evaluate(word: Any) -> Any:
    """The value of one command-line word: ``eval(word)`` if that works, else
    the word itself. So ``3e-4`` is a float, ``(64,64)`` a tuple, ``True`` a
    bool and ``CartPole-v1`` a string. ``torch``, ``nn``, ``tf``, ``np`` and a
    few more module names are available, imported only when used."""
    if not isinstance(word, str):
        return word
    try:
        tree = ast.parse(word.strip(), mode="eval")
    except SyntaxError:
        return word
    roots = {node.value.id for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
    names = {}
    for root in roots & set(LAZY_MODULES):
        try:
            names[root] = importlib.import_module(LAZY_MODULES[root])
        except ImportError:
            pass
    try:
        return eval(compile(tree, "<command line>", "eval"), {"__builtins__": builtins}, names)
    except Exception:
        return word


def evaluate_all(words: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Evaluate every word, except those of STRING_KEYS."""
    return {key: list(vals) if key in STRING_KEYS else [evaluate(v) for v in vals]
            for key, vals in words.items()}


def _check_count(n: Any, key: str) -> Any:
    if n == "auto":
        return n
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError("--%s must be a whole number of 1 or more, or auto; got %r."
                         % (key, n))
    return n


def _check_bool(b: Any, key: str) -> bool:
    if not isinstance(b, bool):
        raise UsageError("--%s takes True or False (or no value, meaning True); got %r."
                         % (key, b))
    return b


def pop_run_kwargs(args: dict[str, list[Any]]) -> dict[str, Any]:
    """Move the run keys out of args into kwargs for ExperimentGrid.run,
    checking that each has exactly one sensible value."""
    run_kwargs = {}
    for key in RUN_KEYS:
        if key not in args:
            continue
        vals = args.pop(key)
        if len(vals) != 1:
            raise UsageError("You can only provide one value for %s (got %d: %s); it "
                             "applies to the whole grid." % (key, len(vals),
                                                             " ".join(map(str, vals))))
        val = vals[0]
        if key in ("num_cpu", "parallel"):
            val = _check_count(evaluate(val), key)
        elif key in ("datestamp", "resume"):
            val = _check_bool(val, key)
        elif key == "backend":
            if val not in ("local", "ray"):
                raise UsageError("--backend must be local or ray, not %r." % (val,))
        elif not isinstance(val, str):
            raise UsageError("--%s needs a value." % key)
        run_kwargs[key] = val
    return run_kwargs


def pop_exp_name(args: dict[str, list[Any]], default: str) -> str:
    """Take the single exp_name value out of args (or use the default)."""
    if "exp_name" not in args:
        return default
    vals = args.pop("exp_name")
    if len(vals) != 1 or not isinstance(vals[0], str) or not vals[0]:
        raise UsageError("--exp_name takes exactly one name (it names the whole grid).")
    return vals[0]


def check_env_names(names: Sequence[Any]) -> None:
    """Refuse environment names that gymnasium doesn't know, suggesting close ones."""
    import gymnasium

    for name in names:
        if not isinstance(name, str) or not name:
            raise UsageError("--env_name needs the name of an environment, e.g. CartPole-v1.")
        env_id = name
        if ":" in name:
            # gymnasium's "module:EnvId" form: the module registers the env.
            module, env_id = name.split(":", 1)
            try:
                importlib.import_module(module)
            except ImportError as e:
                raise UsageError("Can't import %r to register %s: %s"
                                 % (module, env_id, e)) from None
        registry = gymnasium.envs.registry
        if env_id in registry:
            continue
        raise UsageError(
            "%s is not a registered gymnasium environment%s. Check for a typo (did you "
            "include the version tag, e.g. -v1?), or register it first (e.g. "
            "--env my_package:MyEnv-v0 imports my_package before making the env)."
            % (env_id, did_you_mean(env_id, list(registry), n=5)))


def import_function(spec: str) -> Callable:
    """Import ``package.module:function``; a missing one is a UsageError."""
    modname, _, fname = spec.partition(":")
    if not modname or not fname or ":" in fname:
        raise UsageError("%r is not of the form package.module:function." % spec)
    # `python -m spinup.run` has the working dir on sys.path; the `spinup`
    # console script doesn't, but a user's module next to them should work
    # the same from both.
    cwd = os.getcwd()
    if "" not in sys.path and cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(modname)
    except ModuleNotFoundError as e:
        if e.name and (modname == e.name or modname.startswith(e.name + ".")):
            raise UsageError("No module named %r: run from the folder that holds it, or add "
                             "that folder to PYTHONPATH." % e.name) from None
        raise
    fn = getattr(module, fname, None)
    if fn is None:
        funcs = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
        raise UsageError("Module %s has no function %r%s." % (modname, fname,
                                                               did_you_mean(fname, funcs)))
    if not callable(fn):
        raise UsageError("%s is not a function." % spec)
    _share_import_root(module, modname)
    return fn


def _share_import_root(module: Any, modname: str) -> None:
    """Let the experiment processes import the user's module too.

    Each variant runs in a fresh Python process, which unpickles the
    function by its module name. A module found through the working
    directory would not be found there, so put that folder on PYTHONPATH."""
    top = sys.modules.get(modname.split(".")[0], module)
    path = getattr(top, "__file__", None)
    if path is None:
        return
    root = os.path.dirname(os.path.abspath(path))
    if os.path.basename(path) == "__init__.py":
        root = os.path.dirname(root)
    if root != os.getcwd():
        return
    current = os.environ.get("PYTHONPATH", "")
    if root not in current.split(os.pathsep):
        os.environ["PYTHONPATH"] = root + (os.pathsep + current if current else "")


def is_mpi_capable(fn: Callable) -> bool:
    """Whether a training function can run as several MPI processes.

    A function says so with an attribute ``mpi_capable = True`` (or False to
    refuse). Without one, a function whose module uses spinup's MPI helpers
    (spinup.utils.mpi_tools, mpi_pytorch, mpi_tf) or mpi4py counts as capable.
    """
    flag = getattr(fn, "mpi_capable", None)
    if flag is not None:
        return bool(flag)
    for value in getattr(fn, "__globals__", {}).values():
        name = getattr(value, "__name__", "") if inspect.ismodule(value) \
            else getattr(value, "__module__", "") or ""
        if name.startswith(("spinup.utils.mpi_", "mpi4py")):
            return True
    return False


def check_accepts(fn: Callable, label: str, keys: Sequence[str]) -> None:
    """Check that fn takes every top-level key, plus seed and logger_kwargs
    (which call_experiment always passes)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return
    names = [n for n, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    for needed in ("seed", "logger_kwargs"):
        if needed not in names:
            raise UsageError("%s can't be run from the command line: it must accept the "
                             "keyword arguments seed and logger_kwargs, which every "
                             "experiment is given." % label)
    for key in keys:
        top = key.split(":")[0]
        if top == "env_name":
            if "env_fn" not in names:
                raise UsageError("%s takes no env_fn argument, so --env_name can't be used "
                                 "with it." % label)
            continue
        if top not in names:
            raise UsageError("%s has no argument %r%s. See its arguments with --help."
                             % (label, top, did_you_mean(top, names)))
