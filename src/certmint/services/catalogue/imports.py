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

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.courses import AssessmentResult, Batch, Course, Enrolment, Learner
from certmint.domain.enrolment_import import (
    EnrolmentRecord,
    ImportProblem,
    ParsedEnrolments,
    parse_enrolment_csv,
    parse_enrolment_rows,
)
from certmint.domain.ids import time_ordered_id
from certmint.domain.messages import Message
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.errors import ImportRejected
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["EntityCounts", "ImportSummary", "import_enrolment_rows", "import_enrolments"]

K = TypeVar("K")
ANALYZE_AFTER = 10_000  # new rows after which planner statistics are refreshed


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
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    data: bytes,
    *,
    dry_run: bool = False,
    actor: str = "system",
    source: str = "csv",
    principal: Principal | None = None,
) -> ImportSummary:
    """Import a CSV export. Raises ``ImportRejected`` naming every bad line; writes nothing then.

    Returns the counts, and the ids of enrolments that were created or changed (the triggers
    for automatic issuance). ``principal`` is who imports, whose scope limits what is written
    (see the module's docstring); ``None`` is the instance's operator (the CLI), who may write
    everything, like an admin.
    """
    return _import(
        uow,
        organisation_id,
        parse_enrolment_csv(data),
        dry_run=dry_run,
        actor=actor,
        source=source,
        principal=principal,
    )


def import_enrolment_rows(
    uow: SqlAlchemyUnitOfWork,
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
        parse_enrolment_rows(rows),
        dry_run=dry_run,
        actor=actor,
        source="api",
        principal=principal,
    )


def _import(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    parsed: ParsedEnrolments,
    *,
    dry_run: bool,
    actor: str,
    source: str,
    principal: Principal | None,
) -> ImportSummary:
    if not parsed.ok:
        raise ImportRejected(parsed.problems)
    records = parsed.records
    now = datetime.now(UTC)
    summary = ImportSummary(rows=len(records), dry_run=dry_run)
    with uow:
        plan = _Plan(uow, organisation_id, now, summary, unit=parsed.unit, principal=principal)
        problems = plan.resolve(records)
        if problems:
            raise ImportRejected(problems)
        if dry_run:
            return summary
        plan.write()
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="enrolments.imported",
            subject_type="organisation",
            subject_id=organisation_id,
            details={"source": source, "rows": len(records), **summary.counts()},
            at=now,
        )
        uow.commit()
    return summary


