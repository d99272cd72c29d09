"""``certmint orgs ...``: the instance's organisations (tenants), as its operator manages them.

Whoever runs the command line operates the instance: it creates, renames, brands and suspends
organisations. Each organisation's own work (users, templates, issuing) is done with the other
commands' ``--org <slug>``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from certmint.bootstrap import Container
from certmint.cli.state import JsonOption, print_json, state
from certmint.cli.terminal import console
from certmint.domain.accounts import Principal
from certmint.domain.organisations import Organisation
from certmint.services.issuers.organisations import (
    OrganisationChanges,
    add_organisation,
    change_organisation,
    find_organisation,
    list_organisations,
    organisation_overview,
)
from certmint.services.links import Links

__all__ = ["app"]

app = typer.Typer(help="Organisations: create, rename, brand and suspend the instance's tenants.")

SlugArgument = Annotated[str, typer.Argument(help="The organisation's slug (`orgs list`).")]


def _operator(container: Container) -> Principal:
    """The operator at the server's shell, acting from the default organisation."""
    return Principal.at_shell(find_organisation(container.uow()).id)


def _summary(organisation: Organisation, links: Links) -> dict[str, object]:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "url": organisation.url,
        "did": links.did(organisation),
        "default": organisation.is_default,
        "status": "suspended" if organisation.suspended else "active",
        "suspended_at": organisation.suspended_at,
        "suspension_shown": organisation.suspension_shown,
        "primary_colour": organisation.branding.primary_colour,
        "accent_colour": organisation.branding.accent_colour,
        "logo": bool(organisation.branding.logo_type),
        "email_sender": organisation.email_sender,
    }


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The organisation's name, as certificates print it.")],
    slug: Annotated[
        str | None,
        typer.Option(help="Its slug in URLs and its DID (default: made from the name); fixed."),
    ] = None,
    url: Annotated[str, typer.Option(help="Its website.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an organisation with its signing key; add its admins with `users add --org`."""
    container = state(ctx).container()
    organisation = add_organisation(
        container.uow(), container.key_store, _operator(container), name, slug=slug, url=url
    )
    summary = _summary(organisation, container.links)
    if as_json:
        print_json(summary)
    else:
        console.print(f"created {organisation.slug} ({summary['did']})")


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every organisation: slug, status and name."""
    container = state(ctx).container()
    organisations = list_organisations(container.uow(), _operator(container))
    if as_json:
        print_json([_summary(o, container.links) for o in organisations])
        return
    for o in organisations:
        status = "suspended" if o.suspended else "active"
        console.print(f"{o.slug}  {status}{'  default' if o.is_default else ''}  {o.name}")


@app.command("show")
def show(ctx: typer.Context, slug: SlugArgument, as_json: JsonOption = False) -> None:
    """One organisation: its settings, DID, admins and signing keys."""
    container = state(ctx).container()
    overview = organisation_overview(container.uow(), _operator(container), slug)
    summary = _summary(overview.organisation, container.links)
    summary["admins"] = [u.email for u in overview.admins]
    summary["course_managers"] = overview.course_managers
    summary["keys"] = [
        {"key_id": k.key_id, "created_at": k.created_at, "retired_at": k.retired_at}
        for k in overview.keys
    ]
    if as_json:
        print_json(summary)
        return
    summary["keys"] = [k.key_id for k in overview.keys if k.retired_at is None]
    for label, value in summary.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        console.print(f"{label}: {'-' if shown in (None, '') else shown}", highlight=False)


@app.command("update")
def update(
    ctx: typer.Context,
    slug: SlugArgument,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    url: Annotated[str | None, typer.Option(help="A new website (empty: none).")] = None,
    primary_colour: Annotated[
        str | None, typer.Option(help="#rrggbb of its pages' headings and buttons (empty: ours).")
    ] = None,
    accent_colour: Annotated[
        str | None, typer.Option(help="#rrggbb of its pages' accents (empty: ours).")
    ] = None,
    logo: Annotated[
        Path | None,
        typer.Option(help="A PNG or JPEG file (at most 512 KB) for its public pages."),
    ] = None,
    remove_logo: Annotated[bool, typer.Option(help="Remove its logo.")] = False,
    email_sender: Annotated[
        str | None,
        typer.Option(help="The From address of its e-mails (empty: CERTMINT_MAIL_FROM)."),
    ] = None,
    suspend: Annotated[
        bool | None,
        typer.Option(
            "--suspend/--reinstate",
            help="Suspend it (it issues nothing; its certificates still verify), or reinstate it.",
            show_default=False,
        ),
    ] = None,
    show_suspension: Annotated[
        bool | None,
        typer.Option(
            "--show-suspension/--hide-suspension",
            help="Whether its verification pages say that the issuer is suspended.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rename, rebrand, suspend or reinstate an organisation (its slug stays)."""
    container = state(ctx).container()
    image = b"" if remove_logo else (logo.read_bytes() if logo is not None else None)
    changes = OrganisationChanges(
        name=name,
        url=url,
        primary_colour=primary_colour,
        accent_colour=accent_colour,
        email_sender=email_sender,
        logo=image,
        suspended=suspend,
        suspension_shown=show_suspension,
    )
    organisation = change_organisation(container.uow(), _operator(container), slug, changes)
    if as_json:
        print_json(_summary(organisation, container.links))
    else:
        status = "suspended" if organisation.suspended else "active"
        console.print(f"updated {organisation.slug} ({status})")
