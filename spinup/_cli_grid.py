"""Turning command-line words into an ExperimentGrid: the machinery behind
``python -m spinup.run ALGO --flag values ...`` (see spinup/run.py).

Everything here raises UsageError for a mistake on the command line; run.py
turns it into a short message and exit status 2.
"""
import argparse
import ast
import builtins
import difflib
import importlib
import importlib.util
import inspect
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

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
RUN_KEYS = ["num_cpu", "data_dir", "datestamp", "parallel", "backend", "address", "resume",
            "env_api"]

# --log_outputs and --tensorboard set this for the runs a command launches
# (the logger reads it: spinup.utils._writers).
LOG_OUTPUTS_VAR = "SPINUP_LOG_OUTPUTS"

# Keys whose words are names or paths: they are kept as typed, never eval'ed
# (so `--exp_name 2024` stays the string '2024', and `--exp_name list` does
# not become the builtin).
STRING_KEYS = {"exp_name", "env_name", "data_dir", "backend", "address", "env_api",
               "log_outputs"}

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

# Arguments of the algorithms for which a negative number makes no sense.
NON_NEGATIVE = {"epochs", "steps_per_epoch", "max_ep_len", "save_freq", "train_pi_iters",
                "train_v_iters", "batch_size", "replay_size", "start_steps", "update_after",
                "update_every", "num_test_episodes"}

_FLAG_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(:[A-Za-z_][A-Za-z0-9_]*)*$")
_NO_VALUE = object()


class UsageError(ValueError, SpinupError):
    """A mistake on the command line; the message says what and how to fix it."""


def exit_usage(prog: str, message: str, status: int = 2) -> NoReturn:
    """Print ``prog: error: message`` on one line of stderr and exit.

    The one way every spinup command-line tool (``spinup.run``, ``plot``,
    ``test_policy``) reports a mistake: one line a user can read at a glance,
    no traceback, and exit status 2, the status of a usage error.
    """
    print("%s: error: %s" % (prog, " ".join(str(message).split())), file=sys.stderr)
    sys.exit(status)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, reporting mistakes through :func:`exit_usage`
    (argparse itself prints its usage block first, which buries the message)."""

    def error(self, message: str) -> NoReturn:
        exit_usage(self.prog.replace("python -m ", ""), message + " (see --help)")


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
    in the original's order (see _original_order), to its list of raw words
    (a flag with no words gets ``[True]``); shorthands maps keys to the
    shorthand given in brackets.
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
    ordered = _Words(_original_order(words, typed, list(shorthands)))
    ordered.typed = typed
    return ordered, shorthands


class _Words(dict):
    """parse_flags' key -> words dict, which also remembers each flag as it
    was typed (``typed['ac_kwargs:activation'] == '--act'``) for messages."""

    typed: dict[str, str] = {}


def _flag(key: str, words: dict[str, list[Any]]) -> str:
    """A key as the user wrote it: '--act (ac_kwargs:activation)', '--epochs'."""
    typed = getattr(words, "typed", {}).get(key, "--" + key)
    return typed if typed == "--" + key else "%s (%s)" % (typed, key)


def _original_order(words: dict[str, list[Any]], typed: dict[str, str],
                    bracketed: Sequence[str]) -> dict[str, list[Any]]:
    """Put the keys in the order the original ``spinup.run`` leaves them in.

    The original builds its dict from the words in the order typed, then
    renames keys in two passes, each of which deletes the old key and adds
    the new one at the end: first every ``--key[sh]`` (in the order typed),
    then the shortcuts of SUBSTITUTIONS (in that dict's order: env, hid, act,
    cpu, dt; a shortcut with a shorthand moves in both passes, so it ends up
    with the shortcuts). The grid adds its keys in this order, and the order
    decides both the folder names (``--hid[h] [32] [64] --pi_lr 1e-3 3e-4``
    gives ``_pi0-001_h32``) and the order the variants run in, so old
    command lines keep their folder names.
    """
    by_shortcut = {typed[k][2:]: k for k in words if typed[k][2:] in SUBSTITUTIONS}
    shortcuts = [by_shortcut[name] for name in SUBSTITUTIONS if name in by_shortcut]
    plain = [k for k in words if k not in bracketed and k not in shortcuts]
    renamed = [k for k in words if k in bracketed and k not in shortcuts]
    return {k: words[k] for k in plain + renamed + shortcuts}


def evaluate(word: Any) -> Any:
    """The value of one command-line word: ``eval(word)`` if that works, else
    the word itself. So ``3e-4`` is a float, ``(64,64)`` a tuple, ``True`` a
    bool and ``CartPole-v1`` a string. ``torch``, ``nn``, ``tf``, ``np`` and a
    few more module names are available, imported only when used."""
    return _evaluate(word)[0]


def _evaluate(word: Any) -> tuple[Any, str | None]:
    """(value, why eval failed or None): the value as for :func:`evaluate`."""
    if not isinstance(word, str):
        return word, None
    try:
        tree = ast.parse(word.strip(), mode="eval")
    except SyntaxError as e:
        return word, "%s" % (e.msg,)
    roots = {node.value.id for node in ast.walk(tree)
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
    names = {}
    for root in roots & set(LAZY_MODULES):
        try:
            names[root] = importlib.import_module(LAZY_MODULES[root])
        except ImportError as e:
            return word, "it needs %s, which can't be imported: %s" % (LAZY_MODULES[root], e)
    try:
        code = compile(tree, "<command line>", "eval")
        return eval(code, {"__builtins__": builtins}, names), None
    except Exception as e:
        return word, "%s: %s" % (type(e).__name__, e)


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
        elif key == "env_api":
            if val not in ("gymnasium", "gym"):
                raise UsageError("--env_api must be gymnasium (the default) or gym (for "
                                 "training code written for the old gym API), not %r."
                                 % (val,))
        elif not isinstance(val, str):
            raise UsageError("--%s needs a value." % key)
        run_kwargs[key] = val
    return run_kwargs


def log_output_names() -> list[str]:
    """The logger's outputs besides progress.txt (csv, jsonl, tensorboard, ...)."""
    from spinup.utils._writers import OUTPUTS
    return list(OUTPUTS)


