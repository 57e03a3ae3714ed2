"""Fixtures for the algorithm tests."""
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture
def algo_env():
    """Environment variables for a subprocess that imports algo_testing."""
    path = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": HERE + (os.pathsep + path if path else "")}
