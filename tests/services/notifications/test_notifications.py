"""E-mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.domain.notifications import (
    MAX_ATTEMPTS,
    AccountMailKind,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from certmint.rendering import FontSet, extract_credential
from certmint.services.certificates.documents import CertificateDocuments
from certmint.services.certificates.lifecycle import reissue_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.notifications.mail import SmtpMailer, purge_account_mail, send_due
from certmint.storage.tables import NotificationRow, SignInLinkRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import Inbox, free_port
from tests.factories import enrolment_row, make_user, scenario

ROWS = [
    enrolment_row("L1", name="अनन्या कृष्णमूर्ति", email="ananya@example.org"),
    enrolment_row("L2", name="Jon Smiht", email="jon@example.org"),
    enrolment_row("L3", name="No Mail", email=""),
]


def _closed_port() -> str:
    return f"smtp://127.0.0.1:{free_port()}"


def _send(
    uow: SqlAlchemyUnitOfWork,
    url: str,
    tmp_path: Path,
    fonts: FontSet | None = None,
    now: datetime | None = None,
) -> Any:
    return send_due(
        uow,
        SmtpMailer(url, timeout=5),
        sender="certs@academy.example",
        links=Links("https://certs.example.org"),
        documents=CertificateDocuments(lambda: fonts, Links("https://certs.example.org"), tmp_path)
        if fonts
        else None,
        now=now,
    )


def test_award_emails_each_learner_once_with_link_and_pdf(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    smtp: tuple[Inbox, str],
    tmp_path: Path,
    fonts: FontSet,
) -> None:
    inbox, url = smtp
    s = scenario(uow, signing, ROWS)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    assert summary.issued == 3
    assert _send(uow, url, tmp_path, fonts).sent == 2  # the learner without e-mail gets none
    assert sorted(m["To"] for m in inbox.messages) == ["ananya@example.org", "jon@example.org"]
    message = next(m for m in inbox.messages if m["To"] == "ananya@example.org")
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "अनन्या कृष्णमूर्ति" in body
    links = [f"https://certs.example.org/v/{url_id(i)}" for i in summary.certificate_ids]
    assert any(link in body for link in links)
    (attachment,) = list(message.iter_attachments())  # type: ignore[attr-defined]
    assert attachment.get_content_type() == "application/pdf"
    assert (
        extract_credential(attachment.get_content())["credentialSubject"]["name"] == "अनन्या कृष्णमूर्ति"
    )

    assert _send(uow, url, tmp_path).sent == 0  # exactly once
    assert len(inbox.messages) == 2


def test_smtp_failure_is_retried_with_back_off(
    uow: SqlAlchemyUnitOfWork, signing: Signing, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    s = scenario(uow, signing, ROWS[:1])
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    now = datetime.now(UTC)
    down = _send(uow, _closed_port(), tmp_path, now=now)
    assert (down.sent, down.retrying) == (0, 1)
    assert _send(uow, url, tmp_path, now=now).sent == 0  # not due again yet
    later = _send(uow, url, tmp_path, now=now + timedelta(minutes=2))
    assert later.sent == 1
    assert len(inbox.messages) == 1


def test_gives_up_after_max_attempts(
    uow: SqlAlchemyUnitOfWork, signing: Signing, tmp_path: Path
) -> None:
    s = scenario(uow, signing, ROWS[:1])
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    now = datetime.now(UTC)
    closed = _closed_port()
    outcomes = [
        _send(uow, closed, tmp_path, now=now + timedelta(days=i)) for i in range(MAX_ATTEMPTS)
    ]
    assert [o.retrying for o in outcomes[:-1]] == [1] * (MAX_ATTEMPTS - 1)
    assert outcomes[-1].failed == 1
    assert _send(uow, closed, tmp_path, now=now + timedelta(days=99)).failed == 0


def test_reissue_sends_a_correction(
    uow: SqlAlchemyUnitOfWork, signing: Signing, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    s = scenario(uow, signing, ROWS[1:2])
    (certificate_id,) = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    _send(uow, url, tmp_path)
    reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        certificate_id,
        name="Jon Smith",
        reason="typo",
    )
    assert _send(uow, url, tmp_path).sent == 1
    assert inbox.messages[-1]["Subject"].startswith("Your corrected certificate")


def test_smtp_url_is_checked_and_never_shows_the_password() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        SmtpMailer("http://example.org")
    assert "secret" not in repr(SmtpMailer("smtp://user:secret@mail.example.org:587"))


def _outbox_row(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    kind: NotificationKind | AccountMailKind,
    status: NotificationStatus,
    created_at: datetime,
    certificate_id: UUID | None = None,
) -> UUID:
    notification = Notification(
        id=uuid4(),
        organisation_id=organisation_id,
        certificate_id=certificate_id,
        kind=kind,
        recipient=f"{status}@example.org",
        status=status,
        attempts=0,
        next_attempt_at=created_at,
        created_at=created_at,
    )
    with uow:
        uow.notifications.add_many([notification])
        uow.commit()
    return notification.id


def test_finished_account_e_mails_and_expired_links_are_purged_after_the_retention(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    built = scenario(uow, signing, [enrolment_row("L1")])
    org = built.organisation.id
    (certificate_id,) = issue_achievement(
        uow, signing, IssueRequest(org, built.achievement_id)
    ).certificate_ids
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    link, invitation = AccountMailKind.SIGN_IN_LINK, AccountMailKind.INVITATION
    gone = {
        _outbox_row(uow, org, link, NotificationStatus.SKIPPED, old),  # an unknown address
        _outbox_row(uow, org, link, NotificationStatus.SENT, old),
        _outbox_row(uow, org, invitation, NotificationStatus.SENT, old),
        _outbox_row(uow, org, invitation, NotificationStatus.FAILED, old),
    }
    kept = {
        _outbox_row(uow, org, link, NotificationStatus.PENDING, old),  # never, however old
        _outbox_row(uow, org, link, NotificationStatus.SENDING, old),
        _outbox_row(uow, org, link, NotificationStatus.SKIPPED, recent),
        _outbox_row(uow, org, invitation, NotificationStatus.SENT, recent),
    }
    kept |= {row.id for row in session.scalars(select(NotificationRow))} - gone  # the award's
    user = make_user(uow, org, Role.ADMIN, email="staff@example.org")
    with uow:
        uow.users.add_link(user.id, "a" * 64, old, old + timedelta(minutes=15), mailed=True)
        uow.users.add_link(user.id, "b" * 64, recent, recent + timedelta(minutes=15), mailed=True)
        uow.commit()

    purged = purge_account_mail(uow, retention=timedelta(days=30), now=now)

    assert (purged.e_mails, purged.links) == (4, 1)
    assert set(session.scalars(select(NotificationRow.id))) == kept
    assert session.scalars(select(SignInLinkRow.token_hash)).all() == ["b" * 64]
    assert any(
        row.certificate_id == certificate_id for row in session.scalars(select(NotificationRow))
    )
    again = purge_account_mail(uow, retention=timedelta(days=30), now=now)
    assert (again.e_mails, again.links) == (0, 0)


def test_an_organisation_sends_from_its_own_address(
    uow: SqlAlchemyUnitOfWork, signing: Signing, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    """The operator's e-mail sender for the organisation replaces the instance's own."""
    inbox, url = smtp
    s = scenario(uow, signing, ROWS[1:2])
    change_organisation(
        uow,
        Principal.at_shell(s.organisation.id),
        s.organisation.slug,
        OrganisationChanges(email_sender="certificates@board.example"),
    )
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    assert _send(uow, url, tmp_path).sent == 1
    (message,) = inbox.messages
    assert message["From"].endswith("<certificates@board.example>")
