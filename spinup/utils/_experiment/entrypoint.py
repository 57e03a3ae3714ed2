"""Entry point of ``spinup.utils.experiment.run_experiment``.

Runs one pickled method call in this (fresh) process::

    python -m spinup.utils._experiment.entrypoint --args_data FILE --log_dir DIR \\
        [--exp_name NAME] [--snapshot_mode last] [--snapshot_gap 1] [--seed N] \\
        [--archive_launch_repo False]

FILE is a cloudpickle file written by run_experiment, holding the method
call, its variant and the launcher's metadata. It must belong to you and be
writable by nobody else, since loading a pickle runs code.
"""
import argparse
import inspect
import os
import random
import stat
import sys
from typing import Any


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise argparse.ArgumentTypeError("expected True or False, got %r" % text)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m spinup.utils._experiment.entrypoint",
                                description="Run a method call pickled by run_experiment.")
    p.add_argument("--args_data", required=True, help="the pickled call (a 0600 file)")
    p.add_argument("--log_dir", required=True, help="the experiment's log directory")
    p.add_argument("--exp_name", default=None, help="the experiment's name")
    p.add_argument("--snapshot_mode", default="last")
    p.add_argument("--snapshot_gap", type=int, default=1)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--archive_launch_repo", type=_bool, default=False)
    return p


def _load_payload(path: str) -> dict[str, Any]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise SystemExit("error: the pickled call %s does not exist (it is removed after a "
                         "run; run_experiment(..., dry=True) keeps it)." % path) from None
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise SystemExit("error: refusing to load %s: it must be a regular file that belongs "
                         "to you and that nobody else can write." % path)
    import cloudpickle
    with open(path, "rb") as f:
        return cloudpickle.load(f)


def _seed_everything(seed: int) -> None:
    import numpy as np
    random.seed(seed)
    np.random.seed(seed)
    # Only frameworks the method call already brought in: importing one just
    # to seed it would cost seconds.
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].compat.v1.set_random_seed(seed)


def _positional_capacity(function: Any) -> int:
    """How many positional arguments function accepts (2 means 'enough')."""
    try:
        params = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 2
    count = 0
    for p in params:
        if p.kind == p.VAR_POSITIONAL:
            return 2
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            count += 1
    return count


def main(argv: list[str] | None = None) -> Any:
    """Run the pickled call named on the command line (or in argv)."""
    from spinup.utils._context import active_context
    from spinup.utils._experiment.archive import make_launcher_archive
    from spinup.utils._experiment.metadata import dump_json
    from spinup.utils._experiment.template import ExperimentContext, ExperimentTemplate
    from spinup.utils.mpi_tools import proc_id

    args = _parser().parse_args(argv)
    payload = _load_payload(args.args_data)
    call, variant = payload["method_call"], payload.get("variant") or {}
    log_dir = os.path.abspath(args.log_dir)
    ctxt = ExperimentContext(snapshot_dir=log_dir, snapshot_mode=args.snapshot_mode,
                             snapshot_gap=args.snapshot_gap)
    if proc_id() == 0:
        os.makedirs(log_dir, exist_ok=True)
        dump_json(os.path.join(log_dir, "variant.json"), variant)
        dump_json(os.path.join(log_dir, "metadata.json"), payload.get("metadata") or {})
        if args.archive_launch_repo and payload.get("git_root"):
            make_launcher_archive(git_root_path=payload["git_root"], log_dir=log_dir)
    if args.seed is not None:
        _seed_everything(args.seed)

    with active_context(ctxt):
        if isinstance(call, ExperimentTemplate):
            return call.function(ctxt, **variant)
        wanted = _positional_capacity(call)
        return call(*(ctxt, variant)[:wanted])


if __name__ == "__main__":
    main()
