"""User configuration for spinup.

Each setting can be changed here or, without editing the package, through an
environment variable:

=====================  ===========================  ===========================
name                   default                      environment variable
=====================  ===========================  ===========================
DEFAULT_DATA_DIR       ``data`` in the working dir  ``SPINUP_DATA_DIR``
FORCE_DATESTAMP        False                        ``SPINUP_FORCE_DATESTAMP``
DEFAULT_SHORTHAND      True                         ``SPINUP_DEFAULT_SHORTHAND``
WAIT_BEFORE_LAUNCH     5 (seconds)                  ``SPINUP_WAIT_BEFORE_LAUNCH``
=====================  ===========================  ===========================

Note: the original Spinning Up put ``data/`` next to the installed package.
In a pip install that folder is inside site-packages, so here the default is
a ``data`` folder in the current working directory instead.
"""
import os


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            "%s=%r is not a number of seconds; set it to e.g. 0 or 5." % (name, raw)
        ) from None
    return int(value) if value.is_integer() else value


# Where experiment outputs go by default.
DEFAULT_DATA_DIR = os.environ.get("SPINUP_DATA_DIR") or os.path.join(os.getcwd(), "data")

# Whether to automatically insert a date and time stamp into the names of
# save directories:
FORCE_DATESTAMP = _env_bool("SPINUP_FORCE_DATESTAMP", False)

# Whether GridSearch provides automatically-generated default shorthands:
DEFAULT_SHORTHAND = _env_bool("SPINUP_DEFAULT_SHORTHAND", True)

# Tells the GridSearch how many seconds to pause for before launching
# experiments.
WAIT_BEFORE_LAUNCH = _env_float("SPINUP_WAIT_BEFORE_LAUNCH", 5)

# Which implementation `python -m spinup.run vpg` (or ppo) uses.
# TRPO exists only in TF1, as in the original.
DEFAULT_BACKEND = {"vpg": "pytorch", "ppo": "pytorch", "ddpg": "pytorch", "td3": "pytorch",
                   "sac": "pytorch", "trpo": "tf1"}
