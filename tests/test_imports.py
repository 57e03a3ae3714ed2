"""Importing spinup: light modules pull in no framework; public modules list their names."""
import importlib
import os
import pkgutil

import pytest

import spinup

LIGHT_MODULES = ["spinup", "spinup.utils.logx", "spinup.utils.run_utils", "spinup.utils.plot",
                 "spinup.utils.serialization_utils", "spinup.utils.mpi_tools", "spinup.run",
                 "spinup.user_config"]


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_light_module_imports_no_framework(python_runner, module):
    code = r"""
import importlib, sys
importlib.import_module(sys.argv[1])
heavy = sorted(m for m in ("tensorflow", "torch", "ray", "mpi4py") if m in sys.modules)
print(",".join(heavy))
"""
    proc = python_runner(code, module)
    assert proc.stdout.strip() == ""


def test_algorithms_load_lazily_from_the_package(python_runner):
    code = r"""
import sys
import spinup
assert "torch" not in sys.modules
assert spinup.EpochLogger.__name__ == "EpochLogger"
print(sorted(n for n in dir(spinup) if not n.startswith("_")))
"""
    names = python_runner(code).stdout
    for name in ("vpg", "ppo", "vpg_pytorch", "ppo_pytorch", "vpg_tf1", "ppo_tf1", "Logger"):
        assert "'%s'" % name in names


# spinup, its command line and settings, and every spinup.utils module whose
# name does not start with an underscore (found, so a new one is not missed).
PUBLIC_MODULES = ["spinup", "spinup.run", "spinup.user_config"] + sorted(
    "spinup.utils." + info.name
    for info in pkgutil.iter_modules([os.path.join(os.path.dirname(spinup.__file__), "utils")])
    if not info.name.startswith("_"))


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_public_module_lists_its_names_in_all(module):
    mod = importlib.import_module(module)
    assert mod.__all__, module
    missing = [name for name in mod.__all__ if not hasattr(mod, name)]
    assert not missing, "%s.__all__ names what it does not define: %s" % (module, missing)
    assert len(set(mod.__all__)) == len(mod.__all__)
