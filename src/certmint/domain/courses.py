"""Courses, batches, learners and their enrolments: the data an LMS sends us."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from uuid import UUID

__all__ = [
    "AssessmentResult",
    "Batch",
    "Course",
    "Enrolment",
    "EnrolmentStatus",
    "Learner",
]


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True, slots=True)
class Course:
    id: UUID
    organisation_id: UUID
    external_id: str
    name: str


@dataclass(frozen=True, slots=True)
class Batch:
    id: UUID
    course_id: UUID
    external_id: str
    name: str
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True, slots=True)
class Learner:
    id: UUID
    organisation_id: UUID
    external_id: str
    name: str
    email: str | None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AssessmentResult:
    """A score kept as points out of a maximum, so that ``2/3`` compares exactly."""

    assessment_id: str
    points: Fraction
    out_of: Fraction

    @property
    def percent(self) -> Fraction:
        return _percent(self.points, self.out_of)


@lru_cache(maxsize=4096)
def _percent(points: Fraction, out_of: Fraction) -> Fraction:
    """Scores repeat endlessly (0-100, 17/20): each percentage is worked out once, since
    Fraction arithmetic is most of what evaluating criteria over a batch costs."""
    return points * 100 / out_of


@dataclass(frozen=True, slots=True)
class Enrolment:
    id: UUID
    batch_id: UUID
    learner_id: UUID
    status: EnrolmentStatus
    completed_on: date | None
    results: tuple[AssessmentResult, ...] = ()
    updated_at: datetime | None = None

    def result(self, assessment_id: str) -> AssessmentResult | None:
        return next((r for r in self.results if r.assessment_id == assessment_id), None)
