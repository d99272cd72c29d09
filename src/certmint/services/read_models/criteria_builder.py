"""What the criteria builder shows for a batch: what its enrolments hold (the conditions it can
offer), how many learners given criteria would award, a few learners each way with the facts
that decided them, and the conditions no learner's data can meet. Nothing is written.

Every id is authorised for the principal (``services.authorization``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.achievements import Achievement
from certmint.domain.courses import Batch, Course, Enrolment, Learner
from certmint.domain.criteria import Criterion
from certmint.domain.criteria_builder import Survey, survey, warnings
from certmint.domain.messages import Message
from certmint.services import authorization
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "SAMPLE",
    "SURVEY_LIMIT",
    "BatchSurvey",
    "EditableAchievement",
    "criteria_warnings",
    "editable",
    "survey_batch",
]

# The builder reads up to this many learners on each change (a few hundred milliseconds on a
# quiet machine, docs/performance.md); a bigger batch's counts say "of the first 5,000" and
# its dry run counts them all.
SURVEY_LIMIT = 5_000
SAMPLE = 5  # learners shown each way
_PAGE = 1_000


@dataclass(frozen=True)
class BatchSurvey:
    """The batch, what its enrolments hold, and (given criteria) who they would award."""

    course: Course
    batch: Batch
    survey: Survey
    warnings: list[Message]
    learners: int  # in the whole batch; ``survey`` read up to ``SURVEY_LIMIT`` of them

    @property
    def complete(self) -> bool:
        return self.survey.learners == self.learners


def survey_batch(
    uow: UnitOfWork,
    principal: Principal,
    batch_id: UUID,
    criterion: Criterion | None = None,
    *,
    limit: int = SURVEY_LIMIT,
) -> BatchSurvey:
    """Read the batch's enrolments once (up to ``limit``) for the builder."""
    with uow as tx:
        course, batch = authorization.batch_for(tx, principal, batch_id)
        learners = tx.roster.count_enrolments(batch.id)
    found = survey(criterion, _enrolments(uow, batch.id, limit), sample=SAMPLE)
    said = warnings(criterion, found.holdings) if criterion is not None else []
    return BatchSurvey(course, batch, found, said, learners)


def criteria_warnings(
    uow: UnitOfWork, principal: Principal, batch_id: UUID, criterion: Criterion
) -> list[Message]:
    """The conditions no learner's data in the batch can meet, for those who attach without
    the builder (the API): only what the enrolments hold is read, not who qualifies."""
    return warnings(criterion, survey_batch(uow, principal, batch_id).survey.holdings)


def _enrolments(uow: UnitOfWork, batch_id: UUID, limit: int) -> Iterator[tuple[Enrolment, Learner]]:
    """The batch's first ``limit`` enrolments, a page at a time."""
    after: UUID | None = None
    left = limit
    while left > 0:
        with uow as tx:
            rows = tx.roster.enrolments_page(batch_id, after=after, limit=min(_PAGE, left))
        yield from rows
        if len(rows) < min(_PAGE, left):
            return
        left -= len(rows)
        after = rows[-1][0].id


@dataclass(frozen=True)
class EditableAchievement:
    """An achievement on its edit page: it can change while ``issued`` is 0."""

    achievement: Achievement
    course: Course
    batch: Batch
    issued: int


def editable(uow: UnitOfWork, principal: Principal, achievement_id: UUID) -> EditableAchievement:
    """The achievement, its batch and how many certificates it has awarded."""
    with uow as tx:
        achievement = authorization.achievement_for(tx, principal, achievement_id)
        course, batch = authorization.batch_for(tx, principal, achievement.batch_id)
        issued = tx.certificates.counts_by_achievement([achievement.id]).get(achievement.id, 0)
    return EditableAchievement(achievement, course, batch, issued)
