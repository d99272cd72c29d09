"""Courses, batches, learners and enrolments: read and written in bulk.

LMS data arrives by the hundred thousand rows, so the methods here take and return whole sets
(looked up in chunks to stay under the databases' bound-parameter limits) and write with
``executemany``; one row per statement would be ten times slower.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from certmint.domain.courses import (
    AssessmentResult,
    Batch,
    Course,
    Enrolment,
    EnrolmentStatus,
    Learner,
)
from certmint.storage.tables import (
    BatchRow,
    CourseRow,
    EnrolmentRow,
    LearnerRow,
)

__all__ = ["SqlAlchemyRosterRepository"]

# SQLite allows 32,766 bound parameters and PostgreSQL 65,535; stay well below both.
CHUNK = 5_000
T = TypeVar("T")


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


class SqlAlchemyRosterRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- reads -----------------------------------------------------------------------------

    def courses_by_external_id(
        self, organisation_id: UUID, external_ids: Iterable[str]
    ) -> dict[str, Course]:
        found: dict[str, Course] = {}
        for chunk in _chunks(external_ids):
            rows = self._session.execute(
                select(CourseRow.id, CourseRow.external_id, CourseRow.name).where(
                    CourseRow.organisation_id == organisation_id,
                    CourseRow.external_id.in_(chunk),
                )
            )
            for id_, external_id, name in rows:
                found[external_id] = Course(id_, organisation_id, external_id, name)
        return found

    def batches_of(self, course_ids: Iterable[UUID]) -> list[Batch]:
        found: list[Batch] = []
        for chunk in _chunks(course_ids):
            rows = self._session.scalars(select(BatchRow).where(BatchRow.course_id.in_(chunk)))
            found.extend(
                Batch(r.id, r.course_id, r.external_id, r.name, r.starts_on, r.ends_on)
                for r in rows
            )
        return found

    def learners_by_external_id(
        self, organisation_id: UUID, external_ids: Iterable[str]
    ) -> dict[str, Learner]:
        found: dict[str, Learner] = {}
        for chunk in _chunks(external_ids):
            rows = self._session.execute(
                select(
                    LearnerRow.id,
                    LearnerRow.external_id,
                    LearnerRow.name,
                    LearnerRow.email,
                    LearnerRow.attributes,
                ).where(
                    LearnerRow.organisation_id == organisation_id,
                    LearnerRow.external_id.in_(chunk),
                )
            )
            for id_, external_id, name, email, attributes in rows:
                found[external_id] = Learner(
                    id_, organisation_id, external_id, name, email, dict(attributes)
                )
        return found

    def enrolments_for(
        self, batch_ids: Iterable[UUID], learner_ids: Iterable[UUID]
    ) -> dict[tuple[UUID, UUID], Enrolment]:
        """Existing enrolments of these learners in these batches, with their results."""
        found: dict[tuple[UUID, UUID], Enrolment] = {}
        wanted = set(batch_ids)
        if not wanted:
            return found
        for chunk in _chunks(learner_ids):
            rows = self._session.execute(
                select(
                    EnrolmentRow.id,
                    EnrolmentRow.batch_id,
                    EnrolmentRow.learner_id,
                    EnrolmentRow.status,
                    EnrolmentRow.completed_on,
                    EnrolmentRow.results,
                    EnrolmentRow.updated_at,
                ).where(EnrolmentRow.learner_id.in_(chunk))
            )
            # Filtered here, not in SQL: with two IN lists SQLite probes the (batch, learner)
            # index once per pair, batches x learners times; by learner alone it is one probe each.
            for id_, batch_id, learner_id, status, completed_on, results, updated_at in rows:
                if batch_id not in wanted:
                    continue
                found[(batch_id, learner_id)] = Enrolment(
                    id=id_,
                    batch_id=batch_id,
                    learner_id=learner_id,
                    status=EnrolmentStatus(status),
                    completed_on=completed_on,
                    results=_results_from_json(results),
                    updated_at=updated_at,
                )
        return found

    # --- bulk writes -----------------------------------------------------------------------

    def add_courses(self, courses: Sequence[Course]) -> None:
        self._insert(
            CourseRow,
            [
                {
                    "id": c.id,
                    "organisation_id": c.organisation_id,
                    "external_id": c.external_id,
                    "name": c.name,
                }
                for c in courses
            ],
        )

    def rename_courses(self, names: dict[UUID, str]) -> None:
        self._update(CourseRow, [{"id": id_, "name": name} for id_, name in names.items()])

    def add_batches(self, batches: Sequence[Batch]) -> None:
        self._insert(
            BatchRow,
            [
                {
                    "id": b.id,
                    "course_id": b.course_id,
                    "external_id": b.external_id,
                    "name": b.name,
                    "starts_on": b.starts_on,
                    "ends_on": b.ends_on,
                }
                for b in batches
            ],
        )

    def rename_batches(self, names: dict[UUID, str]) -> None:
        self._update(BatchRow, [{"id": id_, "name": name} for id_, name in names.items()])

    def add_learners(self, learners: Sequence[Learner]) -> None:
        self._insert(LearnerRow, [_learner_values(learner) for learner in learners])

    def update_learners(self, learners: Sequence[Learner]) -> None:
        self._update(LearnerRow, [_learner_values(learner) for learner in learners])

    def add_enrolments(self, enrolments: Sequence[Enrolment]) -> None:
        self._insert(EnrolmentRow, [_enrolment_values(e) for e in enrolments])

    def update_enrolments(self, enrolments: Sequence[Enrolment]) -> None:
        """Replace status, completion and the full set of results of existing enrolments."""
        self._update(EnrolmentRow, [_enrolment_values(e) for e in enrolments])

    def _insert(self, row_type: type[Any], values: list[dict[str, Any]]) -> None:
        if values:
            # Core insert on the table: plain executemany, no per-row ORM bookkeeping.
            self._session.execute(insert(row_type.__table__), values)

    def _update(self, row_type: type[Any], values: list[dict[str, Any]]) -> None:
        if values:
            # ORM bulk UPDATE by primary key (one executemany).
            self._session.execute(update(row_type), values)


def _learner_values(learner: Learner) -> dict[str, Any]:
    return {
        "id": learner.id,
        "organisation_id": learner.organisation_id,
        "external_id": learner.external_id,
        "name": learner.name,
        "email": learner.email,
        "attributes": learner.attributes,
    }


def _enrolment_values(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.id,
        "batch_id": enrolment.batch_id,
        "learner_id": enrolment.learner_id,
        "status": enrolment.status.value,
        "completed_on": enrolment.completed_on,
        "results": {
            r.assessment_id: [_fraction_json(r.points), _fraction_json(r.out_of)]
            for r in enrolment.results
        },
        "updated_at": enrolment.updated_at,
    }


def _fraction_json(value: Fraction) -> int | str:
    """Whole numbers as JSON integers (cheap to read back), others as exact ``"n/d"`` text."""
    return value.numerator if value.denominator == 1 else str(value)


def _results_from_json(results: dict[str, Any]) -> tuple[AssessmentResult, ...]:
    return tuple(
        AssessmentResult(assessment_id, Fraction(points), Fraction(out_of))
        for assessment_id, (points, out_of) in sorted(results.items())
    )
