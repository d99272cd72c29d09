"""Issuance: every learner who meets an achievement's criteria gets exactly one certificate.

A bulk award is a job planned as chunks of about a thousand enrolments (keyset ranges of the
batch, recorded in the database). Each chunk is claimed by one executor (this process, another
one racing it, or a Celery worker; see ``services.issuance.jobs``) and runs in one transaction:

1. read the chunk's enrolments and who already holds a certificate;
2. evaluate the criteria for the others (``domain.criteria.evaluate``);
3. take random status-list indexes and certificate numbers for the eligible ones;
4. snapshot the printed data, build the Open Badges 3.0 credential and sign it;
5. insert certificates and status entries, mark the chunk done, commit.

The database enforces "one current certificate per (achievement, learner)", so any trigger can
run again, executors can race on the same batch, and a job killed half-way simply resumes: its
done chunks stay done, and a chunk whose executor died is taken over when the claim's lease
runs out and redone from scratch (nothing of it was committed).
"""

from __future__ import annotations

import logging
import random
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from certmint.credentials import (
    AchievementInfo,
    CredentialData,
    EmailIdentity,
    ExternalIdentity,
    IssuerProfile,
    Recipient,
    ScoreResult,
    StatusEntry,
    build_credential,
)
from certmint.domain.achievements import Achievement
from certmint.domain.certificates import Certificate, CertificateStatus, certificate_number
from certmint.domain.courses import Batch, Course, Enrolment, Learner
from certmint.domain.criteria import All, Criterion, Score, describe, evaluate, parse_criteria
from certmint.domain.ids import url_id
from certmint.domain.jobs import ChunkCounts, ChunkStatus, Job, JobChunk, JobProgress, JobStatus
from certmint.domain.notifications import Notification, NotificationKind, NotificationStatus
from certmint.domain.organisations import Organisation
from certmint.domain.templates import TemplateVersion
from certmint.rendering import verification_url as qr_url
from certmint.services.audit import record
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.issuance.jobs import (
    DEFAULT_LEASE,
    claim_chunk,
    executor_name,
    job_progress,
    mark_job,
    open_chunk_ids,
    quiet_jobs,
    restart_quiet_job,
    run_claimed,
    run_until_complete,
)
from certmint.services.issuers.keys import IssuerKey, issuer_key, organisation_did
from certmint.services.issuers.organisations import require_active
from certmint.services.issuers.signing import Signing
from certmint.services.notifications.webhooks import enqueue_certificate_events
from certmint.services.verification.status_lists import allocate_places
from certmint.storage.bulk import CHUNK
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "CHUNK_SIZE",
    "AchievementContext",
    "IssueJob",
    "IssueSummary",
    "Progress",
    "QueueChunks",
    "achievement_context",
    "award",
    "build_certificate",
    "fail_issue_job",
    "finish_if_complete",
    "follow_issue",
    "format_day",
    "issue_achievement",
    "issue_after_changes",
    "issue_chunk",
    "issue_progress",
    "load_issue_job",
    "plan_issue",
    "queue_issue",
    "requeue_quiet_issues",
    "run_issue_chunk",
    "summarise",
    "verification_url",
]

log = logging.getLogger(__name__)
CHUNK_SIZE = 1_000
JOB_KIND = "issue"

#: progress(done, total): called after each committed chunk.
Progress = Callable[[int, int], None]
#: Hands chunks to a broker's workers: (organisation id, job id, chunk ids).
QueueChunks = Callable[[UUID, UUID, Sequence[UUID]], None]
_rng = random.SystemRandom()


@dataclass
class IssueSummary:
    """What an issuance run did; with ``learners``, only those were considered."""

    job_id: UUID
    achievement_id: UUID
    considered: int = 0
    issued: int = 0
    already_held: int = 0
    not_eligible: int = 0
    certificate_ids: list[UUID] = field(default_factory=list)


def verification_url(base: str, certificate_id: UUID) -> str:
    """``BASE/v/<short id>``: what the QR code holds and the verify page answers."""
    return qr_url(base, url_id(certificate_id))


