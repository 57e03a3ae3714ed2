"""Ask git about the repository a launcher script lives in, and archive it.

Used by metadata.py to record which code an experiment ran
(``get_metadata``), and here to keep a copy of it (``make_launcher_archive``).
Everything goes through the ``git`` command; when git is missing, or the
folder is not in a repository, the functions say so instead of failing.
"""
import os
import subprocess
import tarfile
import warnings
from collections.abc import Sequence

from spinup._errors import SpinupError
from spinup.utils import _atomic

ARCHIVE_NAME = "launch_archive.tar.xz"

# Files at least this big are left out of the archive (with a warning): they
# are usually data or checkpoints, and would make every launch slow.
MAX_ARCHIVED_FILE_BYTES = 8 * 1024 * 1024


class GitError(RuntimeError, SpinupError):
    """A git command failed; the message carries git's own explanation."""


def run_git(args: Sequence[str], cwd: str) -> bytes:
    """Run ``git args`` in cwd and return its standard output."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True)
    except FileNotFoundError:
        raise GitError("the git command is not installed") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise GitError(message or "git %s failed with status %d" % (" ".join(args),
                                                                    proc.returncode))
    return proc.stdout


def repo_root(folder: str) -> tuple[str | None, str | None]:
    """Return (root of the work tree containing folder, None), or
    (None, why not) when folder is not inside a git work tree."""
    try:
        out = run_git(["rev-parse", "--show-toplevel"], cwd=folder)
    except GitError as e:
        return None, str(e)
    root = out.decode("utf-8", "surrogateescape").strip()
    if not root:  # e.g. inside a bare repository or the .git folder
        return None, "not inside a git work tree"
    return os.path.realpath(root), None


def is_ignored(root: str, path: str) -> bool:
    """Whether git ignores path (an untracked file matching .gitignore)."""
    try:
        proc = subprocess.run(["git", "check-ignore", "-q", path], cwd=root, capture_output=True)
    except FileNotFoundError:
        return False
    return proc.returncode == 0


def head_hash(root: str) -> str | None:
    """The commit HEAD points at, or None in a repository with no commits."""
    try:
        return run_git(["rev-parse", "--verify", "-q", "HEAD"], cwd=root).decode().strip() or None
    except GitError:
        return None


def is_dirty(root: str) -> bool:
    """Whether the work tree differs from HEAD: modified, staged, deleted or
    untracked (not ignored) files all count, since any of them can change
    what a launcher does."""
    return bool(run_git(["status", "--porcelain", "--untracked-files=normal"], cwd=root).strip())


def _ls_files(root: str, *options: str) -> list[str]:
    out = run_git(["ls-files", "-z", *options], cwd=root)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def _is_under(path: str, folder: str | None) -> bool:
    if not folder:
        return False
    folder = os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def archive_repo(root: str, log_dir: str, skip_untracked_under: Sequence[str] = ()) -> str:
    """Write ``log_dir/launch_archive.tar.xz`` with the repository's files.

    The archive holds the tracked files and the untracked files git does not
    ignore (``git ls-files --cached --others --exclude-standard``), with
    paths relative to the repository root. Untracked files inside log_dir or
    inside any folder of ``skip_untracked_under`` (earlier experiment
    outputs) are left out, and so is any file of 8 MiB or more.

    Returns:
        The path of the archive.
    """
    root = os.path.realpath(root)
    tracked = _ls_files(root, "--cached")
    untracked = _ls_files(root, "--others", "--exclude-standard")
    skip_dirs = [log_dir, *skip_untracked_under]

    members, too_big = [], []
    seen = set()
    for rel, is_tracked in [(p, True) for p in tracked] + [(p, False) for p in untracked]:
        if rel in seen:
            continue
        seen.add(rel)
        full = os.path.join(root, rel)
        if not is_tracked and any(_is_under(os.path.realpath(full), d) for d in skip_dirs):
            continue
        try:
            st = os.lstat(full)
        except FileNotFoundError:  # tracked but deleted in the work tree
            continue
        if st.st_size >= MAX_ARCHIVED_FILE_BYTES and not os.path.islink(full):
            too_big.append(rel)
            continue
        members.append(rel)
    if too_big:
        warnings.warn("Left out of %s (8 MiB or bigger): %s. Set archive_launch_repo=False "
                      "in wrap_experiment to skip archiving." % (ARCHIVE_NAME, ", ".join(too_big)),
                      stacklevel=3)

    path = os.path.join(log_dir, ARCHIVE_NAME)

    def write(tmp):
        with tarfile.open(tmp, "w:xz") as tar:
            for rel in members:
                # Not recursive: a submodule appears as its folder entry only,
                # its files belong to another repository.
                tar.add(os.path.join(root, rel), arcname=rel, recursive=False)

    _atomic.write_with(path, write)
    return path


def make_launcher_archive(*, git_root_path: str, log_dir: str) -> None:
    """Saves an archive of the launcher's git repo to the log directory.

    Writes ``log_dir/launch_archive.tar.xz`` holding every tracked file and
    every untracked file git does not ignore (as ``git ls-files --cached
    --others --exclude-standard`` lists them), with paths relative to the
    repository root. Untracked files inside the log directory or inside the
    data directory (``DEFAULT_DATA_DIR``: earlier results) are left out, and
    so are files of 8 MiB or more (with a warning).

    Args:
        git_root_path (str): Absolute path to git repo to archive.
        log_dir (str): Absolute path to the log directory.
    """
    os.makedirs(log_dir, exist_ok=True)
    from spinup import user_config
    data_dir = os.path.abspath(user_config.DEFAULT_DATA_DIR)
    archive_repo(git_root_path, log_dir, skip_untracked_under=[data_dir])

