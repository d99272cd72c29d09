"""Issuance jobs: start one for an achievement, then poll its progress.

Starting returns at once (202) with the job; the work runs chunk by chunk on the executor
chosen at start-up (``services.issuance.requests``, as the admin pages' "issue now"): the
broker's workers when one is configured, else a thread of this process. A job interrupted
half-way is resumed by starting it again."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from certmint.domain.ids import url_id
from certmint.services.issuance.issue_now import IssueStatus, issue_status, start_issue
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["issuance"])


class JobOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    kind: str = Field(examples=["issue"])
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    total: int = Field(description="Learners to consider.", examples=[120])
    done: int = Field(description="Learners considered so far.", examples=[40])
    percent: int = Field(ge=0, le=100, examples=[33])
    error: str | None = Field(
        description="Why the job failed, or was cancelled (the organisation was suspended)."
    )
    issued: int = Field(description="Learners awarded a certificate by this job.", examples=[4])
    already_held: int = Field(description="Learners who already held it.", examples=[0])
    not_eligible: int = Field(description="Learners who do not meet the criteria.", examples=[8])
    not_reached: int = Field(
        description="Learners a failed or cancelled job did not consider; starting the "
        "issuance again reaches them.",
        examples=[0],
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    url: str = Field(description="Where to poll.", examples=[f"/api/v1/jobs/{ID_EXAMPLE}"])

    @classmethod
    def of(cls, progress: IssueStatus) -> JobOut:
        job = progress.job
        return cls(
            id=url_id(job.id),
            kind=job.kind,
            status=job.status.value,
            total=job.total,
            done=job.done,
            percent=progress.percent,
            error=job.error,
            issued=progress.counts.issued,
            already_held=progress.counts.already_held,
            not_eligible=progress.counts.not_eligible,
            not_reached=progress.not_reached,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            url=f"/api/v1/jobs/{url_id(job.id)}",
        )


@router.post(
    "/achievements/{achievement_id}/issuance",
    status_code=202,
    response_model=JobOut,
    summary="Issue an achievement to its batch",
    description="Award the achievement to every learner of the batch who meets the criteria "
    "and does not hold it yet. Returns the job at once; poll its `url`. Safe to repeat: nobody "
    "gets a second certificate, and an unfinished job is resumed rather than duplicated.",
    responses=problems(401, 403, 404, 422),
)
def start_issuance(
    achievement_id: IdPath,
    *,
    principal: StaffDep,
    container: ContainerDep,
    response: Response,
) -> JobOut:
    job_id = start_issue(
        container.uow(),
        container.signing,
        container.executor,
        principal,
        parse_id("achievement", achievement_id),
    )
    progress = issue_status(container.uow(read_only=True), principal, job_id)
    out = JobOut.of(progress)
    response.headers["Location"] = out.url
    return out


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    summary="A job's progress",
    responses=problems(401, 403, 404, 422),
)
def job(job_id: IdPath, principal: StaffDep, container: ContainerDep) -> JobOut:
    progress = issue_status(container.uow(read_only=True), principal, parse_id("job", job_id))
    return JobOut.of(progress)