def format_day(day: date) -> str:
    """Dates as printed on certificates: ``15 May 2026`` (unambiguous in every locale)."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class AchievementContext:
    """Everything about the achievement that is the same for every learner."""

    organisation: Organisation
    course: Course
    batch: Batch
    achievement: Achievement
    version: TemplateVersion
    criterion: Criterion
    key: IssuerKey
    issuer: IssuerProfile
    info: AchievementInfo
    base: str


def achievement_context(
    uow: SqlAlchemyUnitOfWork, signing: Signing, organisation_id: UUID, achievement_id: UUID
) -> AchievementContext:
    with uow:
        organisation = uow.organisations.get(organisation_id)
        achievement = uow.achievements.get(organisation_id, achievement_id)
        if organisation is None or achievement is None:
            raise NotFound("achievement", achievement_id)
        course_batch = uow.roster.get_batch(organisation_id, achievement.batch_id)
        found = uow.templates.get_version(organisation_id, achievement.template_version_id)
        if course_batch is None or found is None:
            raise NotFound("achievement", achievement_id)
    require_active(organisation)
    key = issuer_key(uow, signing.key_store, organisation, signing.base_url)
    course, batch = course_batch
    criterion = parse_criteria(achievement.criteria)
    return AchievementContext(
        organisation=organisation,
        course=course,
        batch=batch,
        achievement=achievement,
        version=found[1],
        criterion=criterion,
        key=key,
        issuer=IssuerProfile(
            did=organisation_did(organisation, signing.base_url),
            name=organisation.name,
            url=organisation.url or signing.base_url,
        ),
        info=AchievementInfo(
            id=f"{signing.base}/achievements/{achievement.id}",
            name=achievement.name,
            description=achievement.description or f"{course.name}, {batch.name}",
            criteria=describe(criterion),
        ),
        base=signing.base,
    )


def _signatories(ctx: AchievementContext) -> list[dict[str, str]]:
    """Who signs, as printed: the designer's signatories, else the achievement's."""
    design = ctx.version.design or {}
    named = [
        {"name": s["name"], "designation": s["designation"]}
        for s in design.get("signatories", ())
        if "{{" not in s["name"]
    ]
    return named or [{"name": n, "designation": d} for n, d in ctx.achievement.signatories]


def _snapshot(
    ctx: AchievementContext,
    learner: Learner,
    *,
    certificate_id: UUID,
    number: str,
    issued: datetime,
    valid_until: datetime | None,
) -> dict[str, Any]:
    """The printed data, frozen: rendering and the verification page read only this."""
    values = {
        "recipient.name": learner.name,
        "course.name": ctx.course.name,
        "course.code": ctx.course.external_id,
        "batch.name": ctx.batch.name,
        "batch.start_date": format_day(ctx.batch.starts_on) if ctx.batch.starts_on else "",
        "batch.end_date": format_day(ctx.batch.ends_on) if ctx.batch.ends_on else "",
        "achievement.name": ctx.achievement.name,
        "achievement.description": ctx.info.description,
        "issued_on": format_day(issued.date()),
        "valid_until": format_day(valid_until.date()) if valid_until else "",
        "certificate.number": number,
        "certificate.id": url_id(certificate_id),
        "issuer.name": ctx.organisation.name,
        "issuer.url": ctx.organisation.url,
        "verification.url": verification_url(ctx.base, certificate_id),
    }
    signatories = _signatories(ctx)
    for n, signatory in enumerate(signatories, start=1):
        values[f"signatory.{n}.name"] = signatory["name"]
        values[f"signatory.{n}.designation"] = signatory["designation"]
    return {"values": values, "signatories": signatories}


def _scored_assessment(criterion: Criterion) -> str | None:
    """The assessment the criteria require a score in (directly or inside an ``all``)."""
    if isinstance(criterion, Score):
        return criterion.assessment
    if isinstance(criterion, All):
        return next(filter(None, map(_scored_assessment, criterion.items)), None)
    return None


def _result(criterion: Criterion, enrolment: Enrolment) -> ScoreResult | None:
    """The score the criteria were about, when they name one assessment."""
    assessment = _scored_assessment(criterion)
    result = enrolment.result(assessment) if assessment else None
    return ScoreResult(f"{float(result.percent):g}") if result else None


def build_certificate(
    ctx: AchievementContext,
    signing: Signing,
    learner: Learner,
    enrolment: Enrolment,
    *,
    number: str,
    status: StatusEntry,
    issued: datetime,
    valid_from: datetime | None = None,
    supersedes: UUID | None = None,
) -> Certificate:
    """One signed certificate (not yet stored), with its ``credentialStatus`` entry."""
    certificate_id = uuid.uuid4()
    valid_from = valid_from or issued
    days = ctx.achievement.valid_for_days
    valid_until = valid_from + timedelta(days=days) if days else None
    identity = (
        EmailIdentity(learner.email, secrets.token_hex(8))
        if learner.email
        else ExternalIdentity(learner.external_id)
    )
    credential = build_credential(
        CredentialData(
            certificate_id=certificate_id,
            issuer=ctx.issuer,
            recipient=Recipient(learner.name, identity),
            achievement=ctx.info,
            valid_from=valid_from,
            valid_until=valid_until,
            result=_result(ctx.criterion, enrolment),
            status=status,
        )
    )
    return Certificate(
        id=certificate_id,
        number=number,
        organisation_id=ctx.organisation.id,
        achievement_id=ctx.achievement.id,
        learner_id=learner.id,
        template_version_id=ctx.version.id,
        status=CertificateStatus.ACTIVE,
        snapshot=_snapshot(
            ctx,
            learner,
            certificate_id=certificate_id,
            number=number,
            issued=valid_from,
            valid_until=valid_until,
        ),
        credential=signing.sign(credential, ctx.key, issued),
        issued_at=issued,
        valid_from=valid_from,
        valid_until=valid_until,
        supersedes_id=supersedes,
    )


def _numbers(uow: SqlAlchemyUnitOfWork, organisation_id: UUID, count: int, year: int) -> list[str]:
    numbers: set[str] = set()
    while len(numbers) < count:
        fresh = {
            certificate_number(year, _rng.getrandbits(50)) for _ in range(count - len(numbers))
        }
        numbers |= fresh - uow.certificates.numbers_taken(organisation_id, sorted(fresh))
    return list(numbers)


def award(
    uow: SqlAlchemyUnitOfWork,
    ctx: AchievementContext,
    signing: Signing,
    pairs: Sequence[tuple[Enrolment, Learner]],
    now: datetime,
    *,
    supersedes: UUID | None = None,
    valid_from: datetime | None = None,
) -> list[Certificate]:
    """Issue to each (enrolment, learner) inside the open unit of work; nothing is checked
    (the caller decided who is eligible; the database refuses a second current certificate)."""
    if not pairs:
        return []
    places = allocate_places(uow, ctx.organisation.id, len(pairs), now)
    numbers = _numbers(uow, ctx.organisation.id, len(pairs), now.year)
    certificates = [
        build_certificate(
            ctx,
            signing,
            learner,
            enrolment,
            number=number,
            status=places.entry(ctx.base, ctx.organisation, index),
            issued=now,
            valid_from=valid_from,
            supersedes=supersedes,
        )
        for (enrolment, learner), number, index in zip(pairs, numbers, places.indexes, strict=True)
    ]
    uow.certificates.add_many(certificates)
    places.record(uow, [c.id for c in certificates])
    enqueue_certificate_events(
        uow,
        ctx.organisation.id,
        "certificate.reissued" if supersedes else "certificate.issued",
        certificates,
        base=ctx.base,
        now=now,
    )
    kind = NotificationKind.REISSUED if supersedes else NotificationKind.ISSUED
    uow.notifications.add_many(
        [
            Notification(
                uuid.uuid4(),
                ctx.organisation.id,
                c.id,
                kind,
                learner.email,
                NotificationStatus.PENDING,
                0,
                now,
                now,
            )
            for c, (_, learner) in zip(certificates, pairs, strict=True)
            if learner.email
        ]
    )
    return certificates


@dataclass(frozen=True)
class IssueJob:
    """An issue job as each of its chunks needs it: loaded once per executor, not per chunk."""

    job_id: UUID
    ctx: AchievementContext
    signing: Signing
    total: int
    wanted: frozenset[UUID] | None  # only these learners (None: the whole batch)
    manual: bool
    reason: str | None
    actor: str

    @property
    def fetch_by_id(self) -> frozenset[UUID] | None:
        """The wanted learners when few enough to fetch by id instead of reading the batch."""
        return _few(self.wanted)


def _few(wanted: frozenset[UUID] | None) -> frozenset[UUID] | None:
    return wanted if wanted is not None and len(wanted) <= CHUNK else None


def plan_issue(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    achievement_id: UUID,
    *,
    learner_ids: Sequence[UUID] | None = None,
    manual: bool = False,
    reason: str | None = None,
    actor: str = "system",
    chunk_size: int = CHUNK_SIZE,
) -> IssueJob:
    """Start the job with its chunks (keyset ranges of about ``chunk_size`` enrolments), or
    find the unfinished one for the same work (one a killed process left, or one another
    command is running now) so that its remaining chunks are shared, not redone."""
    if manual and learner_ids is None:
        raise InvalidInput(["learner_ids: a manual award names its learners"], "award rejected")
    ctx = achievement_context(uow, signing, organisation_id, achievement_id)
    wanted = frozenset(learner_ids) if learner_ids is not None else None
    params: dict[str, Any] = {
        "achievement_id": str(achievement_id),
        "manual": manual,
        "actor": actor,
        "reason": reason,
    }
    if wanted is not None:
        params["learner_ids"] = sorted(str(i) for i in wanted)
    now = datetime.now(UTC)
    with uow:
        uow.jobs.serialise_planning(organisation_id)
        job = uow.jobs.unfinished(organisation_id, JOB_KIND, params)
        if job is None:
            total = len(wanted) if wanted is not None else uow.roster.count_enrolments(ctx.batch.id)
            job = Job(
                uuid.uuid4(),
                organisation_id,
                JOB_KIND,
                params,
                JobStatus.QUEUED,
                total,
                0,
                0,
                None,
                now,
                None,
                None,
            )
            uow.jobs.add(job)
            record(
                uow,
                organisation_id=organisation_id,
                actor=actor,
                action="job.created",
                subject_type="job",
                subject_id=job.id,
                details=params,
                at=now,
            )
        if not uow.jobs.has_chunks(job.id):
            bounds = uow.roster.enrolment_bounds(ctx.batch.id, chunk_size, learner_ids=_few(wanted))
            uow.jobs.add_chunks(job.id, list(zip([None, *bounds], [*bounds, None], strict=True)))
        uow.jobs.started(job.id, now, job.total)
        uow.commit()
    return IssueJob(job.id, ctx, signing, job.total, wanted, manual, reason, actor)


def queue_issue(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    achievement_id: UUID,
    queue: QueueChunks,
    *,
    learner_ids: Sequence[UUID] | None = None,
    manual: bool = False,
    reason: str | None = None,
    actor: str = "system",
    chunk_size: int = CHUNK_SIZE,
) -> IssueJob:
    """Plan the job (as :func:`plan_issue`) and hand every chunk not done yet to ``queue``, a
    broker whose workers run them (``run_issue_chunk``); whoever started it only follows the
    job (:func:`follow_issue`, :func:`issue_progress`).

    A job already under way is queued again as it stands: a task whose chunk is done does
    nothing, and one whose chunk a live executor holds waits for it, so repeating costs a
    few messages and resumes the chunks whose messages were lost.
    """
    job = plan_issue(
        uow,
        signing,
        organisation_id,
        achievement_id,
        learner_ids=learner_ids,
        manual=manual,
        reason=reason,
        actor=actor,
        chunk_size=chunk_size,
    )
    queue(organisation_id, job.job_id, open_chunk_ids(uow, job.job_id))
    return job


def requeue_quiet_issues(
    uow: SqlAlchemyUnitOfWork,
    queue: QueueChunks,
    quiet: timedelta,
    *,
    queue_is_empty: Callable[[], bool],
) -> list[UUID]:
    """Hand the chunks of every issue job untouched for ``quiet`` to ``queue`` again (their
    messages were lost: the broker restarted without its data, was flushed, dropped one); the
    jobs restarted. A job still waiting behind others' messages is silent too, so nothing is
    re-queued unless the broker's queue is empty (asked only when some job is quiet)."""
    quiet_ones = quiet_jobs(uow, JOB_KIND, quiet)
    if not quiet_ones:
        return []
    if not queue_is_empty():
        log.info(
            "%d job(s) untouched for %g s, but messages are waiting in the queue: "
            "theirs may be among them",
            len(quiet_ones),
            quiet.total_seconds(),
        )
        return []
    restarted = []
    for job in quiet_ones:
        chunk_ids = restart_quiet_job(uow, job, quiet)
        if chunk_ids is not None:
            log.warning(
                "job %s was untouched for %g s: re-queued its %d chunk(s)",
                job.id,
                quiet.total_seconds(),
                len(chunk_ids),
            )
            queue(job.organisation_id, job.id, chunk_ids)
            restarted.append(job.id)
    return restarted


