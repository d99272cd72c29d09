"""Enrolments: the LMS's rows upserted in bulk, under the same rules as the CSV import.

``POST /enrolments`` takes the CSV's columns as JSON. All or nothing: any bad row rejects the
request (422, each problem naming its row, counted from 1) and nothing is written. Changed
enrolments trigger the batch's automatic achievements, as after a CSV import.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from certmint.domain.courses import Enrolment, Learner
from certmint.domain.enrolment_import import ATTR_PREFIX, SCORE_PREFIX
from certmint.domain.ids import url_id
from certmint.services.authorization import batch_for, load
from certmint.services.catalogue.imports import ImportSummary, import_enrolment_rows
from certmint.services.catalogue.roster import list_enrolments
from certmint.services.issuance.outcome import issue_progress
from certmint.services.issuance.requests import request_automatic_issuance
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.learners import LearnerOut
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["enrolments"])

MAX_ROWS = 10_000

ROW_EXAMPLE: dict[str, Any] = {
    "course_id": "DS101",
    "course_name": "Data Science Foundations",
    "batch_id": "DS101-A",
    "batch_name": "January 2026",
    "learner_id": "u-1042",
    "name": "Asha Rao",
    "email": "asha@example.org",
    "status": "completed",
    "completed_on": "2026-03-31",
    "scores": {"final": "82", "quiz": "17/20"},
    "attributes": {"roll_no": "DS-17"},
}


class EnrolmentRowIn(BaseModel):
    """One row of an enrolment export; the fields are the CSV's columns (``docs/imports.md``).

    Values are checked by the import's rules, not here, so a bad value is reported with its row
    like a bad cell of a CSV line. An absent optional field leaves the stored value unchanged.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ROW_EXAMPLE]})

    course_id: str = Field(max_length=1_000)
    course_name: str | None = Field(default=None, max_length=1_000)
    batch_id: str = Field(max_length=1_000)
    batch_name: str | None = Field(default=None, max_length=1_000)
    learner_id: str = Field(max_length=1_000)
    name: str = Field(max_length=1_000)
    email: str | None = Field(default=None, max_length=1_000)
    status: str = Field(
        max_length=100, description="enrolled, in_progress or completed", examples=["completed"]
    )
    completed_on: str | None = Field(
        default=None, max_length=100, description="YYYY-MM-DD", examples=["2026-03-31"]
    )
    scores: dict[str, str | int | float] = Field(
        default_factory=dict,
        max_length=200,
        description="Assessment id -> score: 0-100, or points/maximum like `17/20`.",
    )
    attributes: dict[str, str] = Field(
        default_factory=dict, max_length=200, description="Extra learner attributes."
    )

    def cells(self) -> dict[str, str]:
        """The row as the CSV's column -> cell mapping."""
        cells = {
            name: value
            for name, value in (
                ("course_id", self.course_id),
                ("course_name", self.course_name),
                ("batch_id", self.batch_id),
                ("batch_name", self.batch_name),
                ("learner_id", self.learner_id),
                ("name", self.name),
                ("email", self.email),
                ("status", self.status),
                ("completed_on", self.completed_on),
            )
            if value is not None
        }
        cells.update((SCORE_PREFIX + key, str(value)) for key, value in self.scores.items())
        cells.update((ATTR_PREFIX + key, value) for key, value in self.attributes.items())
        return cells


class EnrolmentUpsert(BaseModel):
    rows: list[EnrolmentRowIn] = Field(min_length=1, max_length=MAX_ROWS)
    dry_run: bool = Field(default=False, description="Validate and count; write nothing.")


class Counts(BaseModel):
    created: int
    updated: int
    unchanged: int


