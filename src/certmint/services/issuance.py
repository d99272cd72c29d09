"""Issuance: every learner who meets an achievement's criteria gets exactly one certificate.

The pipeline, per chunk of about a thousand enrolments, in one transaction:

1. read the chunk (keyset pagination over the batch) and who already holds a certificate;
2. evaluate the criteria for the others (``domain.criteria.evaluate``);
3. take random status-list indexes and certificate numbers for the eligible ones;
4. snapshot the printed data, build the Open Badges 3.0 credential and sign it;
5. insert certificates and status entries, record progress, commit.

The database enforces "one current certificate per (achievement, learner)", so any trigger can
run again, two workers can race on the same batch, and a job killed half-way simply resumes:
a chunk that lost a race rolls back and is redone, skipping whoever got a certificate meanwhile.
"""

from __future__ import annotations

import logging
import random
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

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
from certmint.domain.jobs import Job, JobStatus
from certmint.domain.notifications import Notification, NotificationKind, NotificationStatus
from certmint.domain.organisations import Organisation
from certmint.domain.templates import TemplateVersion
from certmint.rendering import verification_url as qr_url
from certmint.services.audit import record
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.keys import IssuerKey, issuer_key, organisation_did
from certmint.services.signing import Signing
from certmint.services.status_lists import allocate_places
from certmint.services.webhooks import enqueue_certificate_events
from certmint.storage.bulk import CHUNK
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "CHUNK_SIZE",
    "AchievementContext",
    "IssueSummary",
    "Progress",
    "achievement_context",
    "award",
    "build_certificate",
    "format_day",
    "issue_achievement",
    "issue_after_changes",
    "plan_issue",
    "verification_url",
]

log = logging.getLogger(__name__)
CHUNK_SIZE = 1_000
MAX_CHUNK_ATTEMPTS = 5
JOB_KIND = "issue"

#: progress(done, total): called after each committed chunk.
Progress = Callable[[int, int], None]
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
    status: Sequence[StatusEntry],
    issued: datetime,
    valid_from: datetime | None = None,
    supersedes: UUID | None = None,
) -> Certificate:
    """One signed certificate (not yet stored), with its ``credentialStatus`` entries."""
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
            status=places.entries(ctx.base, ctx.organisation, index),
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


def _start_job(
    uow: SqlAlchemyUnitOfWork,
    ctx: AchievementContext,
    params: dict[str, Any],
    actor: str,
    total: int,
) -> Job:
    """Resume the unfinished job for the same work (one a killed process left), else start one."""
    now = datetime.now(UTC)
    with uow:
        job = uow.jobs.unfinished(ctx.organisation.id, JOB_KIND, params)
        if job is None:
            job = Job(
                uuid.uuid4(),
                ctx.organisation.id,
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
                organisation_id=ctx.organisation.id,
                actor=actor,
                action="job.created",
                subject_type="job",
                subject_id=job.id,
                details=params,
                at=now,
            )
        uow.jobs.started(job.id, now, total)
        uow.commit()
    return job


def plan_issue(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    achievement_id: UUID,
    *,
    actor: str = "system",
) -> Job:
    """Start the job that ``issue_achievement`` (same achievement, whole batch) will then run
    and resume, or find the unfinished one, so a caller can follow it from the start."""
    ctx = achievement_context(uow, signing, organisation_id, achievement_id)
    with uow:
        total = uow.roster.count_enrolments(ctx.batch.id)
    return _start_job(uow, ctx, _params(achievement_id, None, manual=False), actor, total)


