"""Account e-mails sent by the web process: nothing without an SMTP server (they wait in the
outbox), and the periodic sender delivers what is due (a real SMTP server, aiosmtpd)."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.adapters import Scheduler
from certmint.bootstrap import Container
from certmint.domain.accounts import Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_learner
from certmint.services.identity.sign_in_links import request_sign_in_link
from certmint.storage.tables import NotificationRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web import account_mail
from certmint.web.account_mail import account_mail_work, deliver_account_mail
from tests.conftest import Inbox
from tests.factories import enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.test_login import _configured


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Mail Academy", default=True)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    learner = resolve_learner(uow, org.id, "L1")
    make_user(uow, org.id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    return org.id


def test_without_smtp_the_e_mail_waits_in_the_outbox(
    container: Container, uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    request_sign_in_link(uow, None, "l1@example.org")
    deliver_account_mail(container)
    assert session.scalars(select(NotificationRow.status)).all() == ["pending"]


def test_the_periodic_sender_delivers_what_is_due(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    org_id: UUID,
    smtp: tuple[Inbox, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, url = smtp
    mailing = _configured(container, base_url=container.settings.base_url, smtp_url=url)
    request_sign_in_link(uow, None, "l1@example.org")
    monkeypatch.setattr(account_mail, "RETRY_INTERVAL_SECONDS", 0.05)

    async def run_until_sent() -> None:
        sender = asyncio.create_task(Scheduler(account_mail_work(mailing)).run())
        for _ in range(200):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
        sender.cancel()
        with suppress(asyncio.CancelledError):
            await sender

    asyncio.run(run_until_sent())
    assert [m["To"] for m in inbox.messages] == ["l1@example.org"]


def test_the_periodic_sender_purges_what_is_older_than_the_retention(
    container: Container,
    uow: SqlAlchemyUnitOfWork,
    session: Session,
    org_id: UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without an SMTP server too: a link asked for an unknown address 31 days ago goes; one
    still waiting stays, and the loop purges once an hour, not every minute."""
    old = datetime.now(UTC) - timedelta(days=container.settings.account_mail_retention_days + 1)
    request_sign_in_link(uow, None, "nobody@example.org", now=old)
    request_sign_in_link(uow, None, "l1@example.org", now=old)
    session.execute(
        update(NotificationRow)
        .where(NotificationRow.recipient == "nobody@example.org")
        .values(status="skipped")
    )
    monkeypatch.setattr(account_mail, "RETRY_INTERVAL_SECONDS", 0.05)
    purges: list[None] = []
    purge = account_mail.purge_old_account_mail
    monkeypatch.setattr(account_mail, "purge_old_account_mail", lambda c: purges.append(purge(c)))

    async def run_for_a_while() -> None:
        sender = asyncio.create_task(Scheduler(account_mail_work(container)).run())
        await asyncio.sleep(0.5)
        sender.cancel()
        with suppress(asyncio.CancelledError):
            await sender

    asyncio.run(run_for_a_while())
    assert len(purges) == 1
    assert session.scalars(select(NotificationRow.recipient)).all() == ["l1@example.org"]
