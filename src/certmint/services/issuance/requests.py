"""Requesting issuance: the one entry every trigger goes through (``certmint issue``, "Issue
now", the API, automatic issuance after an import or an enrolment update). The job is planned
here, in the caller's process, so that it exists before this returns; the executor chosen at
start-up (``bootstrap``) runs it, and the e-mails and webhook events of each chunk are sent
once that chunk has committed, whoever asked."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from certmint.services.issuance.executors import Executor, Running
from certmint.services.issuance.planning import IssueRequest, plan_issue
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["request_automatic_issuance", "request_issuance"]

_AUTOMATIC = "automatic: enrolment changed"


def request_issuance(
    uow: UnitOfWork, signing: Signing, executor: Executor, request: IssueRequest
) -> Running:
    """Award the achievement to every learner of its batch who meets the criteria, or only to
    ``request.learner_ids`` among them (``manual``: whatever the criteria say, ``reason``
    saying why). Returns at once with the job handed to ``executor``; nobody ever gets a
    second current certificate of the same achievement, however often this is asked."""
    return executor.start(plan_issue(uow, signing, request))


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
            IssueRequest(
                organisation_id,
                achievement.id,
                learner_ids=sorted(learners[achievement.batch_id]),
                actor=actor,
                reason=_AUTOMATIC,
            ),
        )
        for achievement in achievements
    ]
