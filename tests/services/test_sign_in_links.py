"""One-time sign-in links and invitations, e-mailed through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from certmint.domain.accounts import Role
from certmint.services.errors import Conflict, InvalidInput, Unauthorized
from certmint.services.imports import import_enrolments
from certmint.services.notifications import SmtpMailer
from certmint.services.roster import resolve_learner
from certmint.services.sessions import resolve_session
from certmint.services.sign_in_links import (
    INVITATION_LIFETIME,
    LINK_LIFETIME,
    MAX_LINKS,
    invite_learner,
    send_sign_in_link,
    sign_in_with_link,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import Inbox
from tests.factories import enrolment_csv, enrolment_row, make_organisation, make_user

BASE = "https://certs.example.org"
LINK = re.compile(r"https://certs\.example\.org/login/link/([A-Za-z0-9_-]{43})")


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Link Academy", default=True)
    rows = [enrolment_row("L1", email="l1@example.org"), enrolment_row("L2", email="")]
    import_enrolments(uow, org.id, enrolment_csv(rows))
    return org.id


def _send(uow: SqlAlchemyUnitOfWork, url: str, email: str, **kwargs: object) -> bool:
    return send_sign_in_link(
        uow, SmtpMailer(url, timeout=5), None, email, base_url=BASE, sender="certs@x.org", **kwargs
    )  # type: ignore[arg-type]


def _token(inbox: Inbox, index: int = -1) -> str:
    body = inbox.messages[index].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(body)
    assert found is not None, body
    return found.group(1)


def test_a_link_signs_a_learner_in_once(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    learner = resolve_learner(uow, org_id, "L1")
    user = make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    assert _send(uow, url, "L1@Example.org")
    (message,) = inbox.messages
    assert message["To"] == "l1@example.org"
    assert message["Subject"] == "Sign in to Link Academy"
    token = _token(inbox)
    signed_in, session_token = sign_in_with_link(uow, token)
    assert signed_in.id == user.id
    assert resolve_session(uow, session_token)[1].id == user.id
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, token)  # single use


def test_a_link_expires(uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str]) -> None:
    inbox, url = smtp
    learner = resolve_learner(uow, org_id, "L1")
    make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    now = datetime.now(UTC)
    assert _send(uow, url, "l1@example.org", now=now)
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, _token(inbox), now=now + timedelta(minutes=15))
    # The refused attempt did not spend it: a minute earlier it still works.
    assert sign_in_with_link(uow, _token(inbox), now=now + timedelta(minutes=14))


def test_no_link_for_unknown_staff_or_disabled_accounts_and_no_flood(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    make_user(uow, org_id, Role.ADMIN, email="admin@example.org")
    learner = resolve_learner(uow, org_id, "L1")
    make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    assert not _send(uow, url, "nobody@example.org")
    assert not _send(uow, url, "admin@example.org")  # staff use their password
    sent = [_send(uow, url, "l1@example.org") for _ in range(MAX_LINKS + 2)]
    assert sent == [True] * MAX_LINKS + [False, False]
    assert len(inbox.messages) == MAX_LINKS
    later = datetime.now(UTC) + LINK_LIFETIME + timedelta(seconds=1)
    assert _send(uow, url, "l1@example.org", now=later)
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, "not-a-real-token")


def test_invitation_creates_the_account_and_mails_a_week_long_link(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str]
) -> None:
    inbox, url = smtp
    mailer = SmtpMailer(url, timeout=5)
    user = invite_learner(
        uow, mailer, org_id, "L1", base_url=BASE, sender="certs@x.org", actor="test"
    )
    assert (user.role, user.email) == (Role.LEARNER, "l1@example.org")
    assert user.learner_id == resolve_learner(uow, org_id, "L1").id
    (message,) = inbox.messages
    assert message["Subject"] == "Your certificates at Link Academy"
    token = _token(inbox)
    six_days = datetime.now(UTC) + INVITATION_LIFETIME - timedelta(days=1)
    assert sign_in_with_link(uow, token, now=six_days)[0].id == user.id
    with pytest.raises(Conflict):
        invite_learner(uow, mailer, org_id, "L1", base_url=BASE, sender="c@x.org", actor="t")
    with pytest.raises(InvalidInput):
        invite_learner(uow, mailer, org_id, "L2", base_url=BASE, sender="c@x.org", actor="t")
