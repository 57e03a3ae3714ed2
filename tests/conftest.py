"""Shared test set-up.

Set-up that must happen before spinup is imported (the countdown before a
grid launches, a display-free matplotlib) is done at import time here.
"""
import os
import subprocess
import sys
import textwrap

import pytest

os.environ.setdefault("SPINUP_WAIT_BEFORE_LAUNCH", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BIN_DIR = os.path.dirname(sys.executable)
MPIEXEC = os.path.join(BIN_DIR, "mpiexec")


def run_python(code, *args, n=1, timeout=120, cwd=None, env=None, check=True):
    """Run a snippet of Python in a fresh interpreter, under ``mpiexec -n n``
    when n > 1. Returns the CompletedProcess (text stdout/stderr)."""
    cmd = [sys.executable, "-c", textwrap.dedent(code), *map(str, args)]
    if n > 1:
        cmd = [MPIEXEC, "-n", str(n)] + cmd
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError("command failed (%d)\nstdout:\n%s\nstderr:\n%s"
                             % (proc.returncode, proc.stdout, proc.stderr))
    return proc


@pytest.fixture
def python_runner():
    """``python_runner(code, *argv, n=1, timeout=120, cwd=None, env=None,
    check=True)`` runs code in a fresh interpreter (MPI when n > 1)."""
    return run_python
