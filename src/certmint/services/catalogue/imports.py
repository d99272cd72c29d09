"""Enrolment import: an LMS export upserted into courses, batches, learners and enrolments.

All or nothing: the file is validated completely (``domain.enrolment_import``), then checked
against what is stored (a new course needs a name), and only a file without a single problem is
written, in one transaction. Upserts go by the LMS's own ids, so importing the same file twice
changes nothing the second time.

Who may write what is ``services.authorization``'s: a course manager's file may name only their
existing courses, and changes the record (name, e-mail, attributes) of a learner only if every
course the learner is in is theirs; a learner shared with other courses, or one they cannot see,
is enrolled as it is stored. The counts are those of the principal's view, so they never tell a
course manager which learner ids exist elsewhere: a learner new to their courses counts as
*created* whether or not another course had it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.courses import Batch, Course
from certmint.domain.enrolment_import import (
    ConflictCheck,
    EnrolmentReading,
    EnrolmentRecord,
    ImportProblem,
    merged,
    read_enrolment_csv,
    read_enrolment_rows,
)
from certmint.domain.ids import time_ordered_id
from certmint.domain.messages import Message
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.errors import ImportRejected
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = ["EntityCounts", "ImportSummary", "import_enrolment_rows", "import_enrolments"]

ANALYZE_AFTER = 10_000  # new rows after which planner statistics are refreshed
CHUNK = 10_000  # rows read, validated and staged at a time: what an import holds in memory


@dataclass(slots=True)
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(slots=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    rows: int
    dry_run: bool
    courses: EntityCounts = field(default_factory=EntityCounts)
    batches: EntityCounts = field(default_factory=EntityCounts)
    learners: EntityCounts = field(default_factory=EntityCounts)
    enrolments: EntityCounts = field(default_factory=EntityCounts)
    changed_enrolment_ids: tuple[UUID, ...] = ()

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            name: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for name, c in (
                ("courses", self.courses),
                ("batches", self.batches),
                ("learners", self.learners),
                ("enrolments", self.enrolments),
            )
        }


def import_enrolments(
    uow: UnitOfWork,
    organisation_id: UUID,
    data: bytes | BinaryIO,
    *,
    dry_run: bool = False,
    actor: str = "system",
    source: str = "csv",
    principal: Principal | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a CSV export. Raises ``ImportRejected`` naming every bad line; writes nothing then.

    ``data`` is the file's bytes or a binary stream (read a chunk at a time, so a file of a
    million rows needs little memory); ``progress`` is told how many bytes of the stream have
    been read after each chunk. Returns the counts, and the ids of enrolments that were created
    or changed (the triggers for automatic issuance). ``principal`` is who imports, whose scope
    limits what is written (see the module's docstring); ``None`` is the instance's operator
    (the CLI), who may write everything, like an admin.
    """
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    return _import(
        uow,
        organisation_id,
        read_enrolment_csv(stream),
        dry_run=dry_run,
        actor=actor,
        source=source,
        principal=principal,
        progress=None if progress is None else lambda: progress(stream.tell()),
    )


def import_enrolment_rows(
    uow: UnitOfWork,
    organisation_id: UUID,
    rows: Sequence[Mapping[str, str]],
    *,
    dry_run: bool = False,
    actor: str = "system",
    principal: Principal | None = None,
) -> ImportSummary:
    """The same upsert for rows sent as JSON (the API): the CSV's columns as keys, the same
    rules, and problems that name rows (counted from 1) instead of lines."""
    return _import(
        uow,
        organisation_id,
        read_enrolment_rows(rows),
        dry_run=dry_run,
        actor=actor,
        source="api",
        principal=principal,
        progress=None,
    )


def _import(
    uow: UnitOfWork,
    organisation_id: UUID,
    reading: EnrolmentReading,
    *,
    dry_run: bool,
    actor: str,
    source: str,
    principal: Principal | None,
    progress: Callable[[], None] | None,
) -> ImportSummary:
    now = datetime.now(UTC)
    with uow as tx:
        staging = tx.roster.import_staging(organisation_id)
        staging.create()
        for chunk in reading.chunks(CHUNK):
            staging.add(chunk)
            if progress is not None:
                progress()
        summary = ImportSummary(rows=reading.rows, dry_run=dry_run)
        staging.group_learners()
        repeated = _Repeated(reading.unit)
        for group in staging.repeated_learners():
            repeated.check(group)
        problems = [*reading.problems, *repeated.learner_problems, *repeated.enrolment_problems]
        if problems:
            raise ImportRejected(sorted(problems, key=lambda p: p.line))
        plan = _Plan(tx, organisation_id, summary, reading, principal=principal)
        batch_ids = plan.resolve()
        staging.merge_learners(repeated.learners)
        staging.match_learners()
        if principal is not None:
            stored = staging.stored_learner_ids()
            scope = authorization.learner_scope(tx, principal, stored)
            staging.limit_learners(scope.visible - scope.writable, set(stored) - scope.visible)
        staging.add_batches(batch_ids)
        staging.group_enrolments()
        staging.merge_enrolments(repeated.enrolments, batch_ids)
        staging.match_enrolments()
        summary.learners = EntityCounts(*staging.learner_counts())
        summary.enrolments = EntityCounts(*staging.enrolment_counts())
        summary.changed_enrolment_ids = tuple(staging.changed_enrolment_ids())
        if dry_run:
            return summary
        plan.write()
        staging.write(now)
        staging.drop()
        if summary.learners.created + summary.enrolments.created >= ANALYZE_AFTER:
            tx.roster.refresh_statistics()
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action="enrolments.imported",
            subject_type="organisation",
            subject_id=organisation_id,
            details={"source": source, "rows": summary.rows, **summary.counts()},
            at=now,
        )
        tx.commit()
    return summary


