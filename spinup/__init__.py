"""spinup: Spinning Up's experiment utilities on the current Python stack.

Everything here is loaded lazily, so ``import spinup`` stays fast and does not
import TensorFlow or PyTorch. ``spinup.ppo`` (for example) imports the
algorithm, and its framework, the first time you touch it.

Every exception class that spinup defines derives from ``spinup.SpinupError``.
"""
import importlib

from spinup._errors import SpinupError
from spinup.version import __version__

# public name -> (module, attribute)
_LAZY = {
    "Logger": ("spinup.utils.logx", "Logger"),
    "EpochLogger": ("spinup.utils.logx", "EpochLogger"),
    "vpg_pytorch": ("spinup.algos.pytorch.vpg.vpg", "vpg"),
    "ppo_pytorch": ("spinup.algos.pytorch.ppo.ppo", "ppo"),
    "ddpg_pytorch": ("spinup.algos.pytorch.ddpg.ddpg", "ddpg"),
    "td3_pytorch": ("spinup.algos.pytorch.td3.td3", "td3"),
    "sac_pytorch": ("spinup.algos.pytorch.sac.sac", "sac"),
    "vpg_tf1": ("spinup.algos.tf1.vpg.vpg", "vpg"),
    "ppo_tf1": ("spinup.algos.tf1.ppo.ppo", "ppo"),
    "ddpg_tf1": ("spinup.algos.tf1.ddpg.ddpg", "ddpg"),
    "td3_tf1": ("spinup.algos.tf1.td3.td3", "td3"),
    "sac_tf1": ("spinup.algos.tf1.sac.sac", "sac"),
    "trpo_tf1": ("spinup.algos.tf1.trpo.trpo", "trpo"),
    "trpo": ("spinup.algos.tf1.trpo.trpo", "trpo"),  # TF1 only, as in the original
    # The unsuffixed names follow user_config.DEFAULT_BACKEND (PyTorch).
    "vpg": ("spinup.algos.pytorch.vpg.vpg", "vpg"),
    "ppo": ("spinup.algos.pytorch.ppo.ppo", "ppo"),
    "ddpg": ("spinup.algos.pytorch.ddpg.ddpg", "ddpg"),
    "td3": ("spinup.algos.pytorch.td3.td3", "td3"),
    "sac": ("spinup.algos.pytorch.sac.sac", "sac"),
}

__all__ = ["__version__", "SpinupError"] + sorted(_LAZY)


def __getattr__(name):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError("module 'spinup' has no attribute %r" % name) from None
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
