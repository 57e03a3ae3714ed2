"""The version of spinup."""
__version__ = "0.3.0"
