"""What a server checks before it answers anyone, so that a broken environment stops it at
start with one sentence instead of failing request after request.

The instance must be initialised (its schema current), its data directory writable (the
database's journal, rendered files) and the master secret must open every organisation's
active signing key (which then signs any status list not yet signed as it is now).
``certmint serve`` and the ``uvicorn --factory`` entry point both start through
``open_for_serving``; the factory exits with the problem's code (docs/cli.md).
"""

from __future__ import annotations

import sys
from typing import NoReturn

from certmint.bootstrap import Container, open_instance
from certmint.config import Settings
from certmint.environment import (
    EnvironmentProblem,
    diagnose,
    master_secret_problem,
    require_writable,
)
from certmint.services.errors import SigningKeyUnavailable
from certmint.services.issuers.keys import prove_master_secret
from certmint.services.verification.status_lists import sign_stale_status_lists

__all__ = ["exit_for_problem", "open_for_serving"]


def open_for_serving(settings: Settings) -> Container:
    """The container of a ready instance; raises ``EnvironmentProblem`` otherwise."""
    container = open_instance(settings)
    try:
        require_writable(settings.home)
        try:
            prove_master_secret(container.uow(read_only=True), container.key_store)
        except SigningKeyUnavailable as exc:
            raise master_secret_problem(
                settings, exc.key_id, wrong_secret=exc.wrong_secret
            ) from None
        # Served status lists are signed when they change; lists of an older Certmint, or
        # signed for another base URL, are signed now, before anyone fetches them.
        sign_stale_status_lists(container.uow(), container.signing)
    except BaseException:
        container.close()
        raise
    return container


def exit_for_problem(exc: Exception, settings: Settings | None) -> NoReturn:
    """End a server process that cannot start: one sentence on standard error and the
    problem's exit code; anything that is not an environment problem is raised again."""
    problem: EnvironmentProblem | None = diagnose(exc, settings)
    if problem is None:
        raise exc
    sys.stderr.write(f"certmint: {problem.sentence}\n")
    raise SystemExit(int(problem.trouble)) from None
