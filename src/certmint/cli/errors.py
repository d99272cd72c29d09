"""Exit codes, and the one place where errors become a sentence and an exit code.

Every command runs inside ``CertmintGroup.invoke``: whatever a command lets escape (a use-case
error, a full disk, a read-only home, a refused setting, an unopenable key store, a bug) is
printed as one sentence on standard error and ends the process with a code from the table in
docs/cli.md. No traceback reaches the terminal; commands do not catch these themselves.
"""

from __future__ import annotations

from typing import Any

import typer
from typer._click import core as click  # the Click that Typer bundles
from typer.core import TyperGroup

from certmint.cli.terminal import err_console, styled
from certmint.config import Settings
from certmint.environment import Trouble, diagnose, master_secret_problem
from certmint.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceError,
    SigningKeyUnavailable,
)

__all__ = [
    "EXIT_CONFLICT",
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_NOT_FOUND",
    "CertmintGroup",
    "report",
    "say_error",
]

EXIT_INVALID = 1  # invalid input, or a refused setting (Trouble.CONFIGURATION)
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4
# 5 to 9 are the environment's troubles: certmint.environment.Trouble.
EXIT_INTERNAL = 70  # a bug (sysexits' EX_SOFTWARE)


def say_error(message: str) -> None:
    err_console.print(styled(("error:", "bold red"), f" {message}"))


def report(exc: Exception, settings: Settings | None) -> int:
    """Print what went wrong in one sentence (and an input's problems, one a line) and return
    the exit code for it."""
    if isinstance(exc, SigningKeyUnavailable) and settings is not None:
        exc = master_secret_problem(settings, exc.key_id, wrong_secret=exc.wrong_secret)
    if isinstance(exc, ServiceError):
        return _service_error(exc)
    problem = diagnose(exc, settings)
    if problem is not None:
        say_error(problem.sentence)
        return int(problem.trouble)
    say_error(
        f"internal error (a bug in Certmint; please report it with the command you ran): "
        f"{type(exc).__name__}: {exc}"
    )
    return EXIT_INTERNAL


def _service_error(exc: ServiceError) -> int:
    if isinstance(exc, InvalidInput):
        for problem in exc.problems:
            err_console.print(f"  {problem}")
        say_error(exc.summary)
        return EXIT_INVALID
    say_error(str(exc))
    if isinstance(exc, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(exc, Conflict):
        return EXIT_CONFLICT
    if isinstance(exc, SigningKeyUnavailable):
        return int(Trouble.MASTER_SECRET)
    return EXIT_INVALID


class CertmintGroup(TyperGroup):
    """The root command: runs the command asked for and reports what escapes it."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # deliberate exits and usage errors are Typer's to present
        except Exception as exc:  # the one place: every other error becomes a code
            settings = getattr(ctx.find_root().obj, "loaded_settings", None)  # cli.state.State
            raise typer.Exit(report(exc, settings)) from None
