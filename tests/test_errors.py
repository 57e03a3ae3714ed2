"""spinup.SpinupError: one base class for every exception spinup defines."""
import json
import subprocess

import pytest

import spinup
from spinup import SpinupError
from spinup.utils.experiment import ExperimentArgumentError
from spinup.utils.logx import EpochLogger, LogDirError, LogFileError, LoggerError, LoggerTypeError
from spinup.utils.mpi_tools import MPILauncherNotFoundError
from spinup.utils.plot import PlotError
from spinup.utils.run_utils import ExperimentGrid, GridError, GridRunError
from spinup.utils.test_policy import EnvironmentNotFoundError, PolicyLoadError

# The public exceptions and the bases they had before SpinupError existed:
# code that caught those must still catch them.
OLD_BASES = [
    (LoggerError, (ValueError, AssertionError)),
    (LoggerTypeError, (LoggerError, TypeError)),
    (LogDirError, (LoggerError, OSError)),
    (LogFileError, (LoggerError,)),
    (GridError, (ValueError, AssertionError)),
    (GridRunError, (subprocess.CalledProcessError,)),
    (PlotError, (ValueError,)),
    (PolicyLoadError, (ValueError,)),
    (EnvironmentNotFoundError, (AssertionError, ValueError)),
    (MPILauncherNotFoundError, (RuntimeError,)),
    (ExperimentArgumentError, (ValueError, TypeError)),  # garage's ValueError, our old TypeError
]

# Private exceptions, by name (their modules may move), and their old bases.
PRIVATE_OLD_BASES = {
    "UsageError": ["ValueError"],
    "ClusterError": ["RuntimeError"],
    "GitError": ["RuntimeError"],
}

# Imports every module of the package and lists each exception class defined
# in it with the names of all its bases.
FIND_EXCEPTIONS = r"""
import importlib, inspect, json, pkgutil
import spinup
found = {}
for info in pkgutil.walk_packages(spinup.__path__, "spinup."):
    module = importlib.import_module(info.name)
    for name, cls in vars(module).items():
        if (inspect.isclass(cls) and issubclass(cls, BaseException)
                and cls.__module__ == info.name):
            found[info.name + "." + name] = [base.__name__ for base in cls.__mro__]
print(json.dumps(found))
"""


@pytest.mark.parametrize("cls, bases", OLD_BASES, ids=[c.__name__ for c, _ in OLD_BASES])
def test_public_errors_are_spinup_errors_and_keep_their_old_bases(cls, bases):
    assert issubclass(cls, SpinupError)
    for base in bases:
        assert issubclass(cls, base)


def test_every_exception_class_in_the_package_is_a_spinup_error(python_runner):
    found = json.loads(python_runner(FIND_EXCEPTIONS, timeout=300).stdout.splitlines()[-1])
    assert len(found) >= len(OLD_BASES) + len(PRIVATE_OLD_BASES)
    outside = sorted(name for name, mro in found.items() if "SpinupError" not in mro)
    assert not outside, "these exceptions do not derive from spinup.SpinupError: %s" % outside
    for name, mro in found.items():
        for base in PRIVATE_OLD_BASES.get(name.rpartition(".")[2], []):
            assert base in mro, (name, base)


def test_spinup_error_is_exported_from_the_package():
    assert spinup.SpinupError is SpinupError
    assert "SpinupError" in spinup.__all__
    assert issubclass(SpinupError, Exception)


def test_one_except_clause_catches_mistakes_from_any_part(tmp_path):
    logger = EpochLogger(output_dir=str(tmp_path / "run"))
    grid = ExperimentGrid(name="demo")
    mistakes = [
        lambda: logger.log_tabular("NeverStored"),
        lambda: grid.add("seed", []),
    ]
    for mistake in mistakes:
        with pytest.raises(SpinupError) as info:
            mistake()
        assert str(info.value)  # always says what went wrong
