"""Finding roster entries by the ids people have at hand (ours, or the LMS's), and listing them
a page at a time (keyset pagination: ``limit`` entries after the id ``after``)."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from certmint.domain.courses import Batch, Course, Enrolment, Learner
from certmint.services.errors import Conflict, NotFound
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "list_batches",
    "list_courses",
    "list_enrolments",
    "list_learners",
    "organisation_batches",
    "resolve_batch",
    "resolve_course",
    "resolve_learner",
]


def _uuid(ref: str) -> UUID | None:
    try:
        return UUID(ref)
    except ValueError:
        return None


def resolve_course(uow: UnitOfWork, organisation_id: UUID, ref: str) -> Course:
    """A course by its id, or by the LMS's course id."""
    with uow as tx:
        course_id = _uuid(ref)
        found = tx.roster.get_course(organisation_id, course_id) if course_id else None
        if found is None:
            found = tx.roster.courses_by_external_id(organisation_id, [ref]).get(ref)
    if found is None:
        raise NotFound("course", ref)
    return found


def resolve_batch(uow: UnitOfWork, organisation_id: UUID, ref: str) -> tuple[Course, Batch]:
    """A batch by its id, or by the LMS's batch id when that is unambiguous."""
    with uow as tx:
        batch_id = _uuid(ref)
        found = tx.roster.get_batch(organisation_id, batch_id) if batch_id else None
        if found is not None:
            return found
        matches = tx.roster.batches_by_external_id(organisation_id, ref)
    if not matches:
        raise NotFound("batch", ref)
    if len(matches) > 1:
        courses = ", ".join(sorted(course.external_id for course, _ in matches))
        raise Conflict(f"batch id {ref!r} exists in several courses ({courses}): use its uuid")
    return matches[0]


def resolve_learner(uow: UnitOfWork, organisation_id: UUID, ref: str) -> Learner:
    """A learner by id, or by the LMS's learner id."""
    with uow as tx:
        learner_id = _uuid(ref)
        found = tx.roster.get_learner(organisation_id, learner_id) if learner_id else None
        if found is None:
            found = tx.roster.learners_by_external_id(organisation_id, [ref]).get(ref)
    if found is None:
        raise NotFound("learner", ref)
    return found


def list_courses(
    uow: UnitOfWork,
    organisation_id: UUID,
    *,
    course_ids: Collection[UUID] | None,
    after: UUID | None,
    limit: int,
) -> list[Course]:
    """Courses in creation order; only ``course_ids`` when given (a course manager's)."""
    with uow as tx:
        return tx.roster.courses_page(
            organisation_id, course_ids=course_ids, after=after, limit=limit
        )


def list_batches(
    uow: UnitOfWork, course_id: UUID, *, after: UUID | None, limit: int
) -> list[Batch]:
    """The batches of a course the caller has already been authorised for."""
    with uow as tx:
        return tx.roster.batches_page(course_id, after=after, limit=limit)


def organisation_batches(uow: UnitOfWork, organisation_id: UUID) -> list[tuple[Course, Batch]]:
    """Every batch of the organisation with its course, for an admin's choice of one."""
    with uow as tx:
        return tx.roster.list_batches(organisation_id)


def list_learners(
    uow: UnitOfWork,
    organisation_id: UUID,
    *,
    course_ids: Collection[UUID] | None,
    after: UUID | None,
    limit: int,
) -> list[Learner]:
    """Learners in creation order; with ``course_ids``, those enrolled in those courses."""
    with uow as tx:
        return tx.roster.learners_page(
            organisation_id, course_ids=course_ids, after=after, limit=limit
        )


def list_enrolments(
    uow: UnitOfWork, batch_id: UUID, *, after: UUID | None, limit: int
) -> list[tuple[Enrolment, Learner]]:
    """The enrolments of a batch the caller has already been authorised for, with learners."""
    with uow as tx:
        return tx.roster.enrolments_page(batch_id, after=after, limit=limit)