def _params(achievement_id: UUID, wanted: set[UUID] | None, *, manual: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"achievement_id": str(achievement_id), "manual": manual}
    if wanted is not None:
        params["learner_ids"] = sorted(str(i) for i in wanted)
    return params


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
    progress: Progress | None = None,
) -> IssueSummary:
    """Award the achievement to every learner of its batch who meets the criteria, or only to
    ``learner_ids`` among them.

    ``manual=True`` (with ``learner_ids``) is an award by hand: those learners, if enrolled in
    the batch, are awarded whatever the criteria say, and ``reason`` records why. Either way
    nobody gets a second current certificate of the same achievement.
    """
    if manual and learner_ids is None:
        raise InvalidInput(["learner_ids: a manual award names its learners"], "award rejected")
    ctx = achievement_context(uow, signing, organisation_id, achievement_id)
    wanted = set(learner_ids) if learner_ids is not None else None
    params = _params(achievement_id, wanted, manual=manual)
    with uow:
        total = len(wanted) if wanted is not None else uow.roster.count_enrolments(ctx.batch.id)
    job = _start_job(uow, ctx, params, actor, total)
    summary = IssueSummary(job.id, achievement_id)
    after: UUID | None = None
    try:
        while True:
            last, done = _issue_chunk(
                uow,
                ctx,
                signing,
                after=after,
                wanted=wanted,
                manual=manual,
                summary=summary,
                chunk_size=chunk_size,
                actor=actor,
                reason=reason,
                job_id=job.id,
            )
            if progress is not None:
                progress(summary.considered, total)
            if done:
                break
            after = last
    except BaseException as exc:
        with uow:
            uow.jobs.update(
                job.id,
                status=JobStatus.FAILED,
                error=repr(exc)[:2000],
                finished_at=datetime.now(UTC),
            )
            uow.commit()
        raise
    with uow:
        uow.jobs.update(
            job.id,
            status=JobStatus.SUCCEEDED,
            done=summary.considered,
            finished_at=datetime.now(UTC),
        )
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="job.succeeded",
            subject_type="job",
            subject_id=job.id,
            reason=reason,
            details={
                "issued": summary.issued,
                "already_held": summary.already_held,
                "not_eligible": summary.not_eligible,
            },
        )
        uow.commit()
    return summary


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


def _issue_chunk(
    uow: SqlAlchemyUnitOfWork,
    ctx: AchievementContext,
    signing: Signing,
    *,
    after: UUID | None,
    wanted: set[UUID] | None,
    manual: bool,
    summary: IssueSummary,
    chunk_size: int,
    actor: str,
    reason: str | None,
    job_id: UUID,
) -> tuple[UUID | None, bool]:
    """One chunk in one transaction, retried when a concurrent issuer won a race on it."""
    for attempt in range(1, MAX_CHUNK_ATTEMPTS + 1):
        try:
            with uow:
                page = uow.roster.enrolments_page(
                    ctx.batch.id,
                    after=after,
                    limit=chunk_size,
                    # A few learners (an automatic trigger): fetch just them, not the batch.
                    learner_ids=wanted if wanted is not None and len(wanted) <= CHUNK else None,
                )
                pairs = [(e, lr) for e, lr in page if wanted is None or lr.id in wanted]
                held = uow.certificates.current_holders(
                    ctx.achievement.id, [lr.id for _, lr in pairs]
                )
                eligible = [
                    (e, lr)
                    for e, lr in pairs
                    if lr.id not in held and (manual or evaluate(ctx.criterion, e, lr).awarded)
                ]
                now = datetime.now(UTC)
                issued = award(uow, ctx, signing, eligible, now)
                if issued:
                    record(
                        uow,
                        organisation_id=ctx.organisation.id,
                        actor=actor,
                        action="certificates.issued",
                        subject_type="achievement",
                        subject_id=ctx.achievement.id,
                        reason=reason,
                        details={
                            "job_id": str(job_id),
                            "count": len(issued),
                            "first": str(issued[0].id),
                        },
                        at=now,
                    )
                considered = summary.considered + len(pairs)
                uow.jobs.update(job_id, done=considered)
                uow.commit()
        except IntegrityError:
            # Another issuer took a learner, a status index or a number first: redo the chunk.
            log.info("issuance chunk after %s lost a race (attempt %d); retrying", after, attempt)
            continue
        summary.considered = considered
        summary.issued += len(issued)
        summary.already_held += len(held)
        summary.not_eligible += len(pairs) - len(held) - len(eligible)
        summary.certificate_ids.extend(c.id for c in issued)
        return (page[-1][0].id if page else after), len(page) < chunk_size
    raise Conflict(f"issuance kept colliding with concurrent work after {MAX_CHUNK_ATTEMPTS} tries")
