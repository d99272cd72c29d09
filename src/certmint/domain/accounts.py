"""Who may act: roles, user accounts and their sessions, and API tokens for integrations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

__all__ = [
    "ApiToken",
    "Principal",
    "Role",
    "Throttle",
    "User",
    "UserSession",
    "normalise_email",
]


class Role(StrEnum):
    ADMIN = "admin"  # everything in the organisation
    COURSE_MANAGER = "course_manager"  # only the courses they are given
    LEARNER = "learner"  # their own certificates and profile


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A token's record. The secret itself is shown once and only its SHA-256 is kept;
    ``prefix`` (its first characters) lets people tell tokens apart in lists."""

    id: UUID
    organisation_id: UUID
    name: str
    role: Role
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    # The courses a course manager's token may touch; None for an admin token (every course).
    course_ids: frozenset[UUID] | None = None
    operator: bool = False  # also manages the instance's organisations

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def normalise_email(email: str) -> str:
    """The form e-mail addresses are compared in: trimmed and case-folded, so
    ``Ana@Example.org`` and ``ana@example.org`` are one account."""
    return email.strip().casefold()


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in. ``course_ids`` is the scope of a course manager (empty for other
    roles); ``learner_id`` links a learner account to the learner record its certificates name."""

    id: UUID
    organisation_id: UUID
    email: str
    display_name: str
    role: Role
    created_at: datetime
    course_ids: frozenset[UUID] = frozenset()
    learner_id: UUID | None = None
    disabled_at: datetime | None = None
    # When the person proved the address theirs: only then are their accounts in other
    # organisations (same address, also proved) theirs too.
    email_verified_at: datetime | None = None
    operator: bool = False  # also manages the instance's organisations

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class Throttle:
    """Failed sign-ins counted for one e-mail address or one client."""

    failures: int
    last_failure_at: datetime
    locked_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class UserSession:
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    leaked database cannot be replayed as cookies. ``csrf_token`` must accompany every unsafe
    request the cookie authenticates."""

    id: UUID
    user_id: UUID
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # the absolute limit, however active the session is
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is acting on a request, whether signed in through the browser or calling with a token.

    Every use case authorises this one value through the policy (``services.authorization``),
    so a rule (say, what a course manager may touch) is written once. ``course_ids`` is ``None``
    when every course of the organisation is in scope (admins); a course manager carries the
    courses they were given.
    """

    organisation_id: UUID
    role: Role
    course_ids: frozenset[UUID] | None = None
    user_id: UUID | None = None  # a person signed in
    token_id: UUID | None = None  # an integration calling with an API token
    learner_id: UUID | None = None  # the learner record a learner account is linked to
    # The instance's operator: creates, renames, brands and suspends organisations (and sees
    # nothing inside them by this grant).
    operator: bool = False
    # The operator at the server's shell (``at_shell``): how the audit log names it.
    shell_actor: str | None = None

    @classmethod
    def of_user(cls, user: User) -> Principal:
        return cls(
            user.organisation_id,
            user.role,
            course_ids=user.course_ids if user.role is Role.COURSE_MANAGER else None,
            user_id=user.id,
            learner_id=user.learner_id if user.role is Role.LEARNER else None,
            operator=user.operator,
        )

    @classmethod
    def of_token(cls, token: ApiToken) -> Principal:
        return cls(
            token.organisation_id,
            token.role,
            token.course_ids,
            token_id=token.id,
            operator=token.operator,
        )

    @classmethod
    def at_shell(cls, organisation_id: UUID, actor: str = "cli") -> Principal:
        """The operator running the CLI on the server: whoever can read the home directory
        and the master secret can do anything, so it acts as the organisation's admin (and the
        instance's operator); the audit log names it ``actor`` (``cli``; ``demo`` for the
        demo's sample data)."""
        return cls(organisation_id, Role.ADMIN, operator=True, shell_actor=actor)

    @property
    def actor(self) -> str:
        """How the audit log names this principal."""
        if self.shell_actor is not None:
            return self.shell_actor
        if self.user_id is not None:
            return f"user:{self.user_id}"
        return f"token:{self.token_id}"
