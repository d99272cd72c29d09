"""API tokens: created with a secret shown once, checked on every request, revocable."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from certmint.domain.accounts import ApiToken, Principal, Role
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import Conflict, InvalidInput, NotFound, Unauthorized
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "TOKEN_PREFIX",
    "authenticate_token",
    "create_token",
    "list_tokens",
    "revoke_token",
    "secret_hash",
]

TOKEN_PREFIX = "cm_"  # noqa: S105 - a public marker, not a secret
# Recording every use would write on every API call; once a minute is enough to see activity.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def secret_hash(secret: str) -> str:
    """How a random secret (an API token, a session cookie, a sign-in link) is stored: 256 random
    bits need no slow hash, and SHA-256 lets the row be found by it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(
    uow: UnitOfWork,
    principal: Principal,
    *,
    name: str,
    role: Role,
    course_ids: Iterable[UUID] = (),
    operator: bool = False,
) -> tuple[ApiToken, str]:
    """A new token of the principal's organisation and its secret (admins; an ``operator``
    token only by the instance's operator). The secret is not stored and cannot be shown again.

    Tokens act for integrations, so they are admin or course-manager tokens; a course-manager
    token is scoped to ``course_ids`` (at least one course of the organisation). An
    ``operator`` token (an admin token of the default organisation) also manages the
    instance's organisations."""
    authorization.require(principal, Action.ADMINISTER)
    if operator:
        authorization.require(principal, Action.OPERATE_INSTANCE)
    organisation_id = principal.organisation_id
    name = name.strip()
    courses = frozenset(course_ids)
    problems = []
    if not name or len(name) > 200:
        problems.append("name: 1 to 200 characters")
    if role is Role.LEARNER:
        problems.append("role: a token is for an admin or a course manager")
    if role is Role.COURSE_MANAGER and not courses:
        problems.append("courses: a course-manager token needs at least one course")
    if role is Role.ADMIN and courses:
        problems.append("courses: an admin token covers every course; give none")
    if operator and role is not Role.ADMIN:
        problems.append("operator: an operator token is an admin token")
    if problems:
        raise InvalidInput(problems, "token rejected")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        uuid.uuid4(),
        organisation_id,
        name,
        role,
        secret[:10],
        datetime.now(UTC),
        course_ids=courses if role is Role.COURSE_MANAGER else None,
        operator=operator,
    )
    with uow as tx:
        organisation = tx.organisations.get(organisation_id)
        if organisation is None:
            raise NotFound("organisation", organisation_id)
        if operator and not organisation.is_default:
            raise InvalidInput(
                ["operator: only tokens of the default organisation operate the instance"],
                "token rejected",
            )
        for course_id in sorted(courses):
            if tx.roster.get_course(organisation_id, course_id) is None:
                raise NotFound("course", course_id)
        tx.tokens.add(token, secret_hash(secret))
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="token.created",
            subject_type="api_token",
            subject_id=token.id,
            details={
                "name": name,
                "role": role.value,
                "courses": sorted(map(str, courses)),
                **({"operator": True} if operator else {}),
            },
            at=token.created_at,
        )
        tx.commit()
    return token, secret


def authenticate_token(
    uow: UnitOfWork, secret: str, *, writer: UnitOfWork | None = None
) -> ApiToken:
    """The active token with this secret; raises ``Unauthorized`` otherwise.

    As with ``sessions.resolve_session``, the lookup may run in a read-only ``uow`` (so that it
    never waits for SQLite's write lock) with a ``writer`` for the last-used stamp, written at
    most once per ``LAST_USED_RESOLUTION``."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        raise Unauthorized("not a Certmint API token")
    now = datetime.now(UTC)
    with uow as tx:
        token = tx.tokens.by_secret_hash(secret_hash(secret))
        if token is None or not token.active:
            raise Unauthorized("unknown or revoked API token")
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        with writer or uow as tx:
            tx.tokens.update(token.id, last_used_at=now)
            tx.commit()
    return token


def list_tokens(uow: UnitOfWork, principal: Principal) -> list[ApiToken]:
    """The organisation's tokens (never their secrets), for its admins."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        return tx.tokens.list(principal.organisation_id)


def revoke_token(uow: UnitOfWork, principal: Principal, token_id: UUID) -> None:
    """Revoke one of the organisation's tokens at once (admins)."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    now = datetime.now(UTC)
    with uow as tx:
        token = next((t for t in tx.tokens.list(organisation_id) if t.id == token_id), None)
        if token is None:
            raise NotFound("api token", token_id)
        if not token.active:
            raise Conflict(f"token {token_id} is already revoked")
        tx.tokens.update(token_id, revoked_at=now)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="token.revoked",
            subject_type="api_token",
            subject_id=token_id,
            at=now,
        )
        tx.commit()
