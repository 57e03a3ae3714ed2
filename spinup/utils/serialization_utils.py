"""Turn arbitrary Python objects into something JSON can store.

The logger uses this to save an experiment's configuration: anything that
cannot be written as JSON is replaced by the most informative text we can
find for it, so ``save_config(locals())`` never fails.
"""

__all__ = ["convert_json", "is_json_serializable"]

import json
from typing import Any


def convert_json(obj: Any) -> Any:
    """Convert obj to a version which can be serialized with JSON.

    Rules, in order: JSON-serializable values are returned unchanged; dicts
    convert their keys and values; tuples and lists become lists of converted
    items; named objects (functions, classes) become their name, unless the
    name is a lambda's; objects with attributes become
    ``{str(obj): {converted attributes}}``; anything else becomes ``str(obj)``.
    """
    if is_json_serializable(obj):
        return obj
    if isinstance(obj, dict):
        return {_convert_key(k): convert_json(v) for k, v in obj.items()}
    if isinstance(obj, (tuple, list)):
        return [convert_json(x) for x in obj]
    if hasattr(obj, "__name__") and "lambda" not in obj.__name__:
        return convert_json(obj.__name__)
    if hasattr(obj, "__dict__") and obj.__dict__:
        obj_dict = {_convert_key(k): convert_json(v) for k, v in obj.__dict__.items()}
        return {str(obj): obj_dict}
    return str(obj)


def is_json_serializable(v: Any) -> bool:
    """Return True if ``json.dumps(v)`` succeeds."""
    try:
        json.dumps(v)
        return True
    except Exception:
        return False


def _convert_key(key: Any) -> Any:
    # JSON object keys must be scalars; a tuple key would convert to an
    # unhashable list, so such keys fall back to their text.
    converted = convert_json(key)
    if isinstance(converted, (str, int, float, bool)) or converted is None:
        return converted
    return str(key)