def load_issue_job(
    uow: SqlAlchemyUnitOfWork, signing: Signing, organisation_id: UUID, job_id: UUID
) -> IssueJob:
    """What a worker needs to run chunks of a job another process planned."""
    with uow:
        job = uow.jobs.get(organisation_id, job_id)
    if job is None or job.kind != JOB_KIND:
        raise NotFound("job", job_id)
    params = job.params
    ctx = achievement_context(uow, signing, organisation_id, UUID(params["achievement_id"]))
    wanted = frozenset(UUID(i) for i in params["learner_ids"]) if "learner_ids" in params else None
    return IssueJob(
        job.id,
        ctx,
        signing,
        job.total,
        wanted,
        params["manual"],
        params.get("reason"),
        params.get("actor", "system"),
    )


def issue_achievement(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    achievement_id: UUID,
    *,
    learner_ids: Sequence[UUID] | None = None,
    manual: bool = False,
    reason: str | None = None,
    actor: str = "system",
    chunk_size: int = CHUNK_SIZE,
    lease: timedelta = DEFAULT_LEASE,
    progress: Progress | None = None,
) -> IssueSummary:
    """Award the achievement to every learner of its batch who meets the criteria, or only to
    ``learner_ids`` among them, running the job's chunks in this process (alongside any other
    process working on the same job).

    ``manual=True`` (with ``learner_ids``) is an award by hand: those learners, if enrolled in
    the batch, are awarded whatever the criteria say, and ``reason`` records why. Either way
    nobody gets a second current certificate of the same achievement.
    """
    job = plan_issue(
        uow,
        signing,
        organisation_id,
        achievement_id,
        learner_ids=learner_ids,
        manual=manual,
        reason=reason,
        actor=actor,
        chunk_size=chunk_size,
    )
    owner = executor_name()
    issued: dict[UUID, list[UUID]] = {}  # per chunk, from its latest attempt

    def work(chunk_uow: SqlAlchemyUnitOfWork, chunk: JobChunk) -> ChunkCounts:
        counts, ids = issue_chunk(chunk_uow, job, chunk)
        issued[chunk.id] = ids
        return counts

    kept: list[UUID] = []
    try:
        final = run_until_complete(
            uow,
            job.job_id,
            owner,
            work,
            lease=lease,
            committed=lambda chunk: kept.extend(issued.pop(chunk.id)),
            progress=None
            if progress is None
            else lambda p: progress(p.counts.considered, job.total),
        )
    except BaseException as exc:
        fail_issue_job(uow, job.job_id, exc)
        raise
    finish_if_complete(uow, job)
    mine = job_progress(uow, job.job_id, owner=owner).counts
    return summarise(job.job_id, achievement_id, final.counts, mine, kept)


