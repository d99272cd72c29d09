"""Webhooks: other systems told when certificates are issued, re-issued, revoked, suspended or
reinstated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

__all__ = ["EVENTS", "DeliveryStatus", "Webhook", "WebhookDelivery"]

EVENTS = (
    "certificate.issued",
    "certificate.reissued",
    "certificate.revoked",
    "certificate.suspended",
    "certificate.reinstated",
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Webhook:
    id: UUID
    organisation_id: UUID
    url: str
    events: tuple[str, ...]
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: UUID
    webhook_id: UUID
    event: str
    payload: dict[str, object]
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
