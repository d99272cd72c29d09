"""Use-case errors, mapped to HTTP statuses by ``web/`` and to exit codes by ``cli.py``.

ServiceError
├── NotFound(kind, key)          an id that does not exist in this organisation
├── Conflict(detail)             the change contradicts what is stored
├── Unauthorized(detail)         no valid credentials (sign in, or send an API token)
│   └── TooManyAttempts          too many failed sign-ins: wait ``retry_after`` seconds
├── Forbidden(detail)            signed in, but the role may not do this
├── InvalidInput(problems)       input rejected as a whole; each problem names where
│   └── ImportRejected           a CSV import with bad lines; nothing was written
└── SigningKeyUnavailable(key_id, wrong_secret)   the master secret does not open a private
                                 key (or its file is gone): nothing was changed
"""

from __future__ import annotations

from collections.abc import Sequence

from certmint.domain.enrolment_import import ImportProblem
from certmint.domain.messages import Joined, Message, Said

__all__ = [
    "Conflict",
    "Forbidden",
    "ImportRejected",
    "InvalidInput",
    "NotFound",
    "ServiceError",
    "SigningKeyUnavailable",
    "TooManyAttempts",
    "Unauthorized",
]


class ServiceError(Exception):
    """Base of every error a use case raises on purpose."""


class NotFound(ServiceError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key} not found")
        self.kind = kind
        self.key = key


class Conflict(ServiceError):
    """``detail`` may be a message, which a page shows in its reader's language."""

    def __init__(self, detail: str | Message) -> None:
        super().__init__(str(detail))
        self.detail = detail


class Unauthorized(ServiceError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class TooManyAttempts(Unauthorized):
    """``what`` there were too many of (failed sign-ins unless said otherwise)."""

    def __init__(self, retry_after: int, what: str = "failed sign-ins") -> None:
        super().__init__(f"too many {what}: try again in {retry_after} seconds")
        self.retry_after = retry_after


class Forbidden(ServiceError):
    """``detail`` may be a message, which a page shows in its reader's language."""

    def __init__(self, detail: str | Message) -> None:
        super().__init__(str(detail))
        self.detail = detail


class InvalidInput(ServiceError):
    """Each problem is text or a message (a page shows it in its reader's language)."""

    def __init__(self, problems: Sequence[Said | str], summary: str = "invalid input") -> None:
        super().__init__(f"{summary}: {len(problems)} problem(s)")
        self.problems = tuple(problems)
        self.summary = summary

    @property
    def said(self) -> Joined:
        """Every problem, in one line (``; `` between them)."""
        return Joined(self.problems, "; ")


class ImportRejected(InvalidInput):
    problems: tuple[ImportProblem, ...]

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        super().__init__(problems, "import rejected, nothing was written")


class SigningKeyUnavailable(ServiceError):
    """A private signing key cannot be opened: the master secret is not the one it was sealed
    with (``wrong_secret``), or its file is missing or unreadable. Key operations prove the
    secret before they change anything, so nothing was changed."""

    def __init__(self, key_id: str, *, wrong_secret: bool) -> None:
        super().__init__(
            "the master secret does not open the signing keys"
            if wrong_secret
            else f"the signing key {key_id} cannot be read from the key store"
        )
        self.key_id = key_id
        self.wrong_secret = wrong_secret
