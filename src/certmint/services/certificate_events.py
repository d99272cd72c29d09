"""Certificate events for webhooks (``certificate.issued``, ``.reissued``, ``.revoked``, ...),
written as pending deliveries in the transaction of the change itself (an outbox). Issuance and
status changes write here; ``notifications/webhooks.py`` delivers. Apart from both so that the
work that changes certificates does not depend on the package that tells people about it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from certmint.domain.certificates import Certificate
from certmint.domain.ids import url_id
from certmint.domain.webhooks import DeliveryStatus, WebhookDelivery
from certmint.services.links import Links
from certmint.services.unit_of_work import OpenUnitOfWork

__all__ = ["enqueue_certificate_events"]

_WITH_REASON = ("certificate.revoked", "certificate.suspended")


def enqueue_certificate_events(
    uow: OpenUnitOfWork,
    organisation_id: UUID,
    event: str,
    certificates: Iterable[Certificate],
    *,
    links: Links,
    now: datetime,
) -> None:
    """Queue ``event`` for each certificate (the caller commits)."""
    hooks = [
        w for w in uow.webhooks.for_organisation(organisation_id) if w.active and event in w.events
    ]
    if not hooks:
        return
    deliveries = []
    for certificate in certificates:
        values = certificate.snapshot.get("values", {})
        data: dict[str, object] = {
            "certificate_id": url_id(certificate.id),
            "number": certificate.number,
            "status": certificate.status.value,
            "achievement_id": str(certificate.achievement_id),
            "learner_id": str(certificate.learner_id),
            "recipient_name": values.get("recipient.name"),
            "verification_url": links.verification(certificate.id),
        }
        if certificate.supersedes_id:
            data["supersedes"] = url_id(certificate.supersedes_id)
        if certificate.status_reason and event in _WITH_REASON:
            data["reason"] = certificate.status_reason
        for hook in hooks:
            delivery_id = uuid.uuid4()
            payload: dict[str, object] = {
                "id": str(delivery_id),
                "type": event,
                "created": now.isoformat(),
                "data": data,
            }
            deliveries.append(
                WebhookDelivery(
                    delivery_id, hook.id, event, payload, DeliveryStatus.PENDING, 0, now, now
                )
            )
    uow.webhooks.add_deliveries(deliveries)
