"""``certmint notifications send``: deliver the e-mails waiting in the outbox."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from certmint.bootstrap import Container
from certmint.cli.state import EXIT_INVALID, fail, state
from certmint.services.notifications import SendSummary, send_due

__all__ = ["app", "deliver"]

app = typer.Typer(help="E-mails to learners (awarded, re-issued).")
console = Console(soft_wrap=True)


def deliver(container: Container) -> SendSummary | None:
    """Send what is due, when an SMTP server is configured."""
    if container.mailer is None:
        return None
    settings = container.settings
    return send_due(
        container.uow(),
        container.mailer,
        sender=settings.mail_from,
        base_url=settings.base_url,
        cache_dir=settings.home / "cache",
        fonts=container.fonts if settings.mail_attach_pdf else None,
    )


@app.command("send")
def send(
    ctx: typer.Context,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="Print nothing when nothing was due.")
    ] = False,
) -> None:
    """Send due e-mails now; failures are retried later with back-off."""
    summary = deliver(state(ctx).container())
    if summary is None:
        fail(EXIT_INVALID, "no SMTP server: set CERTMINT_SMTP_URL (smtp://user:password@host:port)")
    if not quiet or summary.sent or summary.retrying or summary.failed:
        console.print(
            f"{summary.sent} sent, {summary.retrying} to retry, {summary.failed} given up"
        )
