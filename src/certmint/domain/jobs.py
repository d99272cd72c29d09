"""Long-running work (bulk issuance, exports) with observable progress.

A job is planned as chunks recorded in the database. Any executor (the process that started
the job, another one racing it, or a Celery worker) claims a pending chunk, runs it in one
transaction and marks it done in that same transaction, so a chunk is never half done. A
claim carries a lease: when its holder dies, another executor takes the chunk over once the
lease has expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

__all__ = ["ChunkCounts", "ChunkStatus", "Job", "JobChunk", "JobProgress", "JobStatus"]


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: Stopped on purpose (its organisation was suspended): never resumed; issuing again
    #: starts a new job that does the rest.
    CANCELLED = "cancelled"


class ChunkStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"  # claimed: the lease says until when
    DONE = "done"


@dataclass(frozen=True, slots=True)
class Job:
    id: UUID
    organisation_id: UUID
    kind: str
    params: dict[str, Any]
    status: JobStatus
    total: int
    done: int
    failed: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class JobChunk:
    """A keyset range of the job's work: items with ``after < id <= upto`` (None: unbounded)."""

    id: UUID
    job_id: UUID
    seq: int
    after: UUID | None
    upto: UUID | None
    status: ChunkStatus
    owner: str | None
    lease_until: datetime | None
    attempts: int


@dataclass(frozen=True, slots=True)
class ChunkCounts:
    """What running one chunk did: ``considered`` items, of which ``issued`` got a certificate,
    ``already_held`` had one, and ``not_eligible`` did not meet the criteria."""

    considered: int = 0
    issued: int = 0
    already_held: int = 0
    not_eligible: int = 0

    def __add__(self, other: ChunkCounts) -> ChunkCounts:
        return ChunkCounts(
            self.considered + other.considered,
            self.issued + other.issued,
            self.already_held + other.already_held,
            self.not_eligible + other.not_eligible,
        )


@dataclass(frozen=True, slots=True)
class JobProgress:
    """A job seen through its chunks: how many there are, how many are done, and their sums."""

    chunks: int
    done_chunks: int
    counts: ChunkCounts
    earliest_lease: datetime | None  # of the chunks being run now, if any

    @property
    def complete(self) -> bool:
        return self.done_chunks == self.chunks