def pop_log_outputs(args: dict[str, list[Any]]) -> str | None:
    """Take ``--log_outputs csv mlflow ...`` and ``--tensorboard`` out of args.

    Returns the value for SPINUP_LOG_OUTPUTS (``'csv,mlflow'``), or None when
    neither flag was given. An unknown output, or one whose package is not
    installed, is a UsageError, checked by the logger's own rules.
    """
    outputs: list[str] = []
    if "log_outputs" in args:
        for word in args.pop("log_outputs"):
            if word is True:
                raise UsageError("--log_outputs needs one or more of: %s."
                                 % ", ".join(log_output_names()))
            outputs += [w for w in re.split(r"[,\s]+", word) if w]
    if "tensorboard" in args:
        vals = args.pop("tensorboard")
        if len(vals) != 1:
            raise UsageError("--tensorboard takes no value (or one: True or False).")
        if _check_bool(evaluate(vals[0]), "tensorboard"):
            outputs.append("tensorboard")
    if not outputs:
        return None
    from spinup.utils._writers import parse_outputs

    names = log_output_names()
    for name in outputs:
        if name not in names:
            raise UsageError("Unknown log output %r%s: choose from %s."
                             % (name, did_you_mean(name, names), ", ".join(names)))
    try:
        return ",".join(parse_outputs(outputs))
    except (ValueError, ImportError) as e:  # a package that is not installed
        raise UsageError(str(e)) from None


def check_logger_kwargs(keys: Sequence[str]) -> None:
    """Refuse ``--logger_kwargs:...`` flags that would lose the run's folder.

    The grid gives each run ``logger_kwargs`` with its own output folder,
    unless the command line sets logger_kwargs itself: then the run's logger
    gets only what was given, and without an output_dir writes to
    /tmp/experiments/<time>. ``--logger_kwargs:tensorboard True`` was a
    workaround that did just that.
    """
    given = [k for k in keys if k == "logger_kwargs" or k.startswith("logger_kwargs:")]
    if given and "logger_kwargs:output_dir" not in given:
        raise UsageError(
            "--%s replaces the logger_kwargs each run gets from the grid, so its output "
            "would go to /tmp/experiments/ instead of the data dir. For more outputs use "
            "--tensorboard or --log_outputs csv jsonl ...; to set logger_kwargs anyway, "
            "give --logger_kwargs:output_dir too." % given[0])


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
    _find_modules_in_cwd()
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


