"""Shared foundations: settings read from the environment and the one SQLite database."""