def summarise(
    job_id: UUID,
    achievement_id: UUID,
    everyone: ChunkCounts,
    mine: ChunkCounts,
    certificate_ids: list[UUID] | None = None,
) -> IssueSummary:
    """One executor's view of a finished job: what it issued itself; certificates issued by
    others (earlier, or racing it) were already held as far as it is concerned."""
    return IssueSummary(
        job_id,
        achievement_id,
        considered=everyone.considered,
        issued=mine.issued,
        already_held=everyone.already_held + everyone.issued - mine.issued,
        not_eligible=everyone.not_eligible,
        certificate_ids=certificate_ids or [],
    )


def run_issue_chunk(
    uow: SqlAlchemyUnitOfWork, job: IssueJob, chunk_id: UUID, owner: str, lease: timedelta
) -> datetime | None:
    """Run one named chunk (a broker's task): None once it is done (now or earlier, by
    anyone), else the time another executor's claim on it runs out (try again then)."""
    chunk = claim_chunk(uow, owner, lease, chunk_id=chunk_id)
    if chunk is not None:
        run_claimed(
            uow, chunk, owner, lambda chunk_uow, c: issue_chunk(chunk_uow, job, c)[0], lease
        )
    else:
        with uow:
            current = uow.jobs.get_chunk(chunk_id)
        if current is None or current.job_id != job.job_id:
            raise NotFound("chunk", chunk_id)
        if current.status is not ChunkStatus.DONE:
            return current.lease_until or datetime.now(UTC)
    finish_if_complete(uow, job)
    return None


