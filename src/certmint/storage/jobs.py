"""Jobs: long work with progress that survives the process running it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from certmint.domain.jobs import ChunkCounts, ChunkStatus, Job, JobChunk, JobProgress, JobStatus
from certmint.storage.bulk import bulk_insert
from certmint.storage.tables import JobChunkRow, JobRow, OrganisationRow

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


def _chunk(row: JobChunkRow) -> JobChunk:
    return JobChunk(
        id=row.id,
        job_id=row.job_id,
        seq=row.seq,
        after=row.after_id,
        upto=row.upto_id,
        status=ChunkStatus(row.status),
        owner=row.owner,
        lease_until=row.lease_until,
        attempts=row.attempts,
    )


_UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


def _quiet_since(since: datetime) -> ColumnElement[bool]:
    """An unfinished job with no sign of life since ``since``: (re)started before it, no chunk
    finished after it, and no claim whose lease reaches past it."""
    alive = select(JobChunkRow.id).where(
        JobChunkRow.job_id == JobRow.id,
        or_(JobChunkRow.finished_at >= since, JobChunkRow.lease_until >= since),
    )
    return and_(
        JobRow.status.in_(_UNFINISHED),
        or_(JobRow.started_at.is_(None), JobRow.started_at < since),
        ~alive.exists(),
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
                JobRow.status.in_(_UNFINISHED),
            )
            .order_by(JobRow.created_at)
        )
        return next((_job(row) for row in rows if row.params == params), None)

    def quiet(self, kind: str, since: datetime) -> list[Job]:
        """Unfinished jobs of ``kind`` that nobody has touched since ``since``, oldest first."""
        rows = self._session.scalars(
            select(JobRow)
            .where(JobRow.kind == kind, _quiet_since(since))
            .order_by(JobRow.created_at)
        )
        return [_job(row) for row in rows]

    def restart_if_quiet(self, job_id: UUID, since: datetime, now: datetime) -> bool:
        """Mark the job (re)started now if it is still untouched since ``since``; False when
        someone touched it meanwhile (another sweeper restarted it, or a chunk moved). Two
        sweepers racing: the second's update finds the first's ``started_at`` and changes
        nothing (PostgreSQL re-checks the row after waiting for its lock; SQLite has one
        writer)."""
        result = self._session.execute(
            update(JobRow)
            .where(JobRow.id == job_id, _quiet_since(since))
            .values(started_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def update(self, job_id: UUID, **values: Any) -> None:
        if "status" in values:
            values["status"] = JobStatus(values["status"]).value
        self._session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def finish(
        self, job_id: UUID, status: JobStatus, at: datetime, *, error: str | None = None
    ) -> bool:
        """Give the job its final status; False when it had it already, or was cancelled
        (a cancelled job stays so: the executors it stopped report their failure after it)."""
        result = self._session.execute(
            update(JobRow)
            .where(
                JobRow.id == job_id,
                JobRow.status.not_in([status.value, JobStatus.CANCELLED.value]),
            )
            .values(status=status.value, finished_at=at, error=error)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def started(self, job_id: UUID, at: datetime, total: int) -> None:
        self.update(job_id, status=JobStatus.RUNNING, started_at=at, total=total, error=None)

    def may_run(self, job_id: UUID) -> bool:
        """Whether the job may write another chunk: it was not cancelled, and its
        organisation is not suspended. On PostgreSQL the organisation's row stays share-locked
        until the transaction ends, so a suspension waits for the chunk being written, and
        every chunk written after it sees it (SQLite has one writer)."""
        row = self._session.execute(
            select(JobRow.status, OrganisationRow.suspended_at)
            .join(OrganisationRow, OrganisationRow.id == JobRow.organisation_id)
            .where(JobRow.id == job_id)
            .with_for_update(read=True, of=OrganisationRow)
        ).one()
        return row.status != JobStatus.CANCELLED.value and row.suspended_at is None

    def serialise_planning(self, organisation_id: UUID) -> None:
        """Until commit, make other planners in this organisation wait (PostgreSQL: a row lock
        on the organisation that foreign-key checks pass through; SQLite has one writer), so
        two commands started at once find one job instead of planning two."""
        self._session.execute(
            select(OrganisationRow.id)
            .where(OrganisationRow.id == organisation_id)
            .with_for_update(key_share=True)
        )

    def add_chunks(self, job_id: UUID, bounds: Sequence[tuple[UUID | None, UUID | None]]) -> None:
        """Plan the job: one pending chunk per (after, upto] keyset range, in order."""
        bulk_insert(
            self._session,
            JobChunkRow,
            [
                {
                    "id": uuid.uuid4(),
                    "job_id": job_id,
                    "seq": seq,
                    "after_id": after,
                    "upto_id": upto,
                    "status": ChunkStatus.PENDING.value,
                    "attempts": 0,
                    "considered": 0,
                    "issued": 0,
                    "already_held": 0,
                    "not_eligible": 0,
                }
                for seq, (after, upto) in enumerate(bounds)
            ],
        )

    def has_chunks(self, job_id: UUID) -> bool:
        found = self._session.scalar(
            select(JobChunkRow.id).where(JobChunkRow.job_id == job_id).limit(1)
        )
        return found is not None

    def get_chunk(self, chunk_id: UUID) -> JobChunk | None:
        row = self._session.get(JobChunkRow, chunk_id)
        return None if row is None else _chunk(row)

    def open_chunk_ids(self, job_id: UUID) -> list[UUID]:
        """The chunks not done yet, in order (what a broker must be told to run); when every
        one is done, the last one: its task finds it done and marks the job finished, which an
        executor that died just after the last chunk's commit left undone."""
        ids = list(
            self._session.scalars(
                select(JobChunkRow.id)
                .where(JobChunkRow.job_id == job_id, JobChunkRow.status != ChunkStatus.DONE.value)
                .order_by(JobChunkRow.seq)
            )
        )
        if ids:
            return ids
        last = self._session.scalar(
            select(JobChunkRow.id)
            .where(JobChunkRow.job_id == job_id)
            .order_by(JobChunkRow.seq.desc())
            .limit(1)
        )
        return [] if last is None else [last]

    def claim_chunk(
        self,
        *,
        job_id: UUID | None = None,
        chunk_id: UUID | None = None,
        owner: str,
        now: datetime,
        lease_until: datetime,
    ) -> JobChunk | None:
        """Claim the first claimable chunk of ``job_id`` (or exactly ``chunk_id``): pending, or
        running under a lease that has expired. None when there is none.

        On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets concurrent claimers pass each other
        instead of queueing on the same row; on SQLite the write transaction (``BEGIN
        IMMEDIATE``) already makes the read and the update one step.
        """
        query = (
            select(JobChunkRow)
            .where(
                or_(
                    JobChunkRow.status == ChunkStatus.PENDING.value,
                    (JobChunkRow.status == ChunkStatus.RUNNING.value)
                    & (JobChunkRow.lease_until < now),
                )
            )
            .order_by(JobChunkRow.seq)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if chunk_id is not None:
            query = query.where(JobChunkRow.id == chunk_id)
        if job_id is not None:
            query = query.where(JobChunkRow.job_id == job_id)
        row = self._session.scalar(query)
        if row is None:
            return None
        row.status = ChunkStatus.RUNNING.value
        row.owner = owner
        row.lease_until = lease_until
        row.attempts += 1
        self._session.flush()
        return _chunk(row)

    def renew_claim(self, chunk: JobChunk, owner: str, lease_until: datetime) -> bool:
        """Extend ``owner``'s claim on a running chunk (and, on PostgreSQL, lock its row until
        the transaction ends); False when the claim is no longer theirs."""
        result = self._session.execute(
            update(JobChunkRow)
            .where(
                JobChunkRow.id == chunk.id,
                JobChunkRow.owner == owner,
                JobChunkRow.status == ChunkStatus.RUNNING.value,
            )
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def finish_chunk(self, chunk: JobChunk, owner: str, counts: ChunkCounts, now: datetime) -> bool:
        """Mark a chunk done with what it did, only if ``owner`` still holds the claim (False:
        the lease ran out and another executor took it over; the caller must roll back)."""
        result = self._session.execute(
            update(JobChunkRow)
            .where(
                JobChunkRow.id == chunk.id,
                JobChunkRow.owner == owner,
                JobChunkRow.status == ChunkStatus.RUNNING.value,
            )
            .values(
                status=ChunkStatus.DONE.value,
                lease_until=None,
                considered=counts.considered,
                issued=counts.issued,
                already_held=counts.already_held,
                not_eligible=counts.not_eligible,
                finished_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        self._session.execute(
            update(JobRow)
            .where(JobRow.id == chunk.job_id)
            .values(done=JobRow.done + counts.considered)
            .execution_options(synchronize_session=False)
        )
        return True

    def progress(self, job_id: UUID, *, owner: str | None = None) -> JobProgress:
        """The job through its chunks (only those ``owner`` finished, if given)."""
        done = JobChunkRow.status == ChunkStatus.DONE.value
        if owner is not None:
            done = done & (JobChunkRow.owner == owner)
        row = self._session.execute(
            select(
                func.count(),
                func.count().filter(done),
                func.coalesce(func.sum(JobChunkRow.considered).filter(done), 0),
                func.coalesce(func.sum(JobChunkRow.issued).filter(done), 0),
                func.coalesce(func.sum(JobChunkRow.already_held).filter(done), 0),
                func.coalesce(func.sum(JobChunkRow.not_eligible).filter(done), 0),
                func.min(JobChunkRow.lease_until).filter(
                    JobChunkRow.status == ChunkStatus.RUNNING.value
                ),
            ).where(JobChunkRow.job_id == job_id)
        ).one()
        return JobProgress(
            chunks=row[0],
            done_chunks=row[1],
            counts=ChunkCounts(row[2], row[3], row[4], row[5]),
            earliest_lease=row[6],
        )

    def chunk_owners(self, job_id: UUID) -> dict[str, int]:
        """How many chunks each executor finished (to see that work was shared)."""
        rows = self._session.execute(
            select(JobChunkRow.owner, func.count())
            .where(JobChunkRow.job_id == job_id, JobChunkRow.status == ChunkStatus.DONE.value)
            .group_by(JobChunkRow.owner)
        )
        return {owner or "": count for owner, count in rows}
