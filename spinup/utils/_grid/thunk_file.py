"""Hand a Python callable to a fresh process through a private file.

The original Spinning Up put the pickled function on the command line of
``run_entrypoint.py``, base64-encoded. That hits the kernel's limit on the
length of one argument (128 KiB on Linux: "Argument list too long") as soon
as the function closes over some data, and it shows the whole blob to anyone
who runs ``ps``. Here the pickle goes into a temporary file that only the
user can read (mode 0600), and only the file's path goes on the command line.

The file holds two pickles one after the other:

1. the parent's ``sys.path`` (a plain list of strings), so that the child can
   import the modules the callable refers to (the parent's script folder,
   for example) before it unpickles it;
2. the callable itself, pickled with cloudpickle.

This module is imported by ``run_entrypoint``, so it keeps its imports to
the standard library; cloudpickle is imported only when it is needed.
"""
import base64
import os
import pickle
import sys
import tempfile
import zlib
from collections.abc import Callable
from typing import Any

_PREFIX = "spinup-thunk-"


def dumps(thunk: Callable[[], Any], sys_path: list[str] | None = None) -> bytes:
    """Serialise thunk, with the import path it needs, to bytes.

    The bytes can travel anywhere (for instance to a Ray worker) and be
    written to a file there with ``write``; nothing is unpickled on the way.
    """
    import cloudpickle
    path_blob = pickle.dumps(list(sys.path if sys_path is None else sys_path))
    return path_blob + cloudpickle.dumps(thunk)


def write(blob: bytes, folder: str | None = None) -> str:
    """Write bytes made by ``dumps`` to a new file of mode 0600; return its path."""
    # mkstemp creates the file with mode 0600 and O_EXCL, so no other user
    # can read it or swap it for something else.
    fd, path = tempfile.mkstemp(prefix=_PREFIX, suffix=".pkl", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
    except BaseException:
        remove(path)
        raise
    return path


def load(path: str) -> Callable[[], Any]:
    """Read a thunk file: extend ``sys.path``, then unpickle the callable."""
    with open(path, "rb") as f:
        parent_path = pickle.load(f)
        # Appended, not prepended: the child's own entries (its site-packages
        # in particular) keep priority over the parent's.
        for entry in parent_path:
            if entry not in sys.path:
                sys.path.append(entry)
        return pickle.load(f)


def decode_argv(encoded: str) -> Callable[[], Any]:
    """Decode the original Spinning Up argument: base64(zlib(cloudpickle))."""
    return pickle.loads(zlib.decompress(base64.b64decode(encoded)))


def encode_argv(thunk: Callable[[], Any]) -> str:
    """Encode thunk the way the original Spinning Up put it on the command line."""
    import cloudpickle
    return base64.b64encode(zlib.compress(cloudpickle.dumps(thunk))).decode("utf-8")


def make_env(env_name: str) -> Any:
    """Make an environment with gymnasium (or classic gym, when that is what
    knows the name)."""
    try:
        import gymnasium
    except ImportError:
        import gym  # classic gym only
        return gym.make(env_name)
    try:
        return gymnasium.make(env_name)
    except gymnasium.error.Error:
        try:
            import gym
        except ImportError:
            raise
        return gym.make(env_name)


class ExperimentThunk:
    """The callable a child process runs: ``thunk(**kwargs)``, prepared the
    way Spinning Up prepares it.

    An ``env_name`` kwarg becomes ``env_fn = lambda: make(env_name)``, and
    with ``num_cpu > 1`` the process first forks into an MPI job.
    """

    # A plain class, not a dataclass: every child unpickles it, and the
    # dataclasses module alone would add tens of milliseconds to its start.
    def __init__(self, thunk: Callable[..., Any], kwargs: dict[str, Any], num_cpu: int = 1):
        self.thunk = thunk
        self.kwargs = kwargs
        self.num_cpu = num_cpu

    def __call__(self) -> Any:
        kwargs = dict(self.kwargs)
        if "env_name" in kwargs:
            env_name = kwargs["env_name"]
            kwargs["env_fn"] = lambda: make_env(env_name)
            del kwargs["env_name"]
        if self.num_cpu > 1:
            # Imported only when needed: it brings in numpy, which a plain
            # one-process launch does not have to pay for.
            from spinup.utils.mpi_tools import mpi_fork
            mpi_fork(self.num_cpu)
        return self.thunk(**kwargs)


def remove(path: str) -> None:
    """Delete a thunk file; a file that is already gone is fine."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
