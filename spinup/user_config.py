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

from spinup._env import env_bool, env_float

# DEFAULT_DATA_DIR is provided by __getattr__ below, which ruff cannot see.
__all__ = ["DEFAULT_DATA_DIR", "FORCE_DATESTAMP", "DEFAULT_SHORTHAND",  # noqa: F822
           "WAIT_BEFORE_LAUNCH", "DEFAULT_BACKEND"]

# Where experiment outputs go by default: DEFAULT_DATA_DIR is worked out each
# time it is read (see __getattr__ below), so a launcher that changes its
# working directory after importing spinup writes where garage would. Assign
# a path here (DEFAULT_DATA_DIR = "/data/me") to fix it instead.


def __getattr__(name: str) -> str:
    """Compute ``DEFAULT_DATA_DIR`` when it is read.

    It is ``$SPINUP_DATA_DIR`` when that is set, otherwise the ``data`` folder
    of the current working directory *now*, not at import time.
    """
    if name == "DEFAULT_DATA_DIR":
        return os.environ.get("SPINUP_DATA_DIR") or os.path.join(os.getcwd(), "data")
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


# Whether to automatically insert a date and time stamp into the names of
# save directories:
FORCE_DATESTAMP = env_bool("SPINUP_FORCE_DATESTAMP", False)

# Whether GridSearch provides automatically-generated default shorthands:
DEFAULT_SHORTHAND = env_bool("SPINUP_DEFAULT_SHORTHAND", True)

# Tells the GridSearch how many seconds to pause for before launching
# experiments.
WAIT_BEFORE_LAUNCH = env_float("SPINUP_WAIT_BEFORE_LAUNCH", 5)

# Which implementation `python -m spinup.run vpg` (ppo, ddpg, ...) uses.
# TRPO exists only in TF1, as in the original.
DEFAULT_BACKEND = {"vpg": "pytorch", "ppo": "pytorch", "ddpg": "pytorch", "td3": "pytorch",
                   "sac": "pytorch", "trpo": "tf1"}
