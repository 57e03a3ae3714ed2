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

This module is imported by every experiment's fresh process, so it keeps its
imports to the light part of the standard library: cloudpickle, tempfile
(for writing) and base64 (for the original form) are imported only when
they are needed.
"""
import os
import pickle
import stat
import sys
from collections.abc import Callable
from typing import Any

from spinup._errors import SpinupError

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
    import tempfile
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


class ThunkFileError(OSError, SpinupError):
    """A thunk file that must not be loaded: missing, a link, not a regular
    file, or one that another user owns or can write."""


def load(path: str) -> Callable[[], Any]:
    """Read a thunk file: extend ``sys.path``, then unpickle the callable.

    Unpickling runs code, so the file must be a regular file (not a link)
    that belongs to this user and that nobody else can write; anything else
    is a ``ThunkFileError``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as e:
        raise ThunkFileError("Cannot open the thunk file %s (%s). It is removed once its run "
                             "ends, and a link is never followed." % (path, e.strerror)) from None
    with os.fdopen(fd, "rb") as f:
        # Checked on the open file, so it cannot be swapped after the check.
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
            raise ThunkFileError("Refusing to load %s: a thunk file runs as code, so it must be "
                                 "a regular file that belongs to you and that nobody else can "
                                 "write (mode 0600, as call_experiment writes it)." % path)
        parent_path = pickle.load(f)
        # Appended, not prepended: the child's own entries (its site-packages
        # in particular) keep priority over the parent's.
        for entry in parent_path:
            if entry not in sys.path:
                sys.path.append(entry)
        return pickle.load(f)


def decode_argv(encoded: str) -> Callable[[], Any]:
    """Decode the original Spinning Up argument: base64(zlib(cloudpickle))."""
    import base64
    import zlib
    return pickle.loads(zlib.decompress(base64.b64decode(encoded)))


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