def _find_modules_in_cwd() -> None:
    # `python -m spinup.run` has the working dir on sys.path; the `spinup`
    # console script doesn't, but a user's module next to them should work
    # the same from both.
    cwd = os.getcwd()
    if "" not in sys.path and cwd not in sys.path:
        sys.path.insert(0, cwd)


def _signature_lines(node: ast.FunctionDef | ast.AsyncFunctionDef, source: str) -> list[str]:
    """One line per parameter of a parsed ``def``, with its default as written."""
    def text(expr: ast.expr) -> str:
        # As typed (3e-4 stays 3e-4), falling back to ast's own rendering.
        return ast.get_source_segment(source, expr) or ast.unparse(expr)

    a = node.args
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    lines = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        lines.append(arg.arg + ("" if default is None else "=" + text(default)))
        if a.posonlyargs and i == len(a.posonlyargs) - 1:
            lines.append("/")
    if a.vararg:
        lines.append("*" + a.vararg.arg)
    elif a.kwonlyargs:
        lines.append("*")
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        lines.append(arg.arg + ("" if default is None else "=" + text(default)))
    if a.kwarg:
        lines.append("**" + a.kwarg.arg)
    return lines


def _find_def(module: str, name: str
              ) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, str] | None:
    """The parsed top-level ``def name`` of a module's source file, and that
    source, found without importing the module (only its parent packages)."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    origin = getattr(spec, "origin", None)
    if not origin or not origin.endswith(".py"):
        return None
    try:
        with open(origin, encoding="utf-8") as f:
            source = f.read()
        tree = ast.parse(source, filename=origin)
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return node, source
    return None


def read_function_source(module: str, name: str) -> tuple[list[str], str | None] | None:
    """The parameters (with defaults) and docstring of ``module.name``, read
    from the module's source with ``ast``, so without importing the module
    (and its PyTorch or TensorFlow): ``--help`` stays well under a second.

    Returns:
        ``(parameter lines, docstring)``, or None when the function is not a
        plain ``def`` at the top of a Python source file (then the caller
        imports it and asks ``inspect``).
    """
    found = _find_def(module, name)
    if found is None:
        return None
    node, source = found
    return _signature_lines(node, source), ast.get_docstring(node)


class _SourceDefault:
    """A default that is code rather than a literal (``dict()``,
    ``core.MLPActorCritic``): known by its text only."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def source_signature(module: str, name: str) -> inspect.Signature | None:
    """The signature of ``module.name`` as its source declares it, without
    importing the module: literal defaults (numbers, strings, booleans, None,
    tuples) are their values, other defaults stand in as their text. Lets the
    command line check flags and values before PyTorch or TensorFlow load.
    None when the function can't be read that way.
    """
    found = _find_def(module, name)
    if found is None:
        return None
    node, source = found
    a = node.args

    def default(expr: ast.expr | None) -> Any:
        if expr is None:
            return inspect.Parameter.empty
        try:
            return ast.literal_eval(expr)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return _SourceDefault(ast.get_source_segment(source, expr) or ast.unparse(expr))

    P = inspect.Parameter
    positional = a.posonlyargs + a.args
    defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    params = []
    for i, (arg, d) in enumerate(zip(positional, defaults)):
        kind = P.POSITIONAL_ONLY if i < len(a.posonlyargs) else P.POSITIONAL_OR_KEYWORD
        params.append(P(arg.arg, kind, default=default(d)))
    if a.vararg:
        params.append(P(a.vararg.arg, P.VAR_POSITIONAL))
    for arg, d in zip(a.kwonlyargs, a.kw_defaults):
        params.append(P(arg.arg, P.KEYWORD_ONLY, default=default(d)))
    if a.kwarg:
        params.append(P(a.kwarg.arg, P.VAR_KEYWORD))
    try:
        return inspect.Signature(params)
    except ValueError:
        return None


def _parameters(fn: Callable | inspect.Signature) -> Any:
    """The parameters of a function, or of a signature read from source;
    None when they can't be known."""
    if isinstance(fn, inspect.Signature):
        return fn.parameters
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return None


