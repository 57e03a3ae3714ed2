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
in a fresh Python process, the way ``ExperimentGrid`` runs each variant.
"""
from spinup.utils._experiment.archive import make_launcher_archive
from spinup.utils._experiment.launcher import run_experiment, to_local_command
from spinup.utils._experiment.metadata import LogEncoder, dump_json, get_metadata
from spinup.utils._experiment.template import (
    ExperimentArgumentError,
    ExperimentContext,
    ExperimentTemplate,
    wrap_experiment,
)

__all__ = ["ExperimentArgumentError", "ExperimentContext", "ExperimentTemplate",
           "wrap_experiment", "LogEncoder", "dump_json", "get_metadata",
           "make_launcher_archive", "run_experiment", "to_local_command"]

# The objects live in the private package; they present themselves (in
# reprs, pickles and the API docs) under this, their public module.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
