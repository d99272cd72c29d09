"""Webhooks: ``certificate.issued``, ``.reissued``, ``.revoked``, ``.suspended`` and
``.reinstated``, signed and retried.

Events are written as delivery rows in the same transaction as the change (an outbox:
``services/certificate_events.py``), so a rolled-back change sends nothing and a committed one
is never lost. ``deliver_due`` POSTs each
with ``Certmint-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` under the
webhook's secret; a receiver recomputes it and rejects stale timestamps. Anything but a 2xx
answer is retried with back-off, up to ``MAX_ATTEMPTS``.

Endpoints are judged by the outbound address policy twice: when saved (the URL as written: its
scheme, and its host when that is an address) and by the guarded client at every delivery
(the addresses the name resolves to then), so neither an admin nor a DNS change can aim
deliveries at this host or its private network unless the operator allows it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from certmint.adapters import OutboundError, OutboundPolicy, OutboundRefused
from certmint.domain.accounts import Principal
from certmint.domain.notifications import after_failure
from certmint.domain.webhooks import EVENTS, DeliveryStatus, Webhook, WebhookDelivery
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "SIGNATURE_HEADER",
    "DeliverySummary",
    "Poster",
    "add_webhook",
    "deliver_due",
    "list_webhooks",
    "list_webhooks_page",
    "remove_webhook",
    "signature",
]

SIGNATURE_HEADER = "Certmint-Signature"
STALE_CLAIM = timedelta(minutes=15)
_STRICTEST = OutboundPolicy()  # https and public addresses only: what a caller gets by default


class Poster(Protocol):
    """POSTs a body; returns the HTTP status, raises ``OutboundError`` when nothing answered or
    the target is refused (``GuardedHttpClient.post``)."""

    def __call__(self, url: str, body: bytes, headers: dict[str, str]) -> int: ...


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def add_webhook(
    uow: UnitOfWork,
    principal: Principal,
    *,
    url: str,
    events: Iterable[str] = EVENTS,
    policy: OutboundPolicy = _STRICTEST,
) -> tuple[Webhook, str]:
    """Register an endpoint (admins: ``Action.ADMINISTER``); returns it and the signing
    secret (shown once to the caller).

    ``policy`` is the operator's outbound policy (``Container.http_client.policy``); without
    one, the strictest applies (https, public addresses only)."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    problems = []
    try:
        policy.check_url(url)
    except OutboundRefused as exc:
        problems.append(f"url: {exc.reason}")
    chosen = tuple(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown or not chosen:
        problems.append(f"events: choose from {', '.join(EVENTS)}")
    if problems:
        raise InvalidInput(problems, "webhook rejected")
    webhook = Webhook(uuid.uuid4(), organisation_id, url, chosen, True, datetime.now(UTC))
    secret = "whsec_" + secrets.token_urlsafe(32)
    with uow as tx:
        if tx.organisations.get(organisation_id) is None:
            raise NotFound("organisation", organisation_id)
        tx.webhooks.add(webhook, secret)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="webhook.added",
            subject_type="webhook",
            subject_id=webhook.id,
            details={"url": url, "events": list(chosen)},
            at=webhook.created_at,
        )
        tx.commit()
    return webhook, secret


def list_webhooks(uow: UnitOfWork, principal: Principal) -> list[Webhook]:
    """The organisation's endpoints, for its admins (their URLs name its integrations)."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        return tx.webhooks.for_organisation(principal.organisation_id)


def list_webhooks_page(
    uow: UnitOfWork, principal: Principal, *, after: UUID | None, limit: int
) -> list[Webhook]:
    """Endpoints in id order, removed ones included (``active`` false); admins."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        return tx.webhooks.page(principal.organisation_id, after=after, limit=limit)


def remove_webhook(uow: UnitOfWork, principal: Principal, webhook_id: UUID) -> None:
    """Stop delivering to an endpoint (admins). Its row stays (deliveries already made refer
    to it) but it is never sent to again; removing it twice is ``NotFound``."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    with uow as tx:
        webhook = tx.webhooks.get(organisation_id, webhook_id)
        if webhook is None or not webhook.active:
            raise NotFound("webhook", webhook_id)
        tx.webhooks.deactivate(webhook_id)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="webhook.removed",
            subject_type="webhook",
            subject_id=webhook_id,
            details={"url": webhook.url},
        )
        tx.commit()


@dataclass
class DeliverySummary:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_due(
    uow: UnitOfWork, post: Poster, *, now: datetime | None = None, limit: int = 500
) -> DeliverySummary:
    now = now or datetime.now(UTC)
    summary = DeliverySummary()
    with uow as tx:
        due = tx.webhooks.due(now, now - STALE_CLAIM, limit)
    for delivery in due:
        with uow as tx:
            claimed = tx.webhooks.claim(delivery, now)
            secret, url = tx.webhooks.secret_and_url(delivery.webhook_id)
            tx.commit()
        if not claimed:
            continue
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, int(now.timestamp()), body),
            "Certmint-Event": delivery.event,
            "Certmint-Delivery": str(delivery.id),
        }
        error: str | None = None
        try:
            status = post(url, body, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except OutboundError as exc:  # one sentence, never why a connection failed
            error = str(exc)
        _record_outcome(uow, delivery, error, now, summary)
    return summary


def _record_outcome(
    uow: UnitOfWork,
    delivery: WebhookDelivery,
    error: str | None,
    now: datetime,
    summary: DeliverySummary,
) -> None:
    attempts = delivery.attempts + 1
    values: dict[str, Any]
    if error is None:
        values = {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "last_error": None}
        summary.delivered += 1
    else:
        gave_up, next_attempt_at = after_failure(attempts, now)
        values = {
            "status": DeliveryStatus.FAILED if gave_up else DeliveryStatus.PENDING,
            "last_error": error[:1000],
            "next_attempt_at": next_attempt_at,
        }
        if gave_up:
            summary.failed += 1
        else:
            summary.retrying += 1
    with uow as tx:
        tx.webhooks.update_delivery(delivery.id, **values)
        tx.commit()
