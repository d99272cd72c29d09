"""Settings, webhooks (admins only): the endpoints told about certificates, with the events
each receives; add one (its signing secret is shown once, on the page that answers the form,
never in a URL) or remove one. ``services.notifications.webhooks`` checks, saves and audit-logs."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.accounts import Principal
from certmint.domain.webhooks import EVENTS
from certmint.services.errors import InvalidInput
from certmint.services.notifications.webhooks import add_webhook, list_webhooks, remove_webhook
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.pages.admin.common import FormDep, field, page_id, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_webhooks"
# What the page says after a change (a fixed key in the URL, never text from the request).
DONE = ("removed",)


def _page(
    request: Request,
    principal: Principal,
    container: ContainerDep,
    *,
    secret: str = "",
    problems: Sequence[object] = (),
    form: FormData | None = None,
    status_code: int = 200,
) -> Response:
    done = request.query_params.get("done", "")
    return render(
        request,
        "webhooks.html",
        {
            "webhooks": list_webhooks(container.uow(), principal),
            "events": EVENTS,
            "secret": secret,
            "problems": problems,
            "form": form,
            "done": done if done in DONE else "",
        },
        section="admin_settings",
        status_code=status_code,
    )


@router.get("/settings/webhooks", name=SECTION)
def webhooks_page(request: Request, principal: PageAdminDep, container: ContainerDep) -> Response:
    return _page(request, principal, container)


@router.post("/settings/webhooks", name="admin_webhook_add")
def add(
    request: Request, *, principal: PageAdminDep, container: ContainerDep, form: FormDep
) -> Response:
    """The new endpoint and its secret, on this answer only (not a redirect: the secret is
    never stored where it could be shown again)."""
    events = [value for value in form.getlist("events") if isinstance(value, str)]
    try:
        _, secret = add_webhook(
            container.uow(),
            principal,
            url=field(form, "url").strip(),
            events=events,
            policy=container.http_client.policy,
        )
    except InvalidInput as exc:
        return _page(
            request, principal, container, problems=exc.problems, form=form, status_code=422
        )
    return _page(request, principal, container, secret=secret)


@router.post("/settings/webhooks/{webhook_id}/remove", name="admin_webhook_remove")
def remove(
    webhook_id: str,
    request: Request,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    """Stop sending to an endpoint (its past deliveries stay on record)."""
    remove_webhook(container.uow(), principal, page_id(webhook_id, "webhook"))
    return redirect(request, SECTION, done="removed")
