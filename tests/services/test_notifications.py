"""E-mail through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from certmint.domain.ids import url_id
from certmint.domain.notifications import MAX_ATTEMPTS
from certmint.rendering import FontSet, extract_credential
from certmint.services.certificates import reissue_certificate
from certmint.services.issuance import issue_achievement
from certmint.services.notifications import SmtpMailer, send_due
from certmint.services.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import Inbox, free_port
from tests.factories import enrolment_row, scenario

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
        base_url="https://certs.example.org",
        cache_dir=tmp_path,
        fonts=fonts,
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
    summary = issue_achievement(uow, signing, s.organisation.id, s.achievement_id)
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
    issue_achievement(uow, signing, s.organisation.id, s.achievement_id)
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
    issue_achievement(uow, signing, s.organisation.id, s.achievement_id)
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
        uow, signing, s.organisation.id, s.achievement_id
    ).certificate_ids
    _send(uow, url, tmp_path)
    reissue_certificate(
        uow, signing, s.organisation.id, certificate_id, name="Jon Smith", reason="typo", actor="t"
    )
    assert _send(uow, url, tmp_path).sent == 1
    assert inbox.messages[-1]["Subject"].startswith("Your corrected certificate")


def test_smtp_url_is_checked_and_never_shows_the_password() -> None:
    with pytest.raises(ValueError, match="smtp://"):
        SmtpMailer("http://example.org")
    assert "secret" not in repr(SmtpMailer("smtp://user:secret@mail.example.org:587"))
