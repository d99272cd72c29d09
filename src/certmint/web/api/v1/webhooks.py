"""Webhooks: endpoints told when certificates are issued, re-issued or revoked (admins only).

Each delivery is signed with the endpoint's secret (HMAC-SHA256, header ``Certmint-Signature``);
the secret is shown once, when the endpoint is created.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from certmint.domain.ids import url_id
from certmint.domain.webhooks import EVENTS, Webhook
from certmint.services.notifications.webhooks import add_webhook, list_webhooks_page, remove_webhook
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import AdminDep, ContainerDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["webhooks"])


class WebhookIn(BaseModel):
    url: str = Field(max_length=2_000, examples=["https://lms.example/certmint-events"])
    events: list[str] = Field(
        default=list(EVENTS), max_length=len(EVENTS), description=f"Of {', '.join(EVENTS)}."
    )


class WebhookOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    url: str
    events: list[str] = Field(examples=[list(EVENTS)])
    active: bool = Field(description="False once removed.")
    created_at: datetime

    @classmethod
    def of(cls, webhook: Webhook) -> WebhookOut:
        return cls(
            id=url_id(webhook.id),
            url=webhook.url,
            events=list(webhook.events),
            active=webhook.active,
            created_at=webhook.created_at,
        )


class WebhookCreated(WebhookOut):
    secret: str = Field(description="Verifies deliveries. Shown this once; keep it.")


@router.post(
    "/webhooks",
    status_code=201,
    response_model=WebhookCreated,
    summary="Add a webhook",
    responses=problems(401, 403, 422),
)
def create(body: WebhookIn, principal: AdminDep, container: ContainerDep) -> WebhookCreated:
    webhook, secret = add_webhook(
        container.uow(),
        principal,
        url=body.url,
        events=body.events,
        policy=container.http_client.policy,
    )
    return WebhookCreated(**WebhookOut.of(webhook).model_dump(), secret=secret)


@router.get(
    "/webhooks",
    response_model=Page[WebhookOut],
    summary="List webhooks",
    responses=problems(401, 403, 422),
)
def webhooks(
    request: Request, principal: AdminDep, container: ContainerDep, paging: PagingDep
) -> Page[WebhookOut]:
    rows = list_webhooks_page(
        container.uow(), principal, after=paging.after_uuid, limit=paging.fetch
    )
    return page_of(request, rows, paging, lambda w: w.id, WebhookOut.of)


@router.delete(
    "/webhooks/{webhook_id}",
    status_code=204,
    summary="Remove a webhook",
    description="Nothing more is delivered to it; it stays listed as inactive.",
    responses=problems(401, 403, 404, 422),
)
def delete(webhook_id: IdPath, principal: AdminDep, container: ContainerDep) -> Response:
    remove_webhook(container.uow(), principal, parse_id("webhook", webhook_id))
    return Response(status_code=204)
