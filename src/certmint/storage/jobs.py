"""Jobs: long work with progress that survives the process running it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.domain.jobs import Job, JobStatus
from certmint.storage.tables import JobRow

__all__ = ["SqlAlchemyJobRepository"]


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        organisation_id=row.organisation_id,
        kind=row.kind,
        params=row.params,
        status=JobStatus(row.status),
        total=row.total,
        done=row.done,
        failed=row.failed,
        error=row.error,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


class SqlAlchemyJobRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, job: Job) -> None:
        self._session.add(
            JobRow(
                id=job.id,
                organisation_id=job.organisation_id,
                kind=job.kind,
                params=job.params,
                status=job.status.value,
                total=job.total,
                done=job.done,
                failed=job.failed,
                error=job.error,
                created_at=job.created_at,
                started_at=job.started_at,
                finished_at=job.finished_at,
            )
        )

    def get(self, organisation_id: UUID, job_id: UUID) -> Job | None:
        row = self._session.get(JobRow, job_id)
        return None if row is None or row.organisation_id != organisation_id else _job(row)

    def recent(self, organisation_id: UUID, *, limit: int = 10) -> list[Job]:
        """The organisation's latest jobs, newest first."""
        rows = self._session.scalars(
            select(JobRow)
            .where(JobRow.organisation_id == organisation_id)
            .order_by(JobRow.created_at.desc())
            .limit(limit)
        )
        return [_job(row) for row in rows]

    def unfinished(self, organisation_id: UUID, kind: str, params: dict[str, Any]) -> Job | None:
        """A queued or running job of this kind with these parameters (one a killed process
        left behind, to be resumed rather than started again)."""
        rows = self._session.scalars(
            select(JobRow)
            .where(
                JobRow.organisation_id == organisation_id,
                JobRow.kind == kind,
                JobRow.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
            )
            .order_by(JobRow.created_at)
        )
        return next((_job(row) for row in rows if row.params == params), None)

    def update(self, job_id: UUID, **values: Any) -> None:
        if "status" in values:
            values["status"] = JobStatus(values["status"]).value
        self._session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def started(self, job_id: UUID, at: datetime, total: int) -> None:
        self.update(job_id, status=JobStatus.RUNNING, started_at=at, total=total, error=None)
