"""Browser sessions on the real database: hashed tokens, idle and absolute expiry, sign-out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal
from certmint.services.errors import Unauthorized
from certmint.services.identity.accounts import disable_user, set_password
from certmint.services.identity.sessions import (
    ABSOLUTE_TIMEOUT,
    IDLE_TIMEOUT,
    end_session,
    resolve_session,
    sign_in,
    start_session,
)
from certmint.storage.tables import UserSessionRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import PASSWORD, make_organisation, make_user


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    return make_organisation(uow, "Session Academy", default=True).id


def test_only_the_tokens_hash_is_stored(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id)
    started, token = start_session(uow, user)
    row = session.get_one(UserSessionRow, started.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.token_hash, row.csrf_token)
    assert len(token) >= 43 and len(started.csrf_token) >= 43
    resolved, who = resolve_session(uow, token)
    assert (resolved.id, who.id) == (started.id, user.id)
    assert resolved.csrf_token == started.csrf_token
    with pytest.raises(Unauthorized):
        resolve_session(uow, row.token_hash)  # the stored value is not a cookie


def test_idle_and_absolute_expiry(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    user = make_user(uow, org_id)
    now = datetime.now(UTC)
    _, token = start_session(uow, user, now=now)
    # Activity keeps it alive past the idle limit...
    step = IDLE_TIMEOUT - timedelta(minutes=5)
    at = now
    while at + step < now + ABSOLUTE_TIMEOUT:
        at += step
        resolve_session(uow, token, now=at)
    # ...but never past the absolute limit.
    with pytest.raises(Unauthorized):
        resolve_session(uow, token, now=now + ABSOLUTE_TIMEOUT)
    _, idle = start_session(uow, user, now=now)
    with pytest.raises(Unauthorized):
        resolve_session(uow, idle, now=now + IDLE_TIMEOUT)


def test_sign_out_disable_and_new_password_end_sessions(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    user = make_user(uow, org_id)
    _, first = start_session(uow, user)
    end_session(uow, first)
    end_session(uow, first)  # twice is harmless
    with pytest.raises(Unauthorized):
        resolve_session(uow, first)
    _, second = start_session(uow, user)
    set_password(uow, Principal.at_shell(org_id), user.id, "another long secret")
    with pytest.raises(Unauthorized):
        resolve_session(uow, second)
    _, third = start_session(uow, user)
    disable_user(uow, Principal.at_shell(org_id), user.id)
    with pytest.raises(Unauthorized):
        resolve_session(uow, third)


def test_last_seen_is_written_at_most_once_a_minute(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id)
    now = datetime.now(UTC)
    started, token = start_session(uow, user, now=now)
    resolve_session(uow, token, now=now + timedelta(seconds=30))
    seen = session.scalar(
        select(UserSessionRow.last_seen_at).where(UserSessionRow.id == started.id)
    )
    assert seen == now
    resolve_session(uow, token, now=now + timedelta(minutes=2))
    session.expire_all()
    seen = session.scalar(
        select(UserSessionRow.last_seen_at).where(UserSessionRow.id == started.id)
    )
    assert seen is not None and seen > now + timedelta(minutes=1)


def test_sign_in_by_organisation_slug(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    signed_in, token = sign_in(uow, None, "ana@example.org", PASSWORD)  # the default organisation
    assert signed_in.id == user.id and resolve_session(uow, token)[1].id == user.id
    other = make_organisation(uow, "Other Place")
    make_user(uow, other.id, email="ana@example.org", password="the other password")
    assert sign_in(uow, other.slug, "ana@example.org", "the other password")[0].id != user.id
    with pytest.raises(Unauthorized):
        sign_in(uow, other.slug, "ana@example.org", PASSWORD)
    with pytest.raises(Unauthorized):
        sign_in(uow, "no-such-org", "ana@example.org", PASSWORD)
