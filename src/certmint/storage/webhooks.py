"""Webhooks and their delivery outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.domain.webhooks import DeliveryStatus, Webhook, WebhookDelivery
from certmint.storage.bulk import bulk_insert
from certmint.storage.outbox import claim_row, due_rows
from certmint.storage.pages import keyset
from certmint.storage.tables import WebhookDeliveryRow, WebhookRow

__all__ = ["SqlAlchemyWebhookRepository"]


def _webhook(row: WebhookRow) -> Webhook:
    return Webhook(
        row.id, row.organisation_id, row.url, tuple(row.events), row.active, row.created_at
    )


def _delivery(row: WebhookDeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        row.id,
        row.webhook_id,
        row.event,
        row.payload,
        DeliveryStatus(row.status),
        row.attempts,
        row.next_attempt_at,
        row.created_at,
    )


class SqlAlchemyWebhookRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, webhook: Webhook, secret: str) -> None:
        self._session.add(
            WebhookRow(
                id=webhook.id,
                organisation_id=webhook.organisation_id,
                url=webhook.url,
                secret=secret,
                events=list(webhook.events),
                active=webhook.active,
                created_at=webhook.created_at,
            )
        )

    def for_organisation(self, organisation_id: UUID) -> list[Webhook]:
        rows = self._session.scalars(
            select(WebhookRow)
            .where(WebhookRow.organisation_id == organisation_id)
            .order_by(WebhookRow.created_at)
        )
        return [_webhook(row) for row in rows]

    def page(self, organisation_id: UUID, *, after: UUID | None, limit: int) -> list[Webhook]:
        query = select(WebhookRow).where(WebhookRow.organisation_id == organisation_id)
        rows = self._session.scalars(keyset(query, WebhookRow.id, after=after, limit=limit))
        return [_webhook(row) for row in rows]

    def get(self, organisation_id: UUID, webhook_id: UUID) -> Webhook | None:
        row = self._session.get(WebhookRow, webhook_id)
        return None if row is None or row.organisation_id != organisation_id else _webhook(row)

    def secret_and_url(self, webhook_id: UUID) -> tuple[str, str]:
        row = self._session.get(WebhookRow, webhook_id)
        if row is None:
            raise LookupError(webhook_id)
        return row.secret, row.url

    def deactivate(self, webhook_id: UUID) -> None:
        self._session.execute(
            update(WebhookRow).where(WebhookRow.id == webhook_id).values(active=False)
        )

    def add_deliveries(self, deliveries: Sequence[WebhookDelivery]) -> None:
        bulk_insert(
            self._session,
            WebhookDeliveryRow,
            [
                {
                    "id": d.id,
                    "webhook_id": d.webhook_id,
                    "event": d.event,
                    "payload": d.payload,
                    "status": d.status.value,
                    "attempts": d.attempts,
                    "next_attempt_at": d.next_attempt_at,
                    "created_at": d.created_at,
                }
                for d in deliveries
            ],
        )

    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[WebhookDelivery]:
        rows = due_rows(self._session, WebhookDeliveryRow, now, stale_before, limit)
        return [_delivery(row) for row in rows]

    def claim(self, delivery: WebhookDelivery, now: datetime) -> bool:
        return claim_row(
            self._session,
            WebhookDeliveryRow,
            delivery.id,
            status=delivery.status.value,
            attempts=delivery.attempts,
            now=now,
        )

    def update_delivery(self, delivery_id: UUID, **values: Any) -> None:
        if "status" in values:
            values["status"] = DeliveryStatus(values["status"]).value
        self._session.execute(
            update(WebhookDeliveryRow).where(WebhookDeliveryRow.id == delivery_id).values(**values)
        )
