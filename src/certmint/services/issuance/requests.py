"""Requesting issuance: the one entry every trigger goes through (``certmint issue``, "Issue
now", the API, automatic issuance after an import or an enrolment update). The job is planned
here, in the caller's process, so that it exists before this returns; the executor chosen at
start-up (``bootstrap``) runs it, and the e-mails and webhook events of each chunk are sent
once that chunk has committed, whoever asked."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from certmint.services.issuance.executors import Executor, Running
from certmint.services.issuance.planning import CHUNK_SIZE, plan_issue
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["request_automatic_issuance", "request_issuance"]

_AUTOMATIC = "automatic: enrolment changed"


def request_issuance(
    uow: UnitOfWork,
    signing: Signing,
    executor: Executor,
    organisation_id: UUID,
    achievement_id: UUID,
    *,
    learner_ids: Sequence[UUID] | None = None,
    manual: bool = False,
    reason: str | None = None,
    actor: str = "system",
    chunk_size: int = CHUNK_SIZE,
) -> Running:
    """Award the achievement to every learner of its batch who meets the criteria, or only to
    ``learner_ids`` among them (``manual=True``: whatever the criteria say, ``reason`` saying
    why). Returns at once with the job handed to ``executor``; nobody ever gets a second
    current certificate of the same achievement, however often this is asked."""
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
    return executor.start(job)


def request_automatic_issuance(
    uow: UnitOfWork,
    signing: Signing,
    executor: Executor,
    organisation_id: UUID,
    enrolment_ids: Sequence[UUID],
    *,
    actor: str = "system",
) -> list[Running]:
    """After enrolments changed (an import, the API): every auto-issue achievement of their
    batches, for those of their learners only (each job considers whoever now qualifies)."""
    if not enrolment_ids:
        return []
    with uow as tx:
        keys = tx.roster.enrolment_keys(enrolment_ids)
        achievements = tx.achievements.auto_issue_for_batches(list({b for b, _ in keys}))
    learners: dict[UUID, set[UUID]] = {}
    for batch_id, learner_id in keys:
        learners.setdefault(batch_id, set()).add(learner_id)
    return [
        request_issuance(
            uow,
            signing,
            executor,
            organisation_id,
            achievement.id,
            learner_ids=sorted(learners[achievement.batch_id]),
            actor=actor,
            reason=_AUTOMATIC,
        )
        for achievement in achievements
    ]
