"""``certmint import ...``: data that arrives from an LMS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.table import Table

from certmint.cli.state import in_organisation, print_json
from certmint.cli.terminal import console
from certmint.services.catalogue.imports import ImportSummary, import_enrolments
from certmint.services.issuance.requests import request_automatic_issuance

__all__ = ["app"]

app = typer.Typer(help="Import data exported from a learning management system.")


@app.command("enrolments")
def enrolments(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, readable=True, help="CSV file (see docs/imports.md)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and count; write nothing.")
    ] = False,
    org: Annotated[
        str | None, typer.Option(help="Organisation slug (default: the default one).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Create or update courses, batches, learners and enrolments from a CSV file.

    Every bad line is reported with its number and reason, and then nothing is written.
    """
    with (
        in_organisation(ctx, org) as (container, organisation),
        file.open("rb") as stream,
        _progress_bar(file) as progress,
    ):
        summary = import_enrolments(
            container.uow(),
            organisation.id,
            stream,
            dry_run=dry_run,
            actor="cli",
            source=file.name,
            progress=progress,
        )
    with console.status("Automatic issuance…"):
        automatic = request_automatic_issuance(
            container.uow(),
            container.signing,
            container.executor,
            organisation.id,
            [] if dry_run else summary.changed_enrolment_ids,
            actor="cli",
        )
        # The command reports what was issued: it follows the jobs wherever they run.
        issued = sum(run.wait().issued for run in automatic)
        container.deliveries.settle()
    if as_json:
        print_json(
            {
                "rows": summary.rows,
                "dry_run": dry_run,
                **summary.counts(),
                "certificates_issued": issued,
            }
        )
    else:
        _print_summary(summary)
        if automatic:
            console.print(f"Automatic issuance: {issued} certificate(s) awarded.")


@contextmanager
def _progress_bar(file: Path) -> Iterator[Callable[[int], None]]:
    """A bar over the file's bytes while its rows are read and checked (a million rows take
    about a minute), then a line saying the database is writing them."""
    size = file.stat().st_size
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"Checking {file.name}", total=size)

        def advance(read: int) -> None:
            done = read >= size
            bar.update(
                task,
                completed=read,
                description=f"Writing {file.name}" if done else f"Checking {file.name}",
            )

        yield advance


def _print_summary(summary: ImportSummary) -> None:
    verb = "Would import" if summary.dry_run else "Imported"
    table = Table(title=f"{verb} {summary.rows} rows", title_justify="left")
    table.add_column("")
    for column in ("created", "updated", "unchanged"):
        table.add_column(column, justify="right")
    for name, counts in summary.counts().items():
        table.add_row(name, *(str(counts[c]) for c in ("created", "updated", "unchanged")))
    console.print(table)
    if summary.dry_run:
        console.print("Dry run: nothing was written.")
