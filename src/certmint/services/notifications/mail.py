"""E-mail to learners when a certificate is awarded or re-issued, in the organisation's words
(``services/notifications/email_templates.py``) or the default ones; and account e-mails
(sign-in links, invitations: ``services/identity/sign_in_links.py``), which go through the same
outbox.

Issuance writes a notification row in the same transaction as the certificate (the transactional
outbox), so an e-mail exists exactly when its certificate does and a unique key keeps it to one.
``send_due`` claims each due row in its own committed transaction before talking to the SMTP
server and records the outcome after, retrying failures with exponential back-off and giving up
after ``MAX_ATTEMPTS``.

Account e-mails are not kept for ever: ``purge_account_mail`` deletes those finished (sent,
skipped, given up) longer ago than the retention (``CERTMINT_ACCOUNT_MAIL_RETENTION_DAYS``), so
neither the addresses typed into the sign-in form (most of them ``skipped``: no account) nor the
record of links sent pile up. Certificate e-mails stay: they record that a learner was told, and
the unique key that keeps each to one lives on them."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

from certmint.domain.email_templates import DEFAULTS
from certmint.domain.notifications import (
    AccountMailKind,
    Notification,
    NotificationKind,
    NotificationStatus,
    after_failure,
)
from certmint.services.certificates.documents import CertificateDocuments, DocumentFormat
from certmint.services.errors import InvalidInput
from certmint.services.identity.sign_in_links import account_message
from certmint.services.issuers.email_branding import Button, compose_email, mail_brand
from certmint.services.links import Links
from certmint.services.notifications.email_templates import CERTIFICATE_BUTTON, render_email
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "ACCOUNT_MAIL",
    "Mailer",
    "PurgeSummary",
    "SendSummary",
    "SmtpMailer",
    "purge_account_mail",
    "send_due",
]

# The kinds a web process sends itself, straight after queueing them: they are small and
# someone is waiting for them. Certificate e-mails (with their PDFs) are sent by the CLI.
ACCOUNT_MAIL = frozenset(AccountMailKind)

# A claim older than this is taken to be from a sender that died mid-way.
STALE_CLAIM = timedelta(minutes=15)


class Mailer(Protocol):
    """Sends one message; raises ``OSError`` or ``smtplib.SMTPException`` when it cannot."""

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """SMTP over ``smtp://`` (STARTTLS when the server offers it) or ``smtps://``."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("CERTMINT_SMTP_URL must look like smtp://user:password@host:port")
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname
        self._port = parts.port or (465 if self._tls else 25)
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout

    def __repr__(self) -> str:  # never the password
        return f"SmtpMailer({self._host}:{self._port})"

    def send(self, message: EmailMessage) -> None:
        factory = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
        with factory(self._host, self._port, timeout=self._timeout) as smtp:
            if not self._tls and smtp.has_extn("starttls"):
                smtp.starttls()
            if self._username:
                smtp.login(self._username, self._password or "")
            smtp.send_message(message)


@dataclass
class SendSummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0  # sign-in links asked for addresses without a learner account