class _Plan:
    """The inserts and updates an import needs, worked out against what is stored."""

    def __init__(
        self,
        uow: SqlAlchemyUnitOfWork,
        organisation_id: UUID,
        now: datetime,
        summary: ImportSummary,
        *,
        unit: str,
        principal: Principal | None,
    ) -> None:
        self._uow = uow
        self._org = organisation_id
        self._now = now
        self._summary = summary
        self._unit = unit  # what problem numbers count: CSV lines or JSON rows
        self._principal = principal
        self._course_ids: Collection[UUID] | None = (
            None if principal is None else authorization.managed_course_ids(principal)
        )
        self.new_courses: list[Course] = []
        self.renamed_courses: dict[UUID, str] = {}
        self.new_batches: list[Batch] = []
        self.renamed_batches: dict[UUID, str] = {}
        self.new_learners: list[Learner] = []
        self.changed_learners: list[Learner] = []
        self.new_enrolments: list[Enrolment] = []
        self.changed_enrolments: list[Enrolment] = []

    def resolve(self, records: Sequence[EnrolmentRecord]) -> list[ImportProblem]:
        problems: list[ImportProblem] = []
        courses = self._courses(records, problems)
        batches = self._batches(records, courses, problems)
        learners = self._learners(records)
        if not problems:
            self._enrolments(records, batches, learners)
        return problems

    def _courses(
        self, records: Sequence[EnrolmentRecord], problems: list[ImportProblem]
    ) -> dict[str, Course]:
        first = _first_by(records, lambda r: r.course_id)
        stored = self._uow.roster.courses_by_external_id(self._org, first)
        counts = self._summary.courses
        # Conflicting names were refused by the parser, so any name given for a course is it.
        named = {r.course_id: r.course_name for r in records if r.course_name}
        for external_id, r in first.items():
            name = named.get(external_id)
            course = stored.get(external_id)
            if self._course_ids is not None and (
                course is None or course.id not in self._course_ids
            ):
                problems.append(
                    ImportProblem(
                        r.line,
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
                            r.line,
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
        self,
        records: Sequence[EnrolmentRecord],
        courses: dict[str, Course],
        problems: list[ImportProblem],
    ) -> dict[tuple[str, str], Batch]:
        course_ids = {c.id: c.external_id for c in courses.values()}
        stored = {
            (course_ids[b.course_id], b.external_id): b
            for b in self._uow.roster.batches_of(list(course_ids))
        }
        counts = self._summary.batches
        named = {(r.course_id, r.batch_id): r.batch_name for r in records if r.batch_name}
        for key, r in _first_by(records, lambda r: (r.course_id, r.batch_id)).items():
            course = courses.get(r.course_id)
            if course is None:
                continue  # already reported against the course
            name = named.get(key)
            batch = stored.get(key)
            if batch is None:
                if name is None:
                    problems.append(
                        ImportProblem(
                            r.line,
                            Message(
                                "batch %(batch)s is new: batch_name is required",
                                batch=repr(r.batch_id),
                            ),
                            self._unit,
                        )
                    )
                    continue
                batch = Batch(time_ordered_id(), course.id, r.batch_id, name)
                self.new_batches.append(batch)
                counts.created += 1
            elif name is not None and name != batch.name:
                self.renamed_batches[batch.id] = name
                counts.updated += 1
            else:
                counts.unchanged += 1
            stored[key] = batch
        return stored

    def _learners(self, records: Sequence[EnrolmentRecord]) -> dict[str, Learner]:
        merged: dict[str, EnrolmentRecord] = {}
        emails: dict[str, str] = {}
        attributes: dict[str, dict[str, str]] = {}
        for r in records:
            merged.setdefault(r.learner_id, r)
            if r.email:
                emails.setdefault(r.learner_id, r.email)
            attributes.setdefault(r.learner_id, {}).update(r.attributes)
        stored = self._uow.roster.learners_by_external_id(self._org, merged)
        scope = self._learner_scope(stored.values())
        counts = self._summary.learners
        for external_id, r in merged.items():
            learner = stored.get(external_id)
            if learner is None:
                learner = Learner(
                    time_ordered_id(),
                    self._org,
                    external_id,
                    r.name,
                    emails.get(external_id),
                    attributes[external_id],
                )
                self.new_learners.append(learner)
                counts.created += 1
            elif learner.id not in scope.visible:
                counts.created += 1  # new to the principal's courses; enrolled as stored
            elif learner.id not in scope.writable:
                counts.unchanged += 1  # shared with courses outside the principal's scope
            else:
                email = emails.get(external_id, learner.email)
                attrs = learner.attributes | attributes[external_id]
                if (r.name, email, attrs) != (learner.name, learner.email, learner.attributes):
                    learner = replace(learner, name=r.name, email=email, attributes=attrs)
                    self.changed_learners.append(learner)
                    counts.updated += 1
                else:
                    counts.unchanged += 1
            stored[external_id] = learner
        return stored

    def _learner_scope(self, stored: Collection[Learner]) -> authorization.LearnerScope:
        ids = frozenset(learner.id for learner in stored)
        if self._principal is None:
            return authorization.LearnerScope(ids, ids)
        return authorization.learner_scope(self._uow, self._principal, ids)

    def _enrolments(
        self,
        records: Sequence[EnrolmentRecord],
        batches: dict[tuple[str, str], Batch],
        learners: dict[str, Learner],
    ) -> None:
        rows = _first_by(records, lambda r: (r.course_id, r.batch_id, r.learner_id))
        stored = self._uow.roster.enrolments_for(
            list({b.id for b in batches.values()}), [lr.id for lr in learners.values()]
        )
        counts = self._summary.enrolments
        changed_ids: list[UUID] = []
        for (course_id, batch_id, learner_id), r in rows.items():
            batch = batches[(course_id, batch_id)]
            learner = learners[learner_id]
            existing = stored.get((batch.id, learner.id))
            if existing is None:
                enrolment = Enrolment(
                    id=time_ordered_id(),
                    batch_id=batch.id,
                    learner_id=learner.id,
                    status=r.status,
                    completed_on=r.completed_on,
                    results=r.scores,
                    updated_at=self._now,
                )
                self.new_enrolments.append(enrolment)
                counts.created += 1
                changed_ids.append(enrolment.id)
                continue
            completed_on = r.completed_on
            if completed_on is None and r.status == existing.status:
                completed_on = existing.completed_on
            merged = _merge_results(existing.results, r.scores)
            if (r.status, completed_on, merged) == (
                existing.status,
                existing.completed_on,
                existing.results,
            ):
                counts.unchanged += 1
                continue
            self.changed_enrolments.append(
                replace(
                    existing,
                    status=r.status,
                    completed_on=completed_on,
                    results=merged,
                    updated_at=self._now,
                )
            )
            counts.updated += 1
            changed_ids.append(existing.id)
        self._summary.changed_enrolment_ids = tuple(changed_ids)

    def write(self) -> None:
        roster = self._uow.roster
        roster.add_courses(self.new_courses)
        roster.rename_courses(self.renamed_courses)
        roster.add_batches(self.new_batches)
        roster.rename_batches(self.renamed_batches)
        roster.add_learners(self.new_learners)
        roster.update_learners(self.changed_learners)
        roster.add_enrolments(self.new_enrolments)
        roster.update_enrolments(self.changed_enrolments)
        if len(self.new_learners) + len(self.new_enrolments) >= ANALYZE_AFTER:
            roster.refresh_statistics()


def _merge_results(
    stored: tuple[AssessmentResult, ...], given: tuple[AssessmentResult, ...]
) -> tuple[AssessmentResult, ...]:
    """Given scores replace stored ones for the same assessment; others are kept."""
    if not given or stored == given:
        return stored
    merged = {a.assessment_id: a for a in stored} | {a.assessment_id: a for a in given}
    return tuple(merged[key] for key in sorted(merged))


def _first_by(
    records: Sequence[EnrolmentRecord], key: Callable[[EnrolmentRecord], K]
) -> dict[K, EnrolmentRecord]:
    first: dict[K, EnrolmentRecord] = {}
    for r in records:
        first.setdefault(key(r), r)
    return first
