"""``certmint templates ...``: the gallery, designing, uploading, publishing and previewing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from certmint.cli.state import (
    JsonOption,
    OrgOption,
    fail,
    in_organisation,
    print_json,
)
from certmint.cli.terminal import console, err_console
from certmint.domain.accounts import Principal
from certmint.domain.templates import TemplateVersion
from certmint.rendering import GALLERY, Design, Paper, Signatory
from certmint.services.catalogue.roster import resolve_batch, resolve_learner
from certmint.services.catalogue.templates import (
    PreviewFormat,
    create_template,
    preview_template,
    publish_template_version,
    upload_template,
)

__all__ = ["app"]

app = typer.Typer(help="Certificate templates: gallery layouts, custom SVG, versions.")

PublishOption = Annotated[bool, typer.Option("--publish", help="Publish (freeze) the version now.")]


def _show(
    version: TemplateVersion, as_json: bool, *, removed: tuple[str, ...] | None = None
) -> None:
    """The version (its id alone on standard output, for scripts); for an upload, what the
    sanitiser removed (``removed`` in JSON, else one line each on standard error)."""
    if as_json:
        shown = {
            "template_id": version.template_id,
            "version_id": version.id,
            "number": version.number,
            "status": version.status,
            "content_hash": version.content_hash,
        }
        print_json(shown if removed is None else {**shown, "removed": list(removed)})
        return
    console.print(str(version.id))
    for item in removed or ():
        err_console.print(f"removed: {item}")


@app.command("layouts")
def layouts(as_json: JsonOption = False) -> None:
    """The gallery's layouts (each comes in A4 and US Letter)."""
    if as_json:
        print_json(
            [
                {
                    "id": lay.id,
                    "name": lay.name,
                    "description": lay.description,
                    "orientation": lay.orientation,
                    "max_logos": lay.max_logos,
                    "max_signatures": lay.max_signatures,
                }
                for lay in GALLERY
            ]
        )
        return
    table = Table("layout", "name", "orientation", "logos", "signatures", "description")
    for lay in GALLERY:
        table.add_row(
            lay.id,
            lay.name,
            lay.orientation,
            str(lay.max_logos),
            str(lay.max_signatures),
            lay.description,
        )
    console.print(table)


def _signatory(spec: str) -> Signatory:
    parts = spec.split("|")
    if len(parts) not in (2, 3) or not parts[0].strip():
        raise typer.BadParameter(f"{spec!r}: expected NAME|DESIGNATION or NAME|DESIGNATION|IMAGE")
    image = Path(parts[2]).read_bytes() if len(parts) == 3 and parts[2] else None
    return Signatory(parts[0].strip(), parts[1].strip(), image)


@app.command("create")
def create(
    ctx: typer.Context,
    layout: Annotated[str, typer.Option(help="Gallery layout id (see `templates layouts`).")],
    title: Annotated[str, typer.Option(help="Title printed at the top.")],
    logo: Annotated[
        list[Path] | None, typer.Option(help="Logo image (PNG, JPEG or SVG); up to 2.")
    ] = None,
    signature: Annotated[
        list[str] | None, typer.Option(help='"NAME|DESIGNATION|IMAGE" (image optional); up to 4.')
    ] = None,
    subtitle: Annotated[str | None, typer.Option(help="Line above the name.")] = None,
    description: Annotated[str | None, typer.Option(help="Line below the name.")] = None,
    paper: Annotated[Paper, typer.Option(help="Paper size.")] = Paper.A4,
    language: Annotated[str, typer.Option(help="Language tag of the printed text.")] = "en",
    rtl: Annotated[bool, typer.Option("--rtl", help="Right-to-left text direction.")] = False,
    name: Annotated[str | None, typer.Option(help="Template name (default: the title).")] = None,
    publish: PublishOption = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Design a template from a gallery layout; prints the version id."""
    design = Design(
        layout=layout,
        paper=paper,
        title=title,
        language=language,
        direction="rtl" if rtl else "ltr",
        logos=tuple(p.read_bytes() for p in logo or ()),
        signatories=tuple(_signatory(s) for s in signature or ()),
    )
    if subtitle:
        design = replace(design, subtitle=subtitle)
    if description:
        design = replace(design, description=description)
    with in_organisation(ctx, org) as (container, organisation):
        version = create_template(
            container.uow(), Principal.at_shell(organisation.id), design, name=name, publish=publish
        )
    _show(version, as_json)


@app.command("upload")
def upload(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="SVG with placeholders (docs/templates.md)."
        ),
    ],
    name: Annotated[
        str | None, typer.Option(help="Template name (default: the file name).")
    ] = None,
    publish: PublishOption = False,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Upload a custom SVG template (sanitised); prints the version id."""
    with in_organisation(ctx, org) as (container, organisation):
        uploaded = upload_template(
            container.uow(),
            Principal.at_shell(organisation.id),
            file.read_bytes(),
            name=name or file.stem,
            publish=publish,
        )
    _show(uploaded.version, as_json, removed=uploaded.removed)


@app.command("publish")
def publish_(
    ctx: typer.Context,
    version_id: Annotated[uuid.UUID, typer.Argument(help="Template version id.")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Freeze a draft version so it can be attached to batches."""
    with in_organisation(ctx, org) as (container, organisation):
        version = publish_template_version(
            container.uow(), Principal.at_shell(organisation.id), version_id
        )
    _show(version, as_json)


@app.command("preview")
def preview(
    ctx: typer.Context,
    version_id: Annotated[uuid.UUID, typer.Argument(help="Template version id.")],
    out: Annotated[Path, typer.Option(help="Where to write the file (format from its suffix).")],
    recipient: Annotated[
        str | None, typer.Option(help="Name to print instead of the sample.")
    ] = None,
    learner: Annotated[
        str | None, typer.Option(help="Preview with this learner's name (our id or the LMS's).")
    ] = None,
    batch: Annotated[
        str | None, typer.Option(help="Preview with this batch's course and batch names.")
    ] = None,
    org: OrgOption = None,
) -> None:
    """Render a version with sample data, or a real learner's (PDF, PNG or SVG, by --out)."""
    output = out.suffix.lstrip(".").lower()
    if output not in ("pdf", "png", "svg"):
        fail(1, "--out must end in .pdf, .png or .svg")
    with in_organisation(ctx, org) as (container, organisation):
        learner_id = (
            resolve_learner(container.uow(), organisation.id, learner).id if learner else None
        )
        batch_id = resolve_batch(container.uow(), organisation.id, batch)[1].id if batch else None
        data = preview_template(
            container.uow(),
            organisation.id,
            version_id,
            fonts=container.fonts,
            links=container.links,
            output=_format(output),
            values={"recipient.name": recipient} if recipient else None,
            learner_id=learner_id,
            batch_id=batch_id,
        )
    out.touch(mode=0o600)  # private whatever the umask, like every file we write
    out.write_bytes(data)
    console.print(f"{out} ({len(data):,} bytes)")


def _format(output: str) -> PreviewFormat:
    return "png" if output == "png" else "svg" if output == "svg" else "pdf"
