"""Sphinx configuration for the spinup docs."""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))
# autodoc imports TensorFlow for the TF pages; keep its start-up chatter quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from spinup.version import __version__  # noqa: E402

project = "spinup"
author = "spinup developers"
copyright = "2026, spinup developers"
version = release = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
exclude_patterns = ["_build"]
html_theme = "alabaster"
