"""spinup.SpinupError: one base class for every error spinup raises on purpose."""
import subprocess

import pytest

import spinup
from spinup import SpinupError
from spinup._cli_grid import UsageError
from spinup.utils._experiment.archive import GitError
from spinup.utils._grid.schedule import ClusterError
from spinup.utils.experiment import ExperimentArgumentError
from spinup.utils.logx import EpochLogger, LogDirError, LogFileError, LoggerError, LoggerTypeError
from spinup.utils.mpi_tools import MPILauncherNotFoundError
from spinup.utils.plot import PlotError
from spinup.utils.run_utils import ExperimentGrid, GridError, GridRunError
from spinup.utils.test_policy import EnvironmentNotFoundError, PolicyLoadError

# Each exception and the built-in bases it had before SpinupError existed:
# code that caught those must still catch it.
OLD_BASES = [
    (LoggerError, (ValueError, AssertionError)),
    (LoggerTypeError, (LoggerError, TypeError)),
    (LogDirError, (LoggerError, OSError)),
    (LogFileError, (LoggerError,)),
    (GridError, (ValueError, AssertionError)),
    (GridRunError, (subprocess.CalledProcessError,)),
    (ClusterError, (RuntimeError,)),
    (UsageError, (ValueError,)),
    (PlotError, (ValueError,)),
    (PolicyLoadError, (ValueError,)),
    (EnvironmentNotFoundError, (AssertionError, ValueError)),
    (MPILauncherNotFoundError, (RuntimeError,)),
    (GitError, (RuntimeError,)),
    (ExperimentArgumentError, (ValueError, TypeError)),  # garage's ValueError, our old TypeError
]


@pytest.mark.parametrize("cls, bases", OLD_BASES, ids=[c.__name__ for c, _ in OLD_BASES])
def test_every_error_is_a_spinup_error_and_keeps_its_old_bases(cls, bases):
    assert issubclass(cls, SpinupError)
    for base in bases:
        assert issubclass(cls, base)


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
