"""The rules of snapshots, in one place.

A *snapshot* is what one ``Logger.save_state`` call leaves in the output
folder: ``vars.pkl`` (the state dict) and, when a saver is set up, the model
(``pyt_save/model.pt`` or the ``tf1_save`` folder). A numbered snapshot
carries its number in every name: ``vars7.pkl``, ``pyt_save/model7.pt``,
``tf1_save7``.

This module says which snapshots a save writes (the snapshot modes), how the
files of one snapshot are put in place so that they always belong together,
which snapshot is the latest, and how a folder left by a killed run is tidied
up. The logger, the experiment launcher and ``test_policy`` all use it.

How one snapshot stays consistent: every file is first written under a
temporary name. Then the models are renamed into place, and ``vars.pkl``
last; before a model replaces an older one, the older one is kept under a
*rollback name* that records which ``vars.pkl`` (by inode) it belongs with.
If the run is killed before ``vars.pkl`` is renamed, the rollback copy is put
back when the folder is next opened, so the folder holds the previous
snapshot, whole. Once ``vars.pkl`` is in place the rollback copies are
removed.
"""
import os
import os.path as osp
import re
import shutil

from spinup.utils import _atomic

# In the order garage lists them.
SNAPSHOT_MODES = ("all", "last", "gap", "gap_and_last", "gap_overwrite", "none")

_VARS_RE = re.compile(r"^vars(\d*)\.pkl$")
_MODEL_RE = re.compile(r"^model(\d*)\.pt$")
_TF_RE = re.compile(r"^tf1_save(\d*)$")
# .model7.pt.rollback.vars7.pkl.123456 : the older model7.pt, which belongs
# with the vars7.pkl of inode 123456 (0: there was no vars7.pkl).
_ROLLBACK_RE = re.compile(r"^\.(.+)\.rollback\.(vars\d*\.pkl)\.(\d+)$")
# Temporary names of _atomic and of the staging folders below.
_LEFTOVER_RE = re.compile(r"^\.(vars\d*\.pkl|model\d*\.pt|tf1_save\d*|config\.json)\..*\.tmp$")


def check(mode: str | None, gap: object, error: type[Exception] = ValueError) -> None:
    """Raise ``error`` unless ``mode`` and ``gap`` are valid snapshot settings.

    ``mode`` may be None (the original behaviour: ``save_state``'s ``itr``
    decides) or one of :data:`SNAPSHOT_MODES`; ``gap`` must be a positive int.
    """
    if mode is not None and mode not in SNAPSHOT_MODES:
        raise error("Unknown snapshot_mode %r; use one of %s (or None for the original "
                    "behaviour)." % (mode, ", ".join(repr(m) for m in SNAPSHOT_MODES)))
    if isinstance(gap, bool) or not isinstance(gap, int) or gap < 1:
        raise error("snapshot_gap must be a positive int (the number of iterations between "
                    "snapshots), not %r." % (gap,))


def targets(mode: str | None, gap: int, itr: int | None) -> list[int | None]:
    """Which snapshots one save writes: None is the unnumbered one, an int a
    numbered one.

    Without a mode, ``itr`` decides, as in the original: None overwrites the
    unnumbered snapshot, a number writes a numbered one.
    """
    if mode is None:
        return [itr]
    if mode == "none":
        return []
    if mode == "last" or itr is None:
        return [None]
    due = itr % gap == 0
    if mode == "all":
        return [itr]
    if mode == "gap":
        return [itr] if due else []
    if mode == "gap_and_last":
        return [None, itr] if due else [None]
    return [None] if due else []  # gap_overwrite


def suffix(target: int | None) -> str:
    """The part of the file names that numbers a snapshot: '' or '7'."""
    return "" if target is None else "%d" % target


def vars_name(target: int | None) -> str:
    """``vars.pkl`` or ``vars<N>.pkl``."""
    return "vars%s.pkl" % suffix(target)


def model_name(target: int | None) -> str:
    """``model.pt`` or ``model<N>.pt`` (inside ``pyt_save``)."""
    return "model%s.pt" % suffix(target)


def tf_name(target: int | None) -> str:
    """``tf1_save`` or ``tf1_save<N>``."""
    return "tf1_save%s" % suffix(target)


