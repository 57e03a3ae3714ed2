"""Values that several parts of spinup must agree on, defined once."""

# Where a Logger writes when it is given no output_dir (the original's path shape).
DEFAULT_OUTPUT_DIR_PATTERN = "/tmp/experiments/%i"

# The column that stands for "how well did it do": the first of these that a
# run logged. Test returns (deterministic evaluation) beat training returns.
PERFORMANCE_KEYS = ("AverageTestEpRet", "AverageEpRet")

__all__ = ["DEFAULT_OUTPUT_DIR_PATTERN", "PERFORMANCE_KEYS"]
