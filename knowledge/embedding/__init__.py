"""Offline sentence-embedding models, rebuilt at install time from pip-installable packages."""