def latest(folder: str, kind: str = "vars") -> str | None:
    """The suffix ('' or a number as a string) of the newest snapshot of one
    kind in ``folder``, or None when there is none.

    ``kind`` is ``'vars'`` (``vars*.pkl``), ``'model'`` (``model*.pt``, in a
    ``pyt_save`` folder) or ``'tf1'`` (``tf1_save*``). The newest is the
    highest numbered one, or the unnumbered one if it was written later (a
    'gap_and_last' run keeps both).
    """
    pattern, name = {"vars": (_VARS_RE, vars_name), "model": (_MODEL_RE, model_name),
                     "tf1": (_TF_RE, tf_name)}[kind]
    try:
        entries = os.listdir(folder)
    except FileNotFoundError:
        return None
    found = [m.group(1) for m in map(pattern.match, entries) if m]
    candidates = []
    numbered = [int(s) for s in found if s]
    if numbered:
        candidates.append("%d" % max(numbered))
    if "" in found:
        candidates.append("")
    if not candidates:
        return None

    def written(s: str) -> float:
        return osp.getmtime(osp.join(folder, name(None if s == "" else int(s))))
    return max(candidates, key=written)


def _inode(path: str) -> int:
    try:
        return os.lstat(path).st_ino
    except FileNotFoundError:
        return 0


def commit(output_dir: str, target: int | None, vars_tmp: str | None,
           models: list[tuple[str, str]]) -> None:
    """Put one snapshot's files in place, models first and ``vars`` last.

    Args:
        output_dir: The run's output folder (where ``vars*.pkl`` go).
        target: Which snapshot (see :func:`targets`).
        vars_tmp: The written state file, or None when the state could not
            be pickled (then the models alone are replaced).
        models: ``(temporary path, final path)`` of each model file or
            folder, on the same file system as its final path.
    """
    vars_path = osp.join(output_dir, vars_name(target))
    ino = _inode(vars_path) if vars_tmp is not None else None
    rollbacks = []
    for tmp, final in models:
        folder, name = osp.split(final)
        if ino is not None and osp.lexists(final):
            keep = osp.join(folder, ".%s.rollback.%s.%d" % (name, vars_name(target), ino))
            if osp.isdir(final) and not osp.islink(final):
                os.rename(final, keep)  # a folder cannot be linked; recover() fills the gap
            else:
                try:
                    os.link(final, keep)
                except OSError:  # a file system without hard links
                    shutil.copy2(final, keep)
            rollbacks.append(keep)
        if osp.isdir(final) and not osp.islink(final):
            if _atomic.exchange(tmp, final):  # tmp now holds the old folder
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                old = tmp + ".old"
                os.rename(final, old)
                os.rename(tmp, final)
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, final)
    if vars_tmp is not None:
        os.replace(vars_tmp, vars_path)
    for keep in rollbacks:
        _remove(keep)


def recover(output_dir: str) -> None:
    """Tidy a run's output folder after a run that was killed while saving.

    Models that replaced an older one whose ``vars.pkl`` never followed are
    rolled back, so every snapshot's files belong together again; temporary
    files and staging folders are removed. Call it only while no other
    process writes to the folder (the logger holds its lock).
    """
    for folder in (output_dir, osp.join(output_dir, "pyt_save")):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        for entry in entries:
            path = osp.join(folder, entry)
            m = _ROLLBACK_RE.match(entry)
            if m:
                final = osp.join(folder, m.group(1))
                vars_path = osp.join(output_dir, m.group(2))
                if _inode(vars_path) == int(m.group(3)):
                    # vars was not replaced: the new model has no vars of its own.
                    if osp.isdir(final) and not osp.islink(final):
                        shutil.rmtree(final)
                    if osp.isdir(path):
                        os.rename(path, final)
                    else:
                        os.replace(path, final)
                else:
                    _remove(path)
            elif _LEFTOVER_RE.match(entry):
                _remove(path)


def _remove(path: str) -> None:
    try:
        if osp.isdir(path) and not osp.islink(path):
            shutil.rmtree(path)
        else:
            os.remove(path)
    except OSError:
        pass


__all__ = ["SNAPSHOT_MODES", "check", "targets", "suffix", "vars_name", "model_name",
           "tf_name", "latest", "commit", "recover"]
