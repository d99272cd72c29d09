"""``certmint webhooks ...``: tell other systems about certificates."""

from __future__ import annotations

from typing import Annotated

import typer

from certmint.bootstrap import Container
from certmint.cli.state import JsonOption, OrgOption, in_organisation, print_json, state
from certmint.cli.terminal import console
from certmint.domain.accounts import Principal
from certmint.domain.webhooks import EVENTS
from certmint.services.notifications.webhooks import (
    DeliverySummary,
    add_webhook,
    deliver_due,
    list_webhooks,
)

__all__ = ["app", "deliver"]

app = typer.Typer(help="Webhooks: certificate.issued, .reissued and .revoked, HMAC-signed.")


def deliver(container: Container) -> DeliverySummary:
    """Deliver the events that are due (after issuing, revoking or re-issuing)."""
    return deliver_due(container.uow(), container.http_client.post)


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Option(help="The endpoint that receives POSTs.")],
    event: Annotated[
        list[str] | None, typer.Option(help=f"Event to send (default: all): {', '.join(EVENTS)}.")
    ] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an endpoint; prints the signing secret once."""
    with in_organisation(ctx, org) as (container, organisation):
        webhook, secret = add_webhook(
            container.uow(),
            Principal.at_shell(organisation.id),
            url=url,
            events=event or EVENTS,
            policy=container.http_client.policy,
        )
    if as_json:
        print_json(
            {"id": webhook.id, "url": webhook.url, "events": webhook.events, "secret": secret}
        )
    else:
        console.print(secret)


@app.command("list")
def list_(ctx: typer.Context, org: OrgOption = None) -> None:
    """The organisation's webhooks (never their secrets)."""
    with in_organisation(ctx, org) as (container, organisation):
        hooks = list_webhooks(container.uow(), Principal.at_shell(organisation.id))
    for hook in hooks:
        state_ = "active" if hook.active else "inactive"
        console.print(f"{hook.id}  {hook.url}  [{', '.join(hook.events)}]  {state_}")


@app.command("deliver")
def deliver_command(ctx: typer.Context) -> None:
    """Deliver due events now; failures are retried later with back-off."""
    summary = deliver(state(ctx).container())
    console.print(
        f"{summary.delivered} delivered, {summary.retrying} to retry, {summary.failed} given up"
    )
