"""``certmint achievements ...`` and ``certmint issue``: what batches award, and awarding it."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from certmint.bootstrap import Container
from certmint.cli.state import (
    EXIT_INVALID,
    JsonOption,
    OrgOption,
    fail,
    in_organisation,
    print_json,
)
from certmint.cli.terminal import console, err_console, styled
from certmint.domain.accounts import Principal
from certmint.domain.criteria import parse_criteria
from certmint.services.catalogue.achievements import add_achievement, dry_run, list_achievements
from certmint.services.catalogue.roster import resolve_batch, resolve_learner
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuance.requests import request_issuance
from certmint.services.read_models.criteria_builder import criteria_warnings

__all__ = ["app", "issue"]

app = typer.Typer(help="Achievements: a published template attached to a batch with criteria.")


@app.command("add")
def add(
    ctx: typer.Context,
    batch: Annotated[str, typer.Option(help="Batch id (ours, or the LMS's if unambiguous).")],
    template: Annotated[uuid.UUID, typer.Option(help="Published template version id.")],
    name: Annotated[str, typer.Option(help='What is awarded, e.g. "Completion" or "Merit".')],
    criteria: Annotated[str, typer.Option(help="Criteria JSON (see docs/criteria.md).")],
    description: Annotated[str, typer.Option(help="One line describing the achievement.")] = "",
    valid_for: Annotated[
        int | None, typer.Option(help="Validity in days (sets validUntil).")
    ] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Award automatically when enrolments change.")
    ] = False,
    signatory: Annotated[
        list[str] | None,
        typer.Option(help='"NAME|DESIGNATION" for templates with signatory placeholders.'),
    ] = None,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Attach a published template version to a batch; prints the achievement id."""
    try:
        parsed = json.loads(criteria)
    except ValueError as exc:
        fail(EXIT_INVALID, f"--criteria is not JSON: {exc}")
    signatories = [tuple(s.split("|", 1)) for s in signatory or ()]
    if any(len(s) != 2 for s in signatories):
        fail(EXIT_INVALID, '--signatory takes "NAME|DESIGNATION"')
    with in_organisation(ctx, org) as (container, organisation):
        _, found = resolve_batch(container.uow(), organisation.id, batch)
        principal = Principal.at_shell(organisation.id)
        achievement = add_achievement(
            container.uow(),
            principal,
            batch_id=found.id,
            template_version_id=template,
            name=name,
            criteria=parsed,
            description=description,
            valid_for_days=valid_for,
            auto_issue=auto,
            signatories=[(n, d) for n, d in signatories],
        )
        said = criteria_warnings(
            container.uow(), principal, achievement.batch_id, parse_criteria(achievement.criteria)
        )
    if as_json:
        print_json(
            {
                "achievement_id": achievement.id,
                "batch_id": achievement.batch_id,
                "criteria": achievement.criteria,
                "warnings": [str(w) for w in said],
            }
        )
        return
    console.print(str(achievement.id))
    for warning in said:  # attached all the same: the batch's data may come later
        err_console.print(styled(("warning:", "yellow"), f" {warning}"))


