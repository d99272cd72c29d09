"""The ``certmint`` command: a Typer app whose sub-apps are joined with ``add_typer``."""

from certmint.cli.app import app, main

__all__ = ["app", "main"]
