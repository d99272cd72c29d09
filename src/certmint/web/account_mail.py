"""Sending account e-mails (sign-in links, invitations) from the web process: straight after
the page that queued one has answered, and every minute for those waiting for a retry. The
outbox claim keeps several workers from sending one twice."""

from __future__ import annotations

import asyncio
import logging

from fastapi.concurrency import run_in_threadpool

from certmint.bootstrap import Container
from certmint.services.notifications import ACCOUNT_MAIL, send_due

__all__ = ["RETRY_INTERVAL_SECONDS", "deliver_account_mail", "deliver_account_mail_periodically"]

log = logging.getLogger(__name__)
RETRY_INTERVAL_SECONDS = 60.0


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
        base_url=settings.base_url,
        cache_dir=settings.home / "cache",
        kinds=ACCOUNT_MAIL,
    )


async def deliver_account_mail_periodically(container: Container) -> None:
    """Retry what is due every ``RETRY_INTERVAL_SECONDS`` until cancelled."""
    while True:
        await asyncio.sleep(RETRY_INTERVAL_SECONDS)
        try:
            await run_in_threadpool(deliver_account_mail, container)
        except Exception:  # the database may be away for a moment; the e-mails wait
            log.exception("sending account e-mails failed; will retry")
