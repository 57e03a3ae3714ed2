"""Experiment utilities: logging, MPI, launching, plotting and policy testing."""
