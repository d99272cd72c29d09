"""``certmint certificates list|download|suspend|reinstate``, ``certmint reissue`` and
``certmint revoke``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer
from rich.table import Table

from certmint.bootstrap import Container
from certmint.cli.notifications import deliver as deliver_mail
from certmint.cli.state import (
    EXIT_INVALID,
    JsonOption,
    OrgOption,
    fail,
    in_organisation,
    print_json,
)
from certmint.cli.terminal import console
from certmint.cli.webhooks import deliver as deliver_events
from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate
from certmint.domain.ids import parse_url_id, url_id
from certmint.services.catalogue.roster import resolve_batch, resolve_learner
from certmint.services.certificates.documents import DocumentFormat
from certmint.services.certificates.lifecycle import (
    list_certificates,
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.links import Links

__all__ = ["app", "reinstate", "reissue", "revoke", "suspend"]

app = typer.Typer(help="Issued certificates.")
CertArgument = Annotated[
    str, typer.Argument(help="Certificate id (as in its verification URL, or the UUID).")
]
ReasonOption = Annotated[
    str,
    typer.Option(
        help="Why (kept in the audit log; shown when verifying a revoked or suspended one)."
    ),
]
NoteOption = Annotated[
    str | None,
    typer.Option(help="An internal note: kept in the audit log, never shown when verifying."),
]


def _id(reference: str) -> UUID:
    found = parse_url_id(reference)
    if found is None:
        fail(EXIT_INVALID, f"{reference!r} is not a certificate id")
    return found


def _json(certificate: Certificate, links: Links) -> dict[str, object]:
    values = certificate.snapshot.get("values", {})
    return {
        "id": url_id(certificate.id),
        "uuid": certificate.id,
        "number": certificate.number,
        "status": certificate.status,
        "name": values.get("recipient.name"),
        "achievement": values.get("achievement.name"),
        "issued_at": certificate.issued_at,
        "valid_until": certificate.valid_until,
        "verification_url": links.verification(certificate.id),
        "supersedes": url_id(certificate.supersedes_id) if certificate.supersedes_id else None,
        "superseded_by": url_id(certificate.superseded_by_id)
        if certificate.superseded_by_id
        else None,
        "status_reason": certificate.status_reason,
    }


@app.command("list")
def list_(
    ctx: typer.Context,
    batch: Annotated[str | None, typer.Option(help="Only this batch's certificates.")] = None,
    learner: Annotated[
        str | None, typer.Option(help="Only this learner's (our id or the LMS's).")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="At most this many.")] = 1000,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """List certificates, newest ids first within each page."""
    with in_organisation(ctx, org) as (container, organisation):
        batch_id = resolve_batch(container.uow(), organisation.id, batch)[1].id if batch else None
        learner_id = (
            resolve_learner(container.uow(), organisation.id, learner).id if learner else None
        )
        found = list_certificates(
            container.uow(), organisation.id, batch_id=batch_id, learner_id=learner_id, limit=limit
        )
    if as_json:
        print_json([_json(c, container.links) for c in found])
        return
    table = Table("id", "number", "status", "name", "achievement", "issued")
    for c in found:
        values = c.snapshot.get("values", {})
        table.add_row(
            url_id(c.id),
            c.number,
            c.status,
            values.get("recipient.name", ""),
            values.get("achievement.name", ""),
            values.get("issued_on", ""),
        )
    console.print(table)


@app.command("download")
def download(
    ctx: typer.Context,
    certificate: CertArgument,
    out: Annotated[Path, typer.Option(help="Where to write it.")],
    format_: Annotated[
        DocumentFormat, typer.Option("--format", help="ob3 is the signed credential (JSON).")
    ] = DocumentFormat.PDF,
    org: OrgOption = None,
) -> None:
    """Write one certificate as PDF (with its credential attached), PNG, SVG or OB3 JSON."""
    with in_organisation(ctx, org) as (container, organisation):
        document = container.documents.document(
            container.uow(), _id(certificate), format_, organisation_id=organisation.id
        )
    out.touch(mode=0o600)  # private whatever the umask, like every file we write
    out.write_bytes(document.content)
    console.print(f"{out} ({len(document.content):,} bytes)")


def reissue(
    ctx: typer.Context,
    certificate: CertArgument,
    reason: ReasonOption,
    name: Annotated[str | None, typer.Option(help="The corrected name to print.")] = None,
    keep_issue_date: Annotated[
        bool, typer.Option("--keep-issue-date", help="Keep the original issue date.")
    ] = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace a certificate (e.g. a misspelt name); the old one becomes superseded."""
    with in_organisation(ctx, org) as (container, organisation):
        new = reissue_certificate(
            container.uow(),
            container.signing,
            Principal.at_shell(organisation.id),
            _id(certificate),
            reason=reason,
            name=name,
            keep_issue_date=keep_issue_date,
        )
    deliver_mail(container)
    deliver_events(container)
    if as_json:
        print_json(_json(new, container.links))
    else:
        console.print(url_id(new.id))


#: change(container, organisation id, certificate id) -> the changed certificate
StatusChange = Callable[[Container, UUID, UUID], Certificate]


def _change_status(
    ctx: typer.Context,
    certificate: str,
    org: str | None,
    as_json: bool,
    change: StatusChange,
    verb: str,
) -> None:
    """Revoke, suspend or reinstate: one service call, then the webhook events go out."""
    with in_organisation(ctx, org) as (container, organisation):
        changed = change(container, organisation.id, _id(certificate))
    deliver_events(container)
    if as_json:
        print_json(_json(changed, container.links))
    else:
        console.print(f"{verb} {url_id(changed.id)}")


def revoke(
    ctx: typer.Context,
    certificate: CertArgument,
    reason: ReasonOption,
    note: NoteOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a certificate for good; verification shows it as revoked, with the reason."""
    _change_status(
        ctx,
        certificate,
        org,
        as_json,
        _public_change(revoke_certificate, reason, note),
        "revoked",
    )


def _public_change(
    service: Callable[..., Certificate], reason: str, note: str | None
) -> StatusChange:
    """Revoking and suspending: a public reason and an internal note, by the operator."""
    return lambda c, org_id, cid: service(
        c.uow(), Principal.at_shell(org_id), cid, reason=reason, note=note, signing=c.signing
    )


@app.command("suspend")
def suspend(
    ctx: typer.Context,
    certificate: CertArgument,
    reason: ReasonOption,
    note: NoteOption = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Suspend a certificate until it is reinstated; verification shows it as suspended."""
    _change_status(
        ctx,
        certificate,
        org,
        as_json,
        _public_change(suspend_certificate, reason, note),
        "suspended",
    )


@app.command("reinstate")
def reinstate(
    ctx: typer.Context,
    certificate: CertArgument,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Make a suspended certificate valid again."""
    _change_status(
        ctx,
        certificate,
        org,
        as_json,
        lambda c, org_id, cid: reinstate_certificate(
            c.uow(), Principal.at_shell(org_id), cid, signing=c.signing, reason=reason
        ),
        "reinstated",
    )