class _Repeated:
    """The rows that name one learner more than once: compared with each other (conflicts),
    and merged where they say different things without conflicting (one row gives an
    attribute, another a second one)."""

    def __init__(self, unit: str) -> None:
        self._unit = unit
        self.learner_problems: list[ImportProblem] = []
        self.enrolment_problems: list[ImportProblem] = []
        self.learners: list[EnrolmentRecord] = []
        self.enrolments: list[EnrolmentRecord] = []

    def check(self, group: list[EnrolmentRecord]) -> None:
        learners = ConflictCheck(("learner",), self._unit)
        enrolments = ConflictCheck(("enrolment",), self._unit)
        for r in group:
            self.learner_problems.extend(learners.check(r))
            self.enrolment_problems.extend(enrolments.check(r))
        if len({r.attributes for r in group}) > 1:
            self.learners.append(merged(group))
        by_batch: dict[tuple[str, str], list[EnrolmentRecord]] = {}
        for r in group:
            by_batch.setdefault((r.course_id, r.batch_id), []).append(r)
        self.enrolments.extend(
            merged(rows)
            for rows in by_batch.values()
            if len({(r.completed_on, r.scores) for r in rows}) > 1
        )


class _Plan:
    """The courses and batches an import names, worked out against what is stored (there are
    few: this is done in Python, the learners and enrolments set-wise in the database)."""

    def __init__(
        self,
        uow: OpenUnitOfWork,
        organisation_id: UUID,
        summary: ImportSummary,
        reading: EnrolmentReading,
        *,
        principal: Principal | None,
    ) -> None:
        self._uow = uow
        self._org = organisation_id
        self._summary = summary
        self._reading = reading
        self._unit = reading.unit
        self._course_ids: Collection[UUID] | None = (
            None if principal is None else authorization.managed_course_ids(principal)
        )
        self.new_courses: list[Course] = []
        self.renamed_courses: dict[UUID, str] = {}
        self.new_batches: list[Batch] = []
        self.renamed_batches: dict[UUID, str] = {}

    def resolve(self) -> dict[tuple[str, str], UUID]:
        """The id of each batch the file names (new ones included). Raises
        ``ImportRejected`` for a course outside the principal's or one without a name."""
        problems: list[ImportProblem] = []
        courses = self._courses(problems)
        batches = self._batches(courses, problems)
        if problems:
            raise ImportRejected(sorted(problems, key=lambda p: p.line))
        return {key: batch.id for key, batch in batches.items()}

    def _courses(self, problems: list[ImportProblem]) -> dict[str, Course]:
        given = self._reading.courses
        stored = self._uow.roster.courses_by_external_id(self._org, given)
        counts = self._summary.courses
        for external_id, (line, name) in given.items():
            course = stored.get(external_id)
            if self._course_ids is not None and (
                course is None or course.id not in self._course_ids
            ):
                problems.append(
                    ImportProblem(
                        line,
                        Message(
                            "course %(course)s is not one of your courses",
                            course=repr(external_id),
                        ),
                        self._unit,
                    )
                )
                stored.pop(external_id, None)
                continue
            if course is None:
                if name is None:
                    problems.append(
                        ImportProblem(
                            line,
                            Message(
                                "course %(course)s is new: course_name is required",
                                course=repr(external_id),
                            ),
                            self._unit,
                        )
                    )
                    continue
                course = Course(time_ordered_id(), self._org, external_id, name)
                self.new_courses.append(course)
                counts.created += 1
            elif name is not None and name != course.name:
                self.renamed_courses[course.id] = name
                counts.updated += 1
            else:
                counts.unchanged += 1
            stored[external_id] = course
        return stored

    def _batches(
        self, courses: dict[str, Course], problems: list[ImportProblem]
    ) -> dict[tuple[str, str], Batch]:
        course_ids = {c.id: c.external_id for c in courses.values()}
        stored = {
            (course_ids[b.course_id], b.external_id): b
            for b in self._uow.roster.batches_of(list(course_ids))
        }
        counts = self._summary.batches
        for key, (line, name) in self._reading.batches.items():
            course = courses.get(key[0])
            if course is None:
                continue  # already reported against the course
            batch = stored.get(key)
            if batch is None:
                if name is None:
                    problems.append(
                        ImportProblem(
                            line,
                            Message(
                                "batch %(batch)s is new: batch_name is required",
                                batch=repr(key[1]),
                            ),
                            self._unit,
                        )
                    )
                    continue
                batch = Batch(time_ordered_id(), course.id, key[1], name)
                self.new_batches.append(batch)
                counts.created += 1
            elif name is not None and name != batch.name:
                self.renamed_batches[batch.id] = name
                counts.updated += 1
            else:
                counts.unchanged += 1
            stored[key] = batch
        return stored

    def write(self) -> None:
        roster = self._uow.roster
        roster.add_courses(self.new_courses)
        roster.rename_courses(self.renamed_courses)
        roster.add_batches(self.new_batches)
        roster.rename_batches(self.renamed_batches)
