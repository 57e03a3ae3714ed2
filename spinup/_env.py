"""Settings read from environment variables, parsed the same way everywhere.

An unset or blank variable means "use the default". Anything else must be a
value the setting understands; a typo is an error that names the variable,
rather than a silent fallback to the default.
"""
import os

__all__ = ["env_bool", "env_float"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def env_bool(name: str, default: bool) -> bool:
    """The environment variable ``name`` read as a yes/no switch.

    ``1``, ``true``, ``yes`` and ``on`` (any case) mean True; ``0``,
    ``false``, ``no`` and ``off`` mean False; unset or blank gives
    ``default``. Any other value raises a ValueError saying which values work.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    word = raw.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError("%s=%r is not a yes/no value; set it to 1 (or true, yes, on) or "
                     "to 0 (or false, no, off)." % (name, raw))


def env_float(name: str, default: float) -> float:
    """The environment variable ``name`` read as a number of seconds.

    Unset or blank gives ``default``. A whole number comes back as an int
    (so ``5`` prints as 5, not 5.0); anything that is not a number raises a
    ValueError naming the variable.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            "%s=%r is not a number of seconds; set it to e.g. 0 or 5." % (name, raw)
        ) from None
    return int(value) if value.is_integer() else value
