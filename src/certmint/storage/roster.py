"""Courses, batches, learners and enrolments: read and written in bulk.

LMS data arrives by the hundred thousand rows, so the methods here take and return whole sets
(looked up in chunks to stay under the databases' bound-parameter limits) and write with
``executemany``; one row per statement would be ten times slower.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from certmint.domain.courses import (
    Batch,
    Course,
    Enrolment,
    EnrolmentStatus,
    Learner,
)
from certmint.storage.bulk import bulk_insert, bulk_update, chunks
from certmint.storage.enrolment_staging import EnrolmentStaging
from certmint.storage.pages import keyset
from certmint.storage.scores import results_document, results_from_document
from certmint.storage.tables import (
    BatchRow,
    CourseRow,
    EnrolmentRow,
    LearnerRow,
)

__all__ = ["SqlAlchemyRosterRepository"]


class SqlAlchemyRosterRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- reads -----------------------------------------------------------------------------

    def courses_by_external_id(
        self, organisation_id: UUID, external_ids: Iterable[str]
    ) -> dict[str, Course]:
        found: dict[str, Course] = {}
        for chunk in chunks(external_ids):
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
        for chunk in chunks(course_ids):
            rows = self._session.scalars(select(BatchRow).where(BatchRow.course_id.in_(chunk)))
            found.extend(_batch(r) for r in rows)
        return found

    def learners_by_external_id(
        self, organisation_id: UUID, external_ids: Iterable[str]
    ) -> dict[str, Learner]:
        found: dict[str, Learner] = {}
        for chunk in chunks(external_ids):
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
        for chunk in chunks(learner_ids):
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
                    results=results_from_document(results),
                    updated_at=updated_at,
                )
        return found

    def get_course(self, organisation_id: UUID, course_id: UUID) -> Course | None:
        row = self._session.get(CourseRow, course_id)
        if row is None or row.organisation_id != organisation_id:
            return None
        return _course(row)

    def courses_page(
        self,
        organisation_id: UUID,
        *,
        course_ids: Collection[UUID] | None,
        after: UUID | None,
        limit: int,
    ) -> list[Course]:
        """Courses in id (creation) order; only ``course_ids`` when given."""
        query = select(CourseRow).where(CourseRow.organisation_id == organisation_id)
        if course_ids is not None:
            query = query.where(CourseRow.id.in_(list(course_ids)))
        rows = self._session.scalars(keyset(query, CourseRow.id, after=after, limit=limit))
        return [_course(row) for row in rows]

    def batches_page(self, course_id: UUID, *, after: UUID | None, limit: int) -> list[Batch]:
        query = select(BatchRow).where(BatchRow.course_id == course_id)
        rows = self._session.scalars(keyset(query, BatchRow.id, after=after, limit=limit))
        return [_batch(row) for row in rows]

    def learners_page(
        self,
        organisation_id: UUID,
        *,
        course_ids: Collection[UUID] | None,
        after: UUID | None,
        limit: int,
    ) -> list[Learner]:
        """Learners in id order; with ``course_ids``, only those enrolled in those courses."""
        query = select(LearnerRow).where(LearnerRow.organisation_id == organisation_id)
        if course_ids is not None:
            query = query.where(self._enrolled_in(course_ids))
        rows = self._session.scalars(keyset(query, LearnerRow.id, after=after, limit=limit))
        return [_learner(row) for row in rows]

    def is_enrolled_in(self, learner_id: UUID, course_ids: Collection[UUID]) -> bool:
        """Whether the learner has an enrolment in a batch of one of these courses."""
        found = self._session.scalar(
            select(LearnerRow.id).where(LearnerRow.id == learner_id, self._enrolled_in(course_ids))
        )
        return found is not None

    def courses_of_learners(self, learner_ids: Iterable[UUID]) -> dict[UUID, frozenset[UUID]]:
        """The courses each of these learners is enrolled in (a batch of); a learner with no
        enrolment is absent."""
        found: dict[UUID, set[UUID]] = {}
        for chunk in chunks(learner_ids):
            rows = self._session.execute(
                select(EnrolmentRow.learner_id, BatchRow.course_id)
                .join(BatchRow, BatchRow.id == EnrolmentRow.batch_id)
                .where(EnrolmentRow.learner_id.in_(chunk))
                .distinct()
            )
            for learner_id, course_id in rows:
                found.setdefault(learner_id, set()).add(course_id)
        return {learner_id: frozenset(courses) for learner_id, courses in found.items()}

    @staticmethod
    def _enrolled_in(course_ids: Collection[UUID]) -> Any:
        return (
            select(EnrolmentRow.id)
            .join(BatchRow, BatchRow.id == EnrolmentRow.batch_id)
            .where(
                EnrolmentRow.learner_id == LearnerRow.id, BatchRow.course_id.in_(list(course_ids))
            )
            .exists()
        )

    def get_batch(self, organisation_id: UUID, batch_id: UUID) -> tuple[Course, Batch] | None:
        """A batch with its course, only if the course belongs to the organisation."""
        found = self._session.execute(
            select(CourseRow, BatchRow)
            .join(BatchRow, BatchRow.course_id == CourseRow.id)
            .where(BatchRow.id == batch_id, CourseRow.organisation_id == organisation_id)
        ).one_or_none()
        return None if found is None else (_course(found[0]), _batch(found[1]))

    def batches_by_external_id(
        self, organisation_id: UUID, external_id: str
    ) -> list[tuple[Course, Batch]]:
        rows = self._session.execute(
            select(CourseRow, BatchRow)
            .join(BatchRow, BatchRow.course_id == CourseRow.id)
            .where(
                BatchRow.external_id == external_id, CourseRow.organisation_id == organisation_id
            )
        ).all()
        return [(_course(c), _batch(b)) for c, b in rows]

    def list_batches(self, organisation_id: UUID) -> list[tuple[Course, Batch]]:
        """Every batch of the organisation with its course, by course then batch name."""
        rows = self._session.execute(
            select(CourseRow, BatchRow)
            .join(BatchRow, BatchRow.course_id == CourseRow.id)
            .where(CourseRow.organisation_id == organisation_id)
            .order_by(CourseRow.name, BatchRow.name)
        ).all()
        return [(_course(c), _batch(b)) for c, b in rows]

    def enrolment_counts(self, batch_ids: Iterable[UUID]) -> dict[UUID, int]:
        """How many learners each batch has (batches without any are left out)."""
        found: dict[UUID, int] = {}
        for chunk in chunks(batch_ids):
            rows = self._session.execute(
                select(EnrolmentRow.batch_id, func.count())
                .where(EnrolmentRow.batch_id.in_(chunk))
                .group_by(EnrolmentRow.batch_id)
            )
            found.update((batch_id, count) for batch_id, count in rows)
        return found

    def get_learner(self, organisation_id: UUID, learner_id: UUID) -> Learner | None:
        row = self._session.get(LearnerRow, learner_id)
        if row is None or row.organisation_id != organisation_id:
            return None
        return _learner(row)

    def count_enrolments(self, batch_id: UUID) -> int:
        return (
            self._session.scalar(
                select(func.count())
                .select_from(EnrolmentRow)
                .where(EnrolmentRow.batch_id == batch_id)
            )
            or 0
        )

    def enrolments_page(
        self,
        batch_id: UUID,
        *,
        after: UUID | None,
        limit: int | None,
        upto: UUID | None = None,
        learner_ids: Collection[UUID] | None = None,
    ) -> list[tuple[Enrolment, Learner]]:
        """Enrolments of a batch in id order, ``limit`` after ``after`` and up to ``upto``
        (keyset pagination: constant cost per page however deep into a million-learner batch),
        optionally only those of ``learner_ids`` (at most ``CHUNK`` of them)."""
        # Plain columns, not ORM entities: a chunk reads a thousand of these, and building
        # ORM instances was a fifth of the issuing time.
        enrolment, learner = EnrolmentRow.__table__.c, LearnerRow.__table__.c
        query = (
            select(
                *enrolment,
                learner.organisation_id,
                learner.external_id,
                learner.name,
                learner.email,
                learner.attributes,
            )
            .join_from(
                EnrolmentRow.__table__, LearnerRow.__table__, learner.id == enrolment.learner_id
            )
            .where(enrolment.batch_id == batch_id)
            .order_by(enrolment.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(enrolment.id > after)
        if upto is not None:
            query = query.where(enrolment.id <= upto)
        if learner_ids is not None:
            query = query.where(enrolment.learner_id.in_(list(learner_ids)))
        return [
            (
                _enrolment(row),
                Learner(
                    row.learner_id,
                    row.organisation_id,
                    row.external_id,
                    row.name,
                    row.email,
                    dict(row.attributes),
                ),
            )
            for row in self._session.execute(query)
        ]

    def enrolment_bounds(
        self, batch_id: UUID, every: int, *, learner_ids: Collection[UUID] | None = None
    ) -> list[UUID]:
        """Every ``every``-th enrolment id of a batch in id order (optionally only those of
        ``learner_ids``): the keyset boundaries that cut it into chunks of ``every``, found by
        the database without reading the other ids."""
        numbered = select(
            EnrolmentRow.id, func.row_number().over(order_by=EnrolmentRow.id).label("n")
        ).where(EnrolmentRow.batch_id == batch_id)
        if learner_ids is not None:
            numbered = numbered.where(EnrolmentRow.learner_id.in_(list(learner_ids)))
        sub = numbered.subquery()
        return list(
            self._session.scalars(select(sub.c.id).where(sub.c.n % every == 0).order_by(sub.c.n))
        )

    def external_ids(self, learner_ids: Iterable[UUID]) -> dict[UUID, str]:
        """The LMS ids of these learners."""
        found: dict[UUID, str] = {}
        for chunk in chunks(learner_ids):
            rows = self._session.execute(
                select(LearnerRow.id, LearnerRow.external_id).where(LearnerRow.id.in_(chunk))
            )
            found.update((learner_id, external_id) for learner_id, external_id in rows)
        return found

    def enrolment_keys(self, enrolment_ids: Iterable[UUID]) -> list[tuple[UUID, UUID]]:
        """(batch id, learner id) of each enrolment."""
        found: list[tuple[UUID, UUID]] = []
        for chunk in chunks(enrolment_ids):
            rows = self._session.execute(
                select(EnrolmentRow.batch_id, EnrolmentRow.learner_id).where(
                    EnrolmentRow.id.in_(chunk)
                )
            )
            found.extend((batch_id, learner_id) for batch_id, learner_id in rows)
        return found

    def enrolment_of(self, batch_id: UUID, learner_id: UUID) -> Enrolment | None:
        row = self._session.scalar(
            select(EnrolmentRow).where(
                EnrolmentRow.batch_id == batch_id, EnrolmentRow.learner_id == learner_id
            )
        )
        return None if row is None else _enrolment(row)

    def rename_learner(self, learner_id: UUID, name: str) -> None:
        self._update(LearnerRow, [{"id": learner_id, "name": name}])

    def import_staging(self, organisation_id: UUID) -> EnrolmentStaging:
        """Staging tables for one import into the organisation (``storage.enrolment_staging``)."""
        return EnrolmentStaging(self._session, organisation_id)

    def refresh_statistics(self) -> None:
        """Let PostgreSQL's planner see a bulk load at once.

        Right after a large insert its statistics still describe the tables as they were, and
        it then scans all learners for every value of a 5,000-id ``IN`` list: measured 20 s a
        chunk on 100,000 learners instead of milliseconds. Autovacuum would analyze later;
        the next import cannot wait for it. SQLite's planner uses the indexes regardless.
        """
        if self._session.get_bind().dialect.name == "postgresql":
            for table in ("courses", "batches", "learners", "enrolments"):
                self._session.execute(text(f"ANALYZE {table}"))

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
        bulk_insert(self._session, row_type, values)

    def _update(self, row_type: type[Any], values: list[dict[str, Any]]) -> None:
        bulk_update(self._session, row_type, values)


def _course(row: CourseRow) -> Course:
    return Course(row.id, row.organisation_id, row.external_id, row.name)


def _batch(row: BatchRow) -> Batch:
    return Batch(row.id, row.course_id, row.external_id, row.name, row.starts_on, row.ends_on)


def _learner(row: LearnerRow) -> Learner:
    return Learner(
        row.id, row.organisation_id, row.external_id, row.name, row.email, dict(row.attributes)
    )


def _enrolment(row: EnrolmentRow | Row[Any, *tuple[Any, ...]]) -> Enrolment:
    """From an ORM row or a plain row with the same column names."""
    return Enrolment(
        id=row.id,
        batch_id=row.batch_id,
        learner_id=row.learner_id,
        status=EnrolmentStatus(row.status),
        completed_on=row.completed_on,
        results=results_from_document(row.results),
        updated_at=row.updated_at,
    )


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
        "results": results_document(enrolment.results),
        "updated_at": enrolment.updated_at,
    }
