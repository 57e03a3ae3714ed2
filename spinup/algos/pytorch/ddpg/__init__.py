"""Reference algorithms."""
