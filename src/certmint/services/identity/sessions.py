"""Browser sessions: server-side rows, looked up by the SHA-256 of the cookie's random token.

A session ends when it is idle for ``IDLE_TIMEOUT``, at ``ABSOLUTE_TIMEOUT`` after sign-in
whatever the activity, on sign-out, and when its user is disabled or gets a new password.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from certmint.domain.accounts import User, UserSession
from certmint.services.audit import record
from certmint.services.errors import NotFound, Unauthorized
from certmint.services.identity.accounts import authenticate
from certmint.services.identity.tokens import secret_hash
from certmint.services.issuers.organisations import find_organisation
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "ABSOLUTE_TIMEOUT",
    "IDLE_TIMEOUT",
    "end_session",
    "open_session",
    "resolve_session",
    "sign_in",
    "start_session",
]

IDLE_TIMEOUT = timedelta(hours=2)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Writing on every request would serialise page views on SQLite; a minute's precision is enough
# for an idle limit counted in hours.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def start_session(
    uow: UnitOfWork, user: User, *, now: datetime | None = None
) -> tuple[UserSession, str]:
    """A new session for a user who has just proved who they are, and the cookie's token
    (256 random bits; it is not stored and cannot be shown again)."""
    now = now or datetime.now(UTC)
    with uow as tx:
        found = open_session(tx, user, now, now + ABSOLUTE_TIMEOUT, action="user.signed_in")
        tx.commit()
    return found


def open_session(
    tx: OpenUnitOfWork, user: User, now: datetime, expires_at: datetime, *, action: str
) -> tuple[UserSession, str]:
    """Store a new session of ``user`` (ending at ``expires_at``) with its own CSRF token and
    audit-log it as ``action``; returns it and the cookie's token."""
    token = secrets.token_urlsafe(32)
    session = UserSession(
        id=uuid.uuid4(),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    )
    tx.users.add_session(session, secret_hash(token))
    record(
        tx,
        organisation_id=user.organisation_id,
        actor=f"user:{user.id}",
        action=action,
        subject_type="user",
        subject_id=user.id,
        at=now,
    )
    return session, token


def sign_in(
    uow: UnitOfWork,
    organisation_slug: str | None,
    email: str,
    password: str,
    *,
    client: str | None = None,
) -> tuple[User, str]:
    """Check a password (``accounts.authenticate``; ``client`` is the network address it
    came from) and start a session: the user and the cookie's token. An unknown organisation
    is refused like a wrong password."""
    try:
        organisation = find_organisation(uow, organisation_slug)
    except NotFound:
        raise Unauthorized("unknown e-mail address or wrong password") from None
    user = authenticate(uow, organisation.id, email, password, client=client)
    _, token = start_session(uow, user)
    return user, token


def resolve_session(
    uow: UnitOfWork,
    token: str,
    *,
    now: datetime | None = None,
    writer: UnitOfWork | None = None,
) -> tuple[UserSession, User]:
    """The live session behind a cookie token and its user; raises ``Unauthorized`` when it is
    unknown, ended, idle too long, past its absolute limit, or its user is disabled.

    Every request resolves its session, so the lookup should not wait for SQLite's write lock
    (a bulk job holds it chunk after chunk, and waiting writers starve): pass a read-only ``uow``
    and a ``writer`` for the last-seen stamp, which is written at most once a minute.
    """
    now = now or datetime.now(UTC)
    if not token or len(token) > 100:
        raise Unauthorized("not signed in")
    with uow as tx:
        found = tx.users.session_by_token_hash(secret_hash(token))
        if found is None:
            raise Unauthorized("not signed in")
        session, user = found
        if (
            session.ended_at is not None
            or now >= session.expires_at
            or now - session.last_seen_at >= IDLE_TIMEOUT
            or not user.active
        ):
            raise Unauthorized("the session has ended: sign in again")
    if now - session.last_seen_at >= LAST_SEEN_RESOLUTION:
        with writer or uow as tx:
            tx.users.update_session(session.id, last_seen_at=now)
            tx.commit()
    return session, user


def end_session(uow: UnitOfWork, token: str) -> None:
    """Sign out: the session behind this token ends (an unknown token is ignored)."""
    now = datetime.now(UTC)
    with uow as tx:
        found = tx.users.session_by_token_hash(secret_hash(token))
        if found is None or found[0].ended_at is not None:
            return
        session, user = found
        tx.users.update_session(session.id, ended_at=now)
        record(
            tx,
            organisation_id=user.organisation_id,
            actor=f"user:{user.id}",
            action="user.signed_out",
            subject_type="user",
            subject_id=user.id,
            at=now,
        )
        tx.commit()
