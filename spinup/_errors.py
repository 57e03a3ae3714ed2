"""The root of spinup's exceptions, and the logger's exceptions.

Every exception class spinup defines derives from :class:`SpinupError`, so
``except spinup.SpinupError`` catches any of them. Each one also keeps the
built-in base it had before (``ValueError``, ``RuntimeError``, ...), so code
written against those, or against the original Spinning Up's ``assert``
statements, still catches it.
"""

__all__ = ["SpinupError", "LoggerError", "LoggerTypeError", "LogDirError", "LogFileError"]


class SpinupError(Exception):
    """Base class of the exceptions that spinup defines.

    Catch it to handle any of spinup's own errors (a misused logger, a bad
    grid, a run that failed) in one place, while real bugs (for instance a
    plain ``TypeError`` from your own training function) still pass through.
    """


class LoggerError(ValueError, AssertionError, SpinupError):
    """Raised when the logger is used in a way it cannot honour.

    It is both a ValueError and an AssertionError, so code written for the
    original Spinning Up (which used ``assert``) still catches it.
    """


class LoggerTypeError(LoggerError, TypeError):
    """Raised when the logger is given a value of the wrong kind."""


class LogDirError(LoggerError, OSError):
    """Raised when the output directory cannot be used."""


class LogFileError(LoggerError):
    """Raised when an existing progress file cannot be continued as asked."""