class UpsertSummary(BaseModel):
    rows: int = Field(examples=[1])
    dry_run: bool
    courses: Counts
    batches: Counts
    learners: Counts
    enrolments: Counts
    certificates_issued: int = Field(
        description="Certificates the automatic achievements' jobs had awarded when this "
        "answer was made (they run on after it; follow `issuance_jobs`).",
        examples=[0],
    )
    issuance_jobs: list[str] = Field(
        description="The automatic achievements' jobs these changes started: where to poll.",
        examples=[[f"/api/v1/jobs/{ID_EXAMPLE}"]],
    )

    @classmethod
    def of(cls, summary: ImportSummary, issued: int, jobs: list[str]) -> UpsertSummary:
        counts = summary.counts()
        return cls(
            rows=summary.rows,
            dry_run=summary.dry_run,
            courses=Counts(**counts["courses"]),
            batches=Counts(**counts["batches"]),
            learners=Counts(**counts["learners"]),
            enrolments=Counts(**counts["enrolments"]),
            certificates_issued=issued,
            issuance_jobs=jobs,
        )


class EnrolmentOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    batch_id: str = Field(examples=[ID_EXAMPLE])
    learner: LearnerOut
    status: str = Field(examples=["completed"])
    completed_on: date | None
    scores: dict[str, str] = Field(
        description="Assessment id -> points/maximum, exact.", examples=[{"quiz": "17/20"}]
    )

    @classmethod
    def of(cls, row: tuple[Enrolment, Learner]) -> EnrolmentOut:
        enrolment, learner = row
        return cls(
            id=url_id(enrolment.id),
            batch_id=url_id(enrolment.batch_id),
            learner=LearnerOut.of(learner),
            status=enrolment.status.value,
            completed_on=enrolment.completed_on,
            scores={r.assessment_id: f"{r.points}/{r.out_of}" for r in enrolment.results},
        )


@router.post(
    "/enrolments",
    response_model=UpsertSummary,
    summary="Create or update enrolments in bulk",
    description="Courses, batches, learners and enrolments upserted by the LMS's ids, with the "
    "CSV import's rules (see docs/imports.md). Any bad row rejects the whole request with 422 "
    "and every problem listed by row; nothing is written. Sending the same rows again changes "
    "nothing. A course manager may only send rows of their existing courses; a learner who is "
    "also in courses they do not manage (or whom they cannot see) is enrolled as stored, never "
    "renamed or re-mailed, and counts as created when new to their courses.",
    responses=problems(401, 403, 422),
)
def upsert_enrolments(
    body: EnrolmentUpsert, principal: StaffDep, container: ContainerDep
) -> UpsertSummary:
    summary = import_enrolment_rows(
        container.uow(),
        principal.organisation_id,
        [row.cells() for row in body.rows],
        dry_run=body.dry_run,
        actor=principal.actor,
        principal=principal,
    )
    # Automatic issuance runs on the executor (the broker's workers, or a thread of this
    # process): the answer comes at once, with the jobs to follow.
    automatic = request_automatic_issuance(
        container.uow(),
        container.signing,
        container.executor,
        principal.organisation_id,
        [] if body.dry_run else summary.changed_enrolment_ids,
        actor=principal.actor,
    )
    issued = sum(
        issue_progress(container.uow(), principal.organisation_id, run.job.job_id)[1].counts.issued
        for run in automatic
    )
    jobs = [f"/api/v1/jobs/{url_id(run.job.job_id)}" for run in automatic]
    return UpsertSummary.of(summary, issued, jobs)


@router.get(
    "/batches/{batch_id}/enrolments",
    response_model=Page[EnrolmentOut],
    summary="List a batch's enrolments",
    responses=problems(401, 403, 404, 422),
)
def enrolments(
    batch_id: IdPath,
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[EnrolmentOut]:
    _course, found = load(container.uow(), batch_for, principal, parse_id("batch", batch_id))
    rows = list_enrolments(container.uow(), found.id, after=paging.after_uuid, limit=paging.fetch)
    return page_of(request, rows, paging, lambda row: row[0].id, EnrolmentOut.of)