def _message(
    uow: UnitOfWork,
    notification: Notification,
    *,
    sender: str,
    links: Links,
    documents: CertificateDocuments | None,
) -> EmailMessage:
    kind, certificate_id = notification.kind, notification.certificate_id
    if not isinstance(kind, NotificationKind) or certificate_id is None:
        raise TypeError(f"notification {notification.id} is not about a certificate")
    with uow as tx:
        certificate = tx.certificates.get(certificate_id)
        own = tx.email_templates.get(notification.organisation_id, kind)
        organisation = tx.organisations.get(notification.organisation_id)
        brand = mail_brand(tx, organisation)
    if certificate is None or organisation is None:  # the foreign keys make this impossible
        raise LookupError(notification.certificate_id)
    values = certificate.snapshot["values"]
    verification_url = links.verification(certificate.id)
    email = render_email(
        own or DEFAULTS[kind],
        {
            "learner_name": values["recipient.name"],
            "achievement": values.get("achievement.name", ""),
            "course": values.get("course.name", ""),
            "batch": values.get("batch.name", ""),
            "organisation": values.get("issuer.name", ""),
            "verification_url": verification_url,
            "certificate_number": certificate.number,
            "issue_date": values.get("issued_on", ""),
        },
    )
    message = compose_email(
        brand,
        sender=organisation.email_sender or sender,  # its own From address, if the operator set one
        sender_name=values.get("issuer.name", ""),
        recipient=notification.recipient,
        subject=email.subject,
        text=email.text,
        html=email.html,
        button=Button(verification_url, CERTIFICATE_BUTTON),
    )
    if documents is not None:
        document = documents.document(uow, certificate.id, DocumentFormat.PDF)
        message.add_attachment(
            document.content, maintype="application", subtype="pdf", filename=document.filename
        )
    return message


def _error_text(exc: Exception) -> str:
    if isinstance(exc, InvalidInput):
        return f"{exc.summary}: {'; '.join(map(str, exc.problems))}"
    return f"{type(exc).__name__}: {exc}"


def send_due(
    uow: UnitOfWork,
    mailer: Mailer,
    *,
    sender: str,
    links: Links,
    documents: CertificateDocuments | None = None,
    now: datetime | None = None,
    limit: int = 500,
    kinds: frozenset[str] | None = None,
) -> SendSummary:
    """Send the notifications that are due (of these ``kinds`` only, when given). ``documents``
    given: certificate e-mails carry the PDF."""
    now = now or datetime.now(UTC)
    summary = SendSummary()
    with uow as tx:
        due = tx.notifications.due(now, now - STALE_CLAIM, limit, kinds)
    for notification in due:
        with uow as tx:
            claimed = tx.notifications.claim(notification, now)
            tx.commit()
        if not claimed:
            continue  # another sender has it
        attempts = notification.attempts + 1
        try:
            if isinstance(notification.kind, AccountMailKind):
                message = account_message(uow, notification, sender=sender, links=links, now=now)
            else:
                message = _message(
                    uow,
                    notification,
                    sender=sender,
                    links=links,
                    documents=documents,
                )
            if message is None:
                with uow as tx:
                    tx.notifications.update(notification.id, status=NotificationStatus.SKIPPED)
                    tx.commit()
                summary.skipped += 1
                continue
            mailer.send(message)
        # InvalidInput: a template that no longer passes the checks (it did when saved)
        except (OSError, smtplib.SMTPException, InvalidInput) as exc:
            gave_up, next_attempt_at = after_failure(attempts, now)
            with uow as tx:
                tx.notifications.update(
                    notification.id,
                    status=NotificationStatus.FAILED if gave_up else NotificationStatus.PENDING,
                    next_attempt_at=next_attempt_at,
                    last_error=_error_text(exc)[:1000],
                )
                tx.commit()
            if gave_up:
                summary.failed += 1
            else:
                summary.retrying += 1
            continue
        with uow as tx:
            tx.notifications.update(
                notification.id, status=NotificationStatus.SENT, sent_at=now, last_error=None
            )
            tx.commit()
        summary.sent += 1
    return summary


@dataclass(frozen=True)
class PurgeSummary:
    e_mails: int  # account e-mails deleted from the outbox
    links: int  # sign-in links forgotten


def purge_account_mail(
    uow: UnitOfWork, *, retention: timedelta, now: datetime | None = None
) -> PurgeSummary:
    """Delete the account e-mails queued more than ``retention`` ago that are finished, and
    the sign-in links that expired as long ago. Pending e-mails, however old, are never
    touched (nor any being sent)."""
    before = (now or datetime.now(UTC)) - retention
    with uow as tx:
        e_mails = tx.notifications.delete_finished(ACCOUNT_MAIL, before)
        links = tx.users.delete_links_expired_before(before)
        tx.commit()
    return PurgeSummary(e_mails, links)
