"""The in-process executor's pipeline: sign in parallel, write serially.

While the signing processes (``services.issuance.parallel_signing``) sign chunk k+1, this
thread writes chunk k: its transaction (renew the claim, insert, mark done, commit) holds
SQLite's write lock only for the writing. A chunk is prepared first in a short transaction of
its own (who is eligible, random status-list places and certificate numbers, the unsigned
credentials), so what its write transaction checks is what the database guarantees anyway:
the claim is still this executor's, and the unique indexes (one current certificate per
learner, one certificate per status-list place, unique numbers) refuse anything another
executor did meanwhile. Such a write rolls back and the chunk is redone from scratch in its
own transaction (``chunks.issue_chunk``), so each learner is still awarded exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from certmint.domain.certificates import Certificate
from certmint.domain.jobs import ChunkCounts, JobChunk, JobProgress
from certmint.services.issuance.award import certificate_numbers, draft_awards, store_awards
from certmint.services.issuance.chunks import (
    Announce,
    Eligible,
    eligible_in,
    issue_chunk,
    record_issued,
)
from certmint.services.issuance.jobs import claim_chunk, job_progress, run_claimed, wait_seconds
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuance.planning import IssueJob
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork
from certmint.services.verification.status_lists import (
    StatusListSigner,
    StatusPlaces,
    allocate_places,
)

__all__ = ["run_pipelined"]


@dataclass
class _Prepared:
    """A claimed chunk whose credentials are being signed."""

    chunk: JobChunk
    found: Eligible
    places: StatusPlaces | None
    drafts: list[Certificate]
    signed: Callable[[], list[dict[str, Any]]]
    now: datetime


def _prepare(
    uow: UnitOfWork,
    job: IssueJob,
    chunk: JobChunk,
    pool: SigningPool,
    reserved: StatusPlaces | None,
) -> _Prepared:
    ctx = job.ctx
    now = datetime.now(UTC)
    with uow as tx:
        found = eligible_in(tx, job, chunk)
        count = len(found.eligible)
        places = (
            allocate_places(
                tx,
                StatusListSigner(job.signing, ctx.organisation, ctx.key),
                count,
                now,
                reserved=reserved,
            )
            if count
            else None
        )
        numbers = certificate_numbers(tx, ctx.organisation.id, count, now.year) if count else []
        tx.commit()  # a status list opened for these places, if one was (nothing else)
    drafts = draft_awards(ctx, found.eligible, places, numbers, now) if places else []
    signed = pool.sign([d.credential for d in drafts], ctx.key, now)
    return _Prepared(chunk, found, places, drafts, signed, now)


def _write(
    uow: UnitOfWork,
    job: IssueJob,
    prepared: _Prepared,
    *,
    owner: str,
    lease: timedelta,
    announce: Announce | None,
    issued: dict[UUID, list[UUID]],
) -> ChunkCounts | None:
    attempts = 0

    def work(tx: OpenUnitOfWork, chunk: JobChunk) -> ChunkCounts:
        nonlocal attempts
        attempts += 1
        if attempts > 1:  # lost a race on a unique index: redo it all in this transaction
            counts, ids = issue_chunk(tx, job, chunk, announce)
            issued[chunk.id] = ids
            return counts
        certificates = [
            replace(draft, credential=credential)
            for draft, credential in zip(prepared.drafts, prepared.signed(), strict=True)
        ]
        if prepared.places is not None:
            store_awards(
                tx,
                job.ctx,
                prepared.found.eligible,
                certificates,
                places=prepared.places,
                now=prepared.now,
            )
        record_issued(tx, job, certificates, prepared.now, announce)
        issued[chunk.id] = [c.id for c in certificates]
        return prepared.found.counts(len(certificates))

    return run_claimed(uow, prepared.chunk, owner, work, lease)


def run_pipelined(
    uow: UnitOfWork,
    job: IssueJob,
    owner: str,
    pool: SigningPool,
    *,
    lease: timedelta,
    announce: Announce | None = None,
    committed: Callable[[JobChunk, list[UUID]], None] | None = None,
    progress: Callable[[JobProgress], None] | None = None,
) -> JobProgress:
    """Run the job's chunks in this thread, signing on ``pool``, until every one is done by
    anyone (as ``jobs.run_until_complete``: chunks others hold are waited for, or taken over
    once their lease runs out). ``committed`` hears of each chunk this thread wrote, with the
    certificates it issued."""
    ahead: _Prepared | None = None
    issued: dict[UUID, list[UUID]] = {}
    while True:
        chunk = claim_chunk(uow, owner, lease, job_id=job.job_id)
        following = (
            _prepare(uow, job, chunk, pool, ahead.places if ahead else None) if chunk else None
        )
        if ahead is not None:
            done = _write(
                uow, job, ahead, owner=owner, lease=lease, announce=announce, issued=issued
            )
            ids = issued.pop(ahead.chunk.id, [])
            if done is not None and committed is not None:
                committed(ahead.chunk, ids)
        ahead = following
        current = job_progress(uow, job.job_id)
        if progress is not None:
            progress(current)
        if ahead is None:
            if current.complete:
                return current
            if chunk is None:
                time.sleep(wait_seconds(current))
