"""Write files and folders so that they appear whole or not at all.

Every snapshot the logger writes goes through here: the data is written under
a temporary name in the destination folder, then renamed over the final
name. A rename within one folder is atomic on POSIX file systems, so a
process killed at any instant leaves either the previous snapshot or the new
one, never half of a file.
"""
import ctypes
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


def tmp_path_beside(path: str) -> str:
    """A fresh temporary name in the folder of ``path`` (hidden, ending in
    ``.tmp``), for a file that is renamed to ``path`` once written."""
    # A name no other writer uses; the file itself is created by whoever
    # writes it, with the usual permissions (mkstemp would make it 0600).
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, ".%s.%d.%s.tmp" % (name, os.getpid(), uuid.uuid4().hex[:8]))


@contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """Yield a temporary file name beside ``path``; on success rename it to
    ``path``, on error remove it (and leave ``path`` untouched)."""
    tmp = tmp_path_beside(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise


def write_text(path: str, text: str) -> None:
    """Atomically replace ``path`` with ``text`` (UTF-8)."""
    with atomic_path(path) as tmp:
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())


def write_with(path: str, writer: Callable[[str], None]) -> None:
    """Atomically replace ``path`` with what ``writer(tmp_path)`` writes."""
    with atomic_path(path) as tmp:
        writer(tmp)


def exchange(a: str, b: str) -> bool:
    """Swap two paths in one step with Linux's renameat2(RENAME_EXCHANGE);
    False where that is not available (then nothing was done)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def remove_quietly(path: str) -> None:
    """Remove a file if it is there; ignore errors."""
    try:
        os.remove(path)
    except OSError:
        pass