def issue_progress(
    uow: SqlAlchemyUnitOfWork, organisation_id: UUID, job_id: UUID
) -> tuple[Job, JobProgress]:
    """A job and its chunks, for whoever follows it (the CLI's progress bar, the web page)."""
    with uow:
        job = uow.jobs.get(organisation_id, job_id)
        if job is None:
            raise NotFound("job", job_id)
        return job, uow.jobs.progress(job_id)


def follow_issue(
    uow: SqlAlchemyUnitOfWork,
    job: IssueJob,
    *,
    progress: Progress | None = None,
    poll_seconds: float = 0.5,
) -> IssueSummary:
    """Wait while executors elsewhere (Celery workers) run the job's chunks, reporting its
    progress; the summary is the whole job's. Raises Conflict when an executor gave up."""
    while True:
        current, chunks = issue_progress(uow, job.ctx.organisation.id, job.job_id)
        if progress is not None:
            progress(chunks.counts.considered, job.total)
        if current.status is JobStatus.FAILED:
            raise Conflict(f"job {job.job_id} failed: {current.error}")
        if chunks.complete:
            finish_if_complete(uow, job)
            return summarise(job.job_id, job.ctx.achievement.id, chunks.counts, chunks.counts)
        time.sleep(poll_seconds)


def fail_issue_job(uow: SqlAlchemyUnitOfWork, job_id: UUID, exc: BaseException) -> None:
    """Record why an executor gave up (its claim runs out; another run can finish the job)."""
    with uow:
        mark_job(uow, job_id, JobStatus.FAILED, error=repr(exc)[:2000])
        uow.commit()


