"""The machinery behind ``spinup.utils.experiment`` (garage's experiment tools).

template.py     wrap_experiment, ExperimentTemplate and ExperimentContext
metadata.py     variant.json and metadata.json (dump_json, LogEncoder, get_metadata)
readable_json   the rules that turn any object into readable JSON
archive.py      git helpers and the launch archive (make_launcher_archive)
launcher.py     run_experiment and to_local_command
call.py         ExperimentCall, what run_experiment's child process runs
"""
