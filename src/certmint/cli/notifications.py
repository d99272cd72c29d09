"""``certmint notifications send``: deliver the e-mails waiting in the outbox;
``certmint notifications purge``: delete the finished account e-mails older than the retention;
``certmint notifications templates show|set|reset|preview``: the organisation's own texts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from certmint.bootstrap import Container
from certmint.cli.state import (
    EXIT_INVALID,
    JsonOption,
    OrgOption,
    fail,
    in_organisation,
    print_json,
    state,
)
from certmint.cli.terminal import console, styled
from certmint.domain.accounts import Principal
from certmint.domain.email_templates import EmailTemplate
from certmint.domain.notifications import NotificationKind
from certmint.services.notifications.email_templates import (
    RenderedEmail,
    email_template,
    preview_email_template,
    reset_email_template,
    set_email_template,
)
from certmint.services.notifications.mail import SendSummary, purge_account_mail, send_due

__all__ = ["app", "deliver"]

app = typer.Typer(help="E-mails to learners (awarded, re-issued).")


def deliver(container: Container, *, kinds: frozenset[str] | None = None) -> SendSummary | None:
    """Send what is due (of these ``kinds``, when given) if an SMTP server is configured."""
    if container.mailer is None:
        return None
    settings = container.settings
    return send_due(
        container.uow(),
        container.mailer,
        sender=settings.mail_from,
        links=container.links,
        documents=container.documents if settings.mail_attach_pdf else None,
        kinds=kinds,
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


@app.command("purge")
def purge(
    ctx: typer.Context,
    older_than_days: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=36_500,  # a century; past that the date to compare with does not exist
            help="Retention in days [default: CERTMINT_ACCOUNT_MAIL_RETENTION_DAYS].",
        ),
    ] = None,
) -> None:
    """Delete sent, skipped and given-up account e-mails (sign-in links, invitations) queued
    longer ago than the retention, and the sign-in links expired as long ago. Pending e-mails
    and certificate e-mails stay. The web process does this every hour by itself."""
    container = state(ctx).container()
    days = older_than_days or container.settings.account_mail_retention_days
    purged = purge_account_mail(container.uow(), retention=timedelta(days=days))
    console.print(
        f"{purged.e_mails} account e-mails and {purged.links} sign-in links older than "
        f"{days} days deleted"
    )


templates_app = typer.Typer(help="The e-mail texts, per organisation (Jinja2 placeholders).")
app.add_typer(templates_app, name="templates")
KindOption = Annotated[
    NotificationKind, typer.Option("--kind", help="Which e-mail: on award, or on re-issue.")
]
FileOption = Annotated[Path | None, typer.Option(exists=True, dir_okay=False, readable=True)]


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(EXIT_INVALID, f"{what}: {path} is not UTF-8 text")


def _print(rendered: EmailTemplate | RenderedEmail, heading: str, as_json: bool) -> None:
    parts = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
    if as_json:
        print_json({"source": heading, **parts})
        return
    console.print(styled((heading, "bold")))
    for name, value in parts.items():
        if value is not None:
            console.rule(name)
            console.out(value)


@templates_app.command("show")
def show(
    ctx: typer.Context,
    kind: KindOption = NotificationKind.ISSUED,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the template in use (the organisation's own, or the default)."""
    with in_organisation(ctx, org) as (container, organisation):
        template, own = email_template(container.uow(), organisation.id, kind)
    _print(template, "own" if own else "default", as_json)


@templates_app.command("set")
def set_(
    ctx: typer.Context,
    subject: Annotated[str, typer.Option(help="The subject line (placeholders allowed).")],
    text: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Plain-text body file.")],
    html: FileOption = None,
    kind: KindOption = NotificationKind.ISSUED,
    org: OrgOption = None,
) -> None:
    """Use your own text (and optional HTML) for this kind of e-mail; it is checked first."""
    template = EmailTemplate(
        subject, _read(text, "--text"), _read(html, "--html") if html is not None else None
    )
    with in_organisation(ctx, org) as (container, organisation):
        set_email_template(container.uow(), Principal.at_shell(organisation.id), kind, template)
    console.print(f"saved the {kind} e-mail template")


@templates_app.command("reset")
def reset(
    ctx: typer.Context, kind: KindOption = NotificationKind.ISSUED, org: OrgOption = None
) -> None:
    """Go back to the default text for this kind of e-mail."""
    with in_organisation(ctx, org) as (container, organisation):
        removed = reset_email_template(container.uow(), Principal.at_shell(organisation.id), kind)
    console.print(
        f"the {kind} e-mail uses the default text" + ("" if removed else " (it did already)")
    )


@templates_app.command("preview")
def preview(
    ctx: typer.Context,
    kind: KindOption = NotificationKind.ISSUED,
    subject: Annotated[str | None, typer.Option(help="Preview this subject instead.")] = None,
    text: FileOption = None,
    html: FileOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """The e-mail with sample values: of the template in use, or of the files given (not saved)."""
    with in_organisation(ctx, org) as (container, organisation):
        current, _ = email_template(container.uow(), organisation.id, kind)
        draft = None
        if subject is not None or text is not None or html is not None:
            draft = EmailTemplate(
                subject if subject is not None else current.subject,
                _read(text, "--text") if text is not None else current.text,
                _read(html, "--html") if html is not None else current.html,
            )
        rendered = preview_email_template(container.uow(), organisation.id, kind, draft)
    _print(rendered, "preview (sample values)", as_json)
