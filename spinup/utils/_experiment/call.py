"""The callable that ``run_experiment`` runs in a fresh process.

``run_experiment`` pickles an ``ExperimentCall`` into a thunk file, and the
grid's entry point (``run_entrypoint.py``) loads and calls it, exactly as it
runs a grid's variant. Every child imports this module before anything else
happens, so it keeps to the standard library at the top.
"""
import inspect
import os
import random
import sys
from collections.abc import Callable
from typing import Any


class ExperimentCall:
    """One task of ``run_experiment``, ready to run in the child.

    Calling it creates the log directory, writes ``variant.json`` and
    ``metadata.json`` (and the launch archive if asked), seeds the random
    generators, makes the
    ``ExperimentContext`` active and calls the method call: a wrapped
    experiment as ``function(ctxt, **variant)``; anything else as
    ``method_call(ctxt, variant)``, or with fewer arguments if it takes
    fewer (garage's ``def run_task(snapshot_config, *_)`` works as is).

    Args:
        method_call (callable): The function to run.
        variant (dict): Its parameters, saved as ``variant.json``.
        log_dir (str): The log directory (used as is).
        snapshot_mode (str): The context's snapshot mode.
        snapshot_gap (int): The context's snapshot gap.
        seed (int or None): Seed for Python's, numpy's and (when already
            imported) torch's and TensorFlow's generators.
        archive_launch_repo (bool): Whether to archive the launcher's repo.
        git_root (str or None): The launcher's repository.
        metadata (dict): The launcher's metadata, saved as ``metadata.json``.
    """

    def __init__(self, method_call: Callable[..., Any], *, variant: dict[str, Any],
                 log_dir: str, snapshot_mode: str, snapshot_gap: int, seed: int | None,
                 archive_launch_repo: bool, git_root: str | None, metadata: dict[str, Any]):
        self.method_call = method_call
        self.variant = variant
        self.log_dir = log_dir
        self.snapshot_mode = snapshot_mode
        self.snapshot_gap = snapshot_gap
        self.seed = seed
        self.archive_launch_repo = archive_launch_repo
        self.git_root = git_root
        self.metadata = metadata

    def __call__(self) -> Any:
        from spinup.utils._context import active_context
        from spinup.utils._experiment.archive import make_launcher_archive
        from spinup.utils._experiment.metadata import dump_json
        from spinup.utils._experiment.template import ExperimentContext, ExperimentTemplate
        from spinup.utils.mpi_tools import proc_id

        ctxt = ExperimentContext(snapshot_dir=self.log_dir, snapshot_mode=self.snapshot_mode,
                                 snapshot_gap=self.snapshot_gap)
        if proc_id() == 0:
            os.makedirs(self.log_dir, exist_ok=True)
            dump_json(os.path.join(self.log_dir, "variant.json"), self.variant)
            dump_json(os.path.join(self.log_dir, "metadata.json"), self.metadata)
            if self.archive_launch_repo and self.git_root:
                make_launcher_archive(git_root_path=self.git_root, log_dir=self.log_dir)
        if self.seed is not None:
            _seed_everything(self.seed)
        call = self.method_call
        with active_context(ctxt):
            if isinstance(call, ExperimentTemplate):
                return call.function(ctxt, **self.variant)
            return call(*(ctxt, self.variant)[:_positional_capacity(call)])


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