def function_help(label: str, module: str, name: str) -> str:
    """The text ``spinup.run ALGO --help`` prints: the signature, one argument
    per line with its default, then the docstring (which describes them).

    The source is read with ``ast`` (see :func:`read_function_source`); only
    a function that can't be found that way is imported.
    """
    _find_modules_in_cwd()
    found = read_function_source(module, name)
    if found is None:
        fn = import_function(module + ":" + name)  # a UsageError if it isn't there
        try:
            params = [str(p) for p in inspect.signature(fn).parameters.values()]
        except (TypeError, ValueError):
            params = ["..."]
        found = params, inspect.getdoc(fn)
    params, doc = found
    flags = "\n".join("    %s," % p for p in params)
    return ("\n\nShowing docstring for %s:\n\n%s(\n%s\n)\n\n%s\n"
            % (label, name, flags, doc or "(%s has no docstring)" % label))


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


def check_accepts(fn: Callable | inspect.Signature, label: str, keys: Sequence[str]) -> None:
    """Check that fn (a function, or its :func:`source_signature`) takes every
    top-level key, plus seed and logger_kwargs (which call_experiment always
    passes)."""
    params = _parameters(fn)
    if params is None:
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


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _looks_like_code(word: str) -> bool:
    """Whether a word was meant as Python rather than as a plain string: a
    list, tuple, dict or call, or a dotted name from one of LAZY_MODULES."""
    word = word.strip()
    if word[:1] in "([{" or re.match(r"^[A-Za-z_][\w.]*\(", word):
        return True
    root = re.match(r"^([A-Za-z_]\w*)\.[A-Za-z_]", word)
    return bool(root) and root.group(1) in LAZY_MODULES


def _unresolved_name(word: str) -> str | None:
    """For a dotted name like torch.nn.NotThere: which part is missing, with
    the closest names that do exist."""
    parts = word.strip().split(".")
    try:
        obj = importlib.import_module(LAZY_MODULES[parts[0]])
    except (KeyError, ImportError):
        return None
    for i, part in enumerate(parts[1:], start=1):
        if not hasattr(obj, part):
            public = [n for n in dir(obj) if not n.startswith("_")]
            owner = ".".join([LAZY_MODULES[parts[0]]] + parts[1:i])
            return "%s has no attribute %r%s" % (owner, part, did_you_mean(part, public))
        obj = getattr(obj, part)
    return None


def check_values(fn: Callable | inspect.Signature, words: dict[str, list[Any]],
                 values: dict[str, list[Any]]) -> None:
    """Check the values of the function's arguments before anything launches.

    Catches, as a UsageError naming the flag: a word meant as Python that
    doesn't evaluate (``--hid '[32,,]'``, ``--act torch.nn.NotThere``); a
    value that is not a number for an argument whose default is a number
    (``--epochs abc``); such a flag given with no value (a bare flag means
    True, which only makes sense for the others); and a negative value for
    the arguments of NON_NEGATIVE.

    Args:
        fn: The training function, or its :func:`source_signature` (its
            defaults say which arguments are numbers).
        words: The raw words of each key, from :func:`parse_flags`.
        values: The evaluated values of the keys to check.
    """
    params = _parameters(fn) or {}
    for key, vals in values.items():
        if key in STRING_KEYS:
            continue
        flag = _flag(key, words)
        default = params[key].default if key in params else inspect.Parameter.empty
        numeric = _is_number(default)
        raw = words.get(key, vals)
        if numeric and raw == [True] and raw[0] is True:
            raise UsageError("%s needs a value: a number, such as its default %r."
                             % (flag, default))
        for word, value in zip(raw, vals):
            if isinstance(word, str) and isinstance(value, str) and _looks_like_code(word):
                missing = _unresolved_name(word)
                if missing:
                    raise UsageError("%s: can't find %s: %s." % (flag, word, missing))
                try:
                    ast.parse(word.strip(), mode="eval")
                    hint = ""
                except SyntaxError:
                    # Often the shell split an unquoted value: (64, 64) -> '(64,' '64)'.
                    hint = " Quote values with spaces or brackets, e.g. --hid \"[32, 32]\"."
                raise UsageError("%s: can't evaluate %r as Python (%s).%s"
                                 % (flag, word, _evaluate(word)[1], hint))
            if numeric and not (_is_number(value) or value is None):
                raise UsageError("%s takes a number (its default is %r), not %r."
                                 % (flag, default, word))
            if key.split(":")[-1] in NON_NEGATIVE and _is_number(value) and value < 0:
                raise UsageError("%s can't be negative (got %r); give 0 or more."
                                 % (flag, value))
