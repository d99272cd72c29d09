"""Sending account e-mails (sign-in links, invitations) from the web process: straight after
the page that queued one has answered, and every minute for those waiting for a retry. The
outbox claim keeps several workers from sending one twice. Once an hour the process's
scheduler also deletes the finished ones older than the retention
(``services.notifications.mail.purge_account_mail``)."""

from __future__ import annotations

import logging
from datetime import timedelta

from certmint.bootstrap import Container, Periodic
from certmint.services.notifications.mail import ACCOUNT_MAIL, purge_account_mail, send_due

__all__ = [
    "PURGE_INTERVAL_SECONDS",
    "RETRY_INTERVAL_SECONDS",
    "account_mail_work",
    "deliver_account_mail",
    "purge_old_account_mail",
]

log = logging.getLogger(__name__)
RETRY_INTERVAL_SECONDS = 60.0
PURGE_INTERVAL_SECONDS = 3600.0


def deliver_account_mail(container: Container) -> None:
    """Send the account e-mails that are due (nothing without an SMTP server). An SMTP failure
    is recorded on the e-mail and retried with back-off; it never reaches the page."""
    mailer = container.mailer
    if mailer is None:
        return
    settings = container.settings
    send_due(
        container.uow(),
        mailer,
        sender=settings.mail_from,
        links=container.links,
        kinds=ACCOUNT_MAIL,
    )


def purge_old_account_mail(container: Container) -> None:
    """Delete the finished account e-mails (and expired links) older than the retention."""
    days = container.settings.account_mail_retention_days
    purged = purge_account_mail(container.uow(), retention=timedelta(days=days))
    if purged.e_mails or purged.links:
        log.info(
            "deleted %d account e-mails and %d sign-in links older than %d days",
            purged.e_mails,
            purged.links,
            days,
        )


def account_mail_work(container: Container) -> list[Periodic]:
    """For the web process's scheduler: retry what is due every ``RETRY_INTERVAL_SECONDS``,
    and purge what is older than the retention every ``PURGE_INTERVAL_SECONDS`` (first after
    one retry interval)."""
    return [
        Periodic(
            "sending account e-mails",
            RETRY_INTERVAL_SECONDS,
            lambda: deliver_account_mail(container),
        ),
        Periodic(
            "purging old account e-mails",
            PURGE_INTERVAL_SECONDS,
            lambda: purge_old_account_mail(container),
            first=RETRY_INTERVAL_SECONDS,
        ),
    ]
