"""The exceptions the logger raises, in one place for logx and its writers."""


class LoggerError(ValueError, AssertionError):
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
