"""Turn any Python object into plain JSON data a person can read.

``LogEncoder`` (in ``spinup.utils.experiment``) uses this to save the
arguments of an experiment. The rules, checked in this order:

- enum members become ``{"$enum": "module.Class.NAME"}``;
- None, str, bool, int and float stay as they are;
- numpy scalars become Python numbers (bools stay bools), numpy arrays
  become (nested) lists;
- dicts keep their structure; a key that JSON cannot hold becomes its
  ``repr``;
- lists, tuples, sets and other sequences-of-values become lists (sets are
  sorted so the file does not change from run to run);
- classes become ``{"$class": "module.QualName"}``, functions and methods
  ``{"$function": "module.qualname"}``, ``functools.partial`` objects
  ``{"$partial": ..., "args": [...], "keywords": {...}}``;
- paths become strings, bytes become text (or their repr), dates and times
  ISO-8601 text;
- dataclasses and plain objects with attributes become
  ``{"$type": "module.Class", attribute: value, ...}``;
- anything else (and any object with its own ``__repr__``) becomes its
  ``repr``.

A structure that refers to itself is cut with the text
``"<circular reference>"`` instead of failing.
"""
import collections.abc
import dataclasses
import datetime
import enum
import functools
import inspect
import os
from typing import Any

import numpy as np

# Attributes of plain objects are expanded only this deep; below that an
# object is written as its repr, so a big object graph stays a short file.
_MAX_OBJECT_DEPTH = 3


def dotted_name(obj: Any) -> str:
    """``module.qualname`` of a class or function (or its repr if unnamed)."""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name is None:
        return repr(obj)
    module = getattr(obj, "__module__", None)
    return "%s.%s" % (module, name) if module else name


def to_readable(obj: Any) -> Any:
    """Return obj as JSON-native data (dicts, lists, str, numbers, None)."""
    return _convert(obj, set(), 0)


def _convert(obj: Any, active: set[int], depth: int) -> Any:
    if isinstance(obj, enum.Enum):
        return {"$enum": "%s.%s" % (dotted_name(type(obj)), obj.name)}
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, np.generic):
        return _convert(obj.item(), active, depth) if not isinstance(obj, np.complexfloating) \
            else str(obj)
    if isinstance(obj, type):
        return {"$class": dotted_name(obj)}
    if inspect.isroutine(obj) or isinstance(obj, np.ufunc):
        return {"$function": dotted_name(obj)}
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, (bytes, bytearray)):
        try:
            return bytes(obj).decode("utf-8")
        except UnicodeDecodeError:
            return repr(bytes(obj))
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()

    # Containers and objects may refer back to themselves: cut the loop.
    if id(obj) in active:
        return "<circular reference>"
    active.add(id(obj))
    try:
        return _convert_compound(obj, active, depth)
    finally:
        active.discard(id(obj))


def _convert_compound(obj: Any, active: set[int], depth: int) -> Any:
    if isinstance(obj, np.ndarray):
        return _convert(obj.tolist(), active, depth)
    if isinstance(obj, collections.abc.Mapping):
        return {_key(k): _convert(v, active, depth) for k, v in obj.items()}
    if isinstance(obj, (set, frozenset)):
        items = [_convert(x, active, depth) for x in obj]
        try:
            return sorted(items)
        except TypeError:  # mixed types: order by their text instead
            return sorted(items, key=repr)
    if isinstance(obj, (list, tuple, collections.deque, range)):
        return [_convert(x, active, depth) for x in obj]
    if isinstance(obj, functools.partial):
        return {"$partial": _convert(obj.func, active, depth),
                "args": [_convert(a, active, depth) for a in obj.args],
                "keywords": {k: _convert(v, active, depth) for k, v in obj.keywords.items()}}
    return _convert_object(obj, active, depth)


def _convert_object(obj: Any, active: set[int], depth: int) -> Any:
    if depth < _MAX_OBJECT_DEPTH:
        if dataclasses.is_dataclass(obj):
            fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
            return _typed(obj, fields, active, depth)
        # An object that explains itself through __repr__ knows best how to
        # be read; a plain one shows its attributes.
        if type(obj).__repr__ is object.__repr__:
            attributes = getattr(obj, "__dict__", None)
            if isinstance(attributes, dict) and attributes:
                return _typed(obj, attributes, active, depth)
    return _safe_repr(obj)


def _typed(obj: Any, attributes: dict, active: set[int], depth: int) -> dict:
    out = {"$type": dotted_name(type(obj))}
    for k, v in attributes.items():
        out[_key(k)] = _convert(v, active, depth + 1)
    return out


def _key(k: Any) -> Any:
    # JSON object keys: the json module itself handles these kinds.
    if k is None or isinstance(k, (str, bool, int, float)) and not isinstance(k, enum.Enum):
        return k
    if isinstance(k, np.generic):
        return _key(k.item())
    if isinstance(k, enum.Enum):
        return "%s.%s" % (dotted_name(type(k)), k.name)
    if isinstance(k, type) or inspect.isroutine(k) or isinstance(k, np.ufunc):
        return dotted_name(k)
    return _safe_repr(k)


def _safe_repr(obj: Any) -> str:
    try:
        return repr(obj)
    except Exception as e:  # a broken __repr__ must not lose the whole file
        return "<%s object (repr failed: %s)>" % (dotted_name(type(obj)), e)
