"""What an experiment records about itself: its arguments and its code.

``dump_json`` and ``LogEncoder`` write ``variant.json`` readably (the rules
are in readable_json.py); ``get_metadata`` finds the launcher script and the
git commit it ran from (through archive.py's git helpers).
"""
import json
import os
import sys
from typing import Any

from spinup.utils import _atomic
from spinup.utils._experiment import archive
from spinup.utils._experiment.readable_json import to_readable


class LogEncoder(json.JSONEncoder):
    """Encoder to be used as cls in json.dump.

    Writes what the standard encoder cannot, in a readable form: numpy
    scalars as numbers and arrays as lists; classes as
    ``{"$class": "module.QualName"}``; functions and methods as
    ``{"$function": "module.qualname"}``; enum members as
    ``{"$enum": "module.Class.NAME"}``; sets as sorted lists; paths, bytes and
    dates as text; dataclasses and plain objects as
    ``{"$type": "module.Class", <attributes>}``; anything else as its repr.
    Dict keys JSON cannot hold become their repr, and a structure that
    contains itself is cut instead of raising.

    .. code-block:: python

        json.dumps({'lr': np.float32(0.5), 'act': torch.nn.Tanh}, cls=LogEncoder)
        # '{"lr": 0.5, "act": {"$class": "torch.nn.modules.activation.Tanh"}}'
    """

    def default(self, o: Any) -> Any:
        """Perform JSON encoding.

        Args:
            o (object): Object to encode.

        Returns:
            JSON-native data (dict, list, str, number or None) describing o.
        """
        return to_readable(o)

    def iterencode(self, o: Any, _one_shot: bool = False):
        """Encode o, converting it first, so that dict keys of any type work.

        Args:
            o (object): Object to encode.

        Returns:
            An iterator over the pieces of the JSON text.
        """
        return super().iterencode(to_readable(o), _one_shot)


def dump_json(filename: str, data: Any) -> None:
    """Dump a dictionary to a file in JSON format.

    The folder is created if needed, and the file is replaced in one step
    (written under a temporary name, then renamed).

    Args:
        filename (str): Filename for the file.
        data (dict): Data to save to file.
    """
    folder = os.path.dirname(os.path.abspath(filename))
    os.makedirs(folder, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=False, cls=LogEncoder)
    _atomic.write_text(filename, text + "\n")


def _launcher_path() -> str | None:
    main = sys.modules.get("__main__")
    # `python -` and `python -c` have no file ('<stdin>' is not one).
    for path in (getattr(main, "__file__", None), sys.argv[0] if sys.argv else None):
        if path and os.path.isfile(path):
            return os.path.realpath(path)
    return None


def get_metadata() -> tuple[str | None, dict[str, str]]:
    """Get metadata about the main script.

    The goal of this function is to capture the additional information
    needed to re-run an experiment, assuming that the launcher script that
    started the experiment is located in a clean git repository.

    The launcher is the ``__main__`` module's file (``sys.argv[0]`` for
    ``python my_launcher.py``). When it is not inside a git repository (or
    git ignores it, or git is not installed, or there is no launcher file,
    as in an interactive session), the dict has no githash and a ``note``
    says why.

    Returns:
        tuple[str or None, dict[str, str]]: The absolute path to the root
        directory of the launcher's git repo (None outside git), and a dict
        with:

        * githash (str): Hash of the git revision of the repo the experiment
          was started from. "-dirty" is appended if the repo has uncommitted
          changes (modified, staged or untracked files). Absent outside git
          and in a repository with no commits yet.
        * launcher (str): Relative path to the main script from the base of
          the repo the experiment was started from. If the main script was
          not started from a git repo, this is instead an absolute path to
          the main script.
        * note (str): Only when something is missing: why.
    """
    launcher = _launcher_path()
    if launcher is None:
        return None, {"note": "no launcher script (interactive session or `python -c`); "
                              "no git information recorded"}
    root, why_not = archive.repo_root(os.path.dirname(launcher))
    if root is not None and archive.is_ignored(root, launcher):
        # e.g. a tool's script inside an ignored virtualenv in a repository:
        # that repository does not hold the launcher's code.
        root, why_not = None, "git ignores it in the repository %s" % root
    if root is None:
        if "not a git repository" in why_not:
            why_not = "it is not in a git repository"
        return None, {"launcher": launcher,
                      "note": "no githash and no archive recorded: %s" % why_not}
    metadata = {}
    githash = archive.head_hash(root)
    try:
        dirty = archive.is_dirty(root)
    except archive.GitError:
        dirty = False
    if githash is not None:
        metadata["githash"] = githash + ("-dirty" if dirty else "")
    metadata["launcher"] = os.path.relpath(launcher, root)
    if githash is None:
        metadata["note"] = "the launcher's git repository has no commits yet"
    return root, metadata