def finish_if_complete(uow: SqlAlchemyUnitOfWork, job: IssueJob) -> None:
    """When every chunk is done, mark the job succeeded and audit it, once whoever gets here."""
    with uow:
        progress = uow.jobs.progress(job.job_id)
        if progress.complete and mark_job(uow, job.job_id, JobStatus.SUCCEEDED):
            counts = progress.counts
            record(
                uow,
                organisation_id=job.ctx.organisation.id,
                actor=job.actor,
                action="job.succeeded",
                subject_type="job",
                subject_id=job.job_id,
                reason=job.reason,
                details={
                    "issued": counts.issued,
                    "already_held": counts.already_held,
                    "not_eligible": counts.not_eligible,
                },
            )
        uow.commit()


def issue_after_changes(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    enrolment_ids: Sequence[UUID],
    *,
    actor: str = "system",
) -> list[IssueSummary]:
    """The automatic trigger: after enrolments changed (an import, the API), award every
    auto-issue achievement of their batches to those of the learners who now qualify."""
    with uow:
        keys = uow.roster.enrolment_keys(enrolment_ids)
        achievements = uow.achievements.auto_issue_for_batches(list({b for b, _ in keys}))
    learners: dict[UUID, set[UUID]] = {}
    for batch_id, learner_id in keys:
        learners.setdefault(batch_id, set()).add(learner_id)
    return [
        issue_achievement(
            uow,
            signing,
            organisation_id,
            achievement.id,
            learner_ids=sorted(learners[achievement.batch_id]),
            actor=actor,
            reason="automatic: enrolment changed",
        )
        for achievement in achievements
    ]


def issue_chunk(
    uow: SqlAlchemyUnitOfWork, job: IssueJob, chunk: JobChunk
) -> tuple[ChunkCounts, list[UUID]]:
    """One chunk's issuance inside the open unit of work (the runner commits it)."""
    ctx = job.ctx
    page = uow.roster.enrolments_page(
        ctx.batch.id,
        after=chunk.after,
        upto=chunk.upto,
        limit=None,
        learner_ids=job.fetch_by_id,
    )
    wanted = job.wanted
    pairs = [(e, lr) for e, lr in page if wanted is None or lr.id in wanted]
    held = uow.certificates.current_holders(ctx.achievement.id, [lr.id for _, lr in pairs])
    eligible = [
        (e, lr)
        for e, lr in pairs
        if lr.id not in held and (job.manual or evaluate(ctx.criterion, e, lr).awarded)
    ]
    now = datetime.now(UTC)
    issued = award(uow, ctx, job.signing, eligible, now)
    if issued:
        record(
            uow,
            organisation_id=ctx.organisation.id,
            actor=job.actor,
            action="certificates.issued",
            subject_type="achievement",
            subject_id=ctx.achievement.id,
            reason=job.reason,
            details={"job_id": str(job.job_id), "count": len(issued), "first": str(issued[0].id)},
            at=now,
        )
    counts = ChunkCounts(
        considered=len(pairs),
        issued=len(issued),
        already_held=len(held),
        not_eligible=len(pairs) - len(held) - len(eligible),
    )
    return counts, [c.id for c in issued]