@app.command("list")
def list_(
    ctx: typer.Context,
    batch: Annotated[str, typer.Option(help="Batch id (ours, or the LMS's if unambiguous).")],
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """The achievements a batch awards."""
    with in_organisation(ctx, org) as (container, organisation):
        _, found = resolve_batch(container.uow(), organisation.id, batch)
        achievements = list_achievements(container.uow(), organisation.id, found.id)
    if as_json:
        print_json(
            [
                {
                    "id": a.id,
                    "name": a.name,
                    "criteria": a.criteria,
                    "template_version_id": a.template_version_id,
                    "auto_issue": a.auto_issue,
                    "valid_for_days": a.valid_for_days,
                }
                for a in achievements
            ]
        )
        return
    table = Table("id", "name", "criteria", "auto")
    for a in achievements:
        table.add_row(
            str(a.id),
            a.name,
            json.dumps(a.criteria, ensure_ascii=False),
            "yes" if a.auto_issue else "no",
        )
    console.print(table)


def issue(
    ctx: typer.Context,
    batch: Annotated[str, typer.Option(help="Batch id (ours, or the LMS's if unambiguous).")],
    achievement: Annotated[
        uuid.UUID | None, typer.Option(help="Only this achievement (default: all of the batch's).")
    ] = None,
    learner: Annotated[
        list[str] | None,
        typer.Option(help="Award these learners by hand (needs --reason and --achievement)."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="Why (recorded; required with --learner).")
    ] = None,
    dry: Annotated[
        bool, typer.Option("--dry-run", help="Show who would be awarded and why not.")
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="With a broker (CERTMINT_BROKER_URL): follow the workers until the job is "
            "done, or only queue its chunks and print the job id.",
        ),
    ] = True,
    org: OrgOption = None,
    as_json: JsonOption = False,
) -> None:
    """Award a batch's achievements to every learner who meets the criteria (a resumable job;
    in this process, or by `certmint worker` processes when a broker is configured)."""
    if learner and (not reason or achievement is None):
        fail(EXIT_INVALID, "a manual award (--learner) needs --achievement and --reason")
    results = []
    with in_organisation(ctx, org) as (container, organisation):
        _, found = resolve_batch(container.uow(), organisation.id, batch)
        chosen = [
            a
            for a in list_achievements(container.uow(), organisation.id, found.id)
            if achievement is None or a.id == achievement
        ]
        if not chosen:
            fail(3, "no such achievement on this batch")
        learner_ids = (
            [resolve_learner(container.uow(), organisation.id, ref).id for ref in learner]
            if learner
            else None
        )
        for item in chosen:
            if dry:
                _show_dry_run(container, organisation.id, item.id, item.name, as_json)
                continue
            with Progress(
                # The name is the task's description, shown literally: never a format string
                # or markup (a name with "{x}" or "[link=...]" is just a name).
                TextColumn("{task.description}", style="bold", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=as_json,
            ) as bar:
                task = bar.add_task(item.name, total=None)
                request = IssueRequest(
                    organisation.id,
                    item.id,
                    learner_ids=learner_ids,
                    manual=learner_ids is not None,
                    reason=reason,
                    actor="cli",
                )
                running = request_issuance(
                    container.uow(), container.signing, container.executor, request
                )
                # Work on the broker's workers goes on without us; work in this process not.
                summary = (
                    running.wait(partial(_advance, bar, task))
                    if wait or not running.detached
                    else None
                )
            if summary is None:
                job_id = running.job.job_id
                results.append({"achievement": item.name, "job_id": job_id, "status": "queued"})
                if not as_json:
                    console.print(f"{item.name}: queued as job {job_id}")
                continue
            results.append(
                {
                    "achievement": item.name,
                    "achievement_id": item.id,
                    "job_id": summary.job_id,
                    "considered": summary.considered,
                    "issued": summary.issued,
                    "already_held": summary.already_held,
                    "not_eligible": summary.not_eligible,
                }
            )
            if not as_json:
                console.print(
                    f"{item.name}: {summary.issued} issued, {summary.already_held} "
                    f"already held, {summary.not_eligible} not eligible "
                    f"(job {summary.job_id})"
                )
        # The e-mails and webhook events of the chunks run here: sent once each committed.
        container.deliveries.settle()
    mailed = container.deliveries.mailed
    if mailed is not None and (mailed.sent or mailed.retrying) and not as_json:
        console.print(f"E-mails: {mailed.sent} sent, {mailed.retrying} to retry")
    if as_json and not dry:
        print_json(results)


def _advance(bar: Progress, task: TaskID, done: int, total: int) -> None:
    bar.update(task, completed=done, total=total)


def _show_dry_run(
    container: Container,
    organisation_id: uuid.UUID,
    achievement_id: uuid.UUID,
    name: str,
    as_json: bool,
) -> None:
    rows = list(dry_run(container.uow(), organisation_id, achievement_id))
    if as_json:
        print_json(
            [
                {
                    "learner_id": r.learner.external_id,
                    "name": r.learner.name,
                    "awarded": r.decision.awarded,
                    "already_issued": r.already_issued,
                    "reasons": list(map(str, r.decision.reasons)),
                }
                for r in rows
            ]
        )
        return
    table = Table("learner", "name", "would be awarded", "why", title=name, title_justify="left")
    for r in rows:
        verdict = (
            "already holds it" if r.already_issued else ("yes" if r.decision.awarded else "no")
        )
        table.add_row(
            r.learner.external_id, r.learner.name, verdict, "; ".join(map(str, r.decision.reasons))
        )
    console.print(table)
