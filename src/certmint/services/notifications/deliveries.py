"""The after-commit path of issuance: once a chunk that queued certificate e-mails and webhook
events (in its own transaction, the outboxes) has committed, ``wake`` has them sent on a thread
of this process, whoever triggered the work and whichever executor ran it (a thread of the web
process or the CLI, a Celery worker). Sending never holds up issuance, an SMTP outage or a
slow webhook receiver never rolls a certificate back, and the outboxes' claims keep two
processes from sending one message twice. What fails is retried with back-off by the next
wake or by ``certmint notifications send`` and ``certmint webhooks deliver``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from certmint.domain.notifications import NotificationKind
from certmint.services.certificates.documents import CertificateDocuments
from certmint.services.links import Links
from certmint.services.notifications.mail import Mailer, SendSummary, send_due
from certmint.services.notifications.webhooks import DeliverySummary, Poster, deliver_due
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["Deliveries"]

log = logging.getLogger(__name__)
CERTIFICATE_MAIL = frozenset(NotificationKind)


class Deliveries:
    """Sends what is due in the certificate e-mail and webhook outboxes, when woken.

    ``mailer`` None leaves e-mails waiting (no SMTP server configured); with ``documents`` a
    certificate's e-mail carries its PDF (None: it does not).
    """

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        post: Poster,
        mailer: Mailer | None,
        *,
        sender: str,
        links: Links,
        documents: CertificateDocuments | None,
    ) -> None:
        self._new_uow = new_uow
        self._post = post
        self._mailer = mailer
        self._sender = sender
        self._links = links
        self._documents = documents
        self._changed = threading.Condition()
        self._asked = 0
        self._done = 0
        self._thread: threading.Thread | None = None
        #: What this process sent so far (None without an SMTP server).
        self.mailed: SendSummary | None = SendSummary() if mailer is not None else None
        self.events = DeliverySummary()

    def wake(self) -> None:
        """Something was queued and committed: send what is due soon (returns at once)."""
        with self._changed:
            self._asked += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="certmint-deliveries", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    def settle(self, timeout: float | None = None) -> bool:
        """Wait until everything woken for so far has been tried (a process about to exit);
        False when ``timeout`` ran out first."""
        with self._changed:
            target = self._asked
            return self._changed.wait_for(lambda: self._done >= target, timeout)

    def deliver(self) -> None:
        """Send what is due now, in this thread."""
        if self._mailer is not None and self.mailed is not None:
            mailed = send_due(
                self._new_uow(),
                self._mailer,
                sender=self._sender,
                links=self._links,
                documents=self._documents,
                kinds=CERTIFICATE_MAIL,
            )
            self.mailed.sent += mailed.sent
            self.mailed.retrying += mailed.retrying
            self.mailed.failed += mailed.failed
            self.mailed.skipped += mailed.skipped
        events = deliver_due(self._new_uow(), self._post)
        self.events.delivered += events.delivered
        self.events.retrying += events.retrying
        self.events.failed += events.failed

    def _loop(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._asked > self._done)
                target = self._asked
            try:
                self.deliver()
            except Exception:  # the database or a server is away: the next wake retries
                log.exception("sending certificate e-mails and webhook events failed")
            with self._changed:
                self._done = target
                self._changed.notify_all()
