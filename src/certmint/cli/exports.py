"""``certmint export``: a batch's certificates as files, a ZIP, or a CSV."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from certmint.cli.state import OrgOption, in_organisation
from certmint.cli.terminal import console
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.certificates.exports import export_batch

__all__ = ["export"]


class ExportFormat(StrEnum):
    PDF = "pdf"
    PNG = "png"
    SVG = "svg"
    OB3 = "ob3"
    CSV = "csv"


def export(
    ctx: typer.Context,
    batch: Annotated[str, typer.Option(help="Batch id (ours, or the LMS's if unambiguous).")],
    format_: Annotated[
        ExportFormat, typer.Option("--format", help="One file per certificate, or one CSV.")
    ],
    out: Annotated[Path, typer.Option(help="A new or empty directory, or a path ending in .zip.")],
    org: OrgOption = None,
) -> None:
    """Export every certificate of a batch."""
    with in_organisation(ctx, org) as (container, organisation):
        _, found = resolve_batch(container.uow(), organisation.id, batch)
        with Progress(
            TextColumn("export", style="bold", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("export", total=None)
            summary = export_batch(
                container.uow(),
                organisation.id,
                found.id,
                format_.value,
                out,
                documents=container.documents,
                progress=lambda done: bar.update(task, completed=done),
            )
    console.print(f"{summary.files} file(s) written to {summary.destination}")
