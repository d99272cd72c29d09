"""Loading an object by id *for a principal*: the one place that decides who may see what.

Every route that takes an id authorises it here, inside the caller's open unit of work::

    with uow:
        course, batch = authorization.batch_for(uow, principal, batch_id)
        ...

The rules:

- everything is looked up within ``principal.organisation_id`` only;
- admins reach every course of their organisation; course managers only the courses in
  ``principal.course_ids`` (``Principal.can_manage_course``), so a batch, an achievement or a
  certificate is reachable through its course;
- learners reach only certificates issued to their own learner record, and nothing else here;
- templates belong to the organisation, not to a course: staff (admins and course managers)
  reach them, learners do not;
- learners are shared by the organisation's courses, so seeing one and changing its record are
  two scopes (``learner_scope``): a course manager sees the learners enrolled in one of their
  courses, but changes a learner's record (name, e-mail, attributes) only if every course the
  learner is enrolled in is theirs. Otherwise the manager of one course could rename or re-mail
  a learner of another and, with an invitation to the new address, take over the learner's
  account. Enrolling a learner into one of their own batches stays allowed: that changes no
  record another course relies on.

Whatever is not reachable raises ``NotFound`` with the id that was asked for: another tenant's
object and an object outside the principal's scope look exactly like one that does not exist,
never like a ``Forbidden`` that would confirm it exists. Role checks that are about *what* may
be done to a reachable object (say, only admins revoke) stay with the use case and raise
``Forbidden``; organisation-wide changes whose use cases know no principal (designing and
publishing templates: course managers use templates, admins make them) are admitted by their
routes' guards (``web.deps``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from certmint.domain.accounts import Principal, Role
from certmint.domain.achievements import Achievement
from certmint.domain.certificates import Certificate
from certmint.domain.courses import Batch, Course, Learner
from certmint.domain.templates import Template
from certmint.services.errors import NotFound
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "LearnerScope",
    "achievement_for",
    "batch_for",
    "certificate_for",
    "course_for",
    "learner_for",
    "learner_scope",
    "load",
    "managed_course_ids",
    "may_rewrite_learner",
    "template_for",
]

T = TypeVar("T")
Finder = Callable[[SqlAlchemyUnitOfWork, Principal, UUID], T]


def load(uow: SqlAlchemyUnitOfWork, find: Finder[T], principal: Principal, object_id: UUID) -> T:
    """One of the loaders below in a unit of work of its own, for a caller (an API handler)
    that has nothing else to do in it: ``load(uow, batch_for, principal, batch_id)``."""
    with uow:
        return find(uow, principal, object_id)


def managed_course_ids(principal: Principal) -> frozenset[UUID] | None:
    """The courses whose objects a listing may show: ``None`` for every course (admins), else
    the course manager's own (none for a manager given no courses, or a learner)."""
    if principal.is_admin:
        return None
    return principal.course_ids or frozenset()


def course_for(uow: SqlAlchemyUnitOfWork, principal: Principal, course_id: UUID) -> Course:
    """The course, if the principal manages it; else ``NotFound("course", course_id)``."""
    course = uow.roster.get_course(principal.organisation_id, course_id)
    if course is None or not principal.can_manage_course(course.id):
        raise NotFound("course", course_id)
    return course


def batch_for(
    uow: SqlAlchemyUnitOfWork, principal: Principal, batch_id: UUID
) -> tuple[Course, Batch]:
    """The batch and its course, if the principal manages the course; else ``NotFound``."""
    found = uow.roster.get_batch(principal.organisation_id, batch_id)
    if found is None or not principal.can_manage_course(found[0].id):
        raise NotFound("batch", batch_id)
    return found


def achievement_for(
    uow: SqlAlchemyUnitOfWork, principal: Principal, achievement_id: UUID
) -> Achievement:
    """The achievement, if the principal manages its batch's course; else ``NotFound``."""
    achievement = uow.achievements.get(principal.organisation_id, achievement_id)
    if achievement is None or not _manages_batch(uow, principal, achievement.batch_id):
        raise NotFound("achievement", achievement_id)
    return achievement


def certificate_for(
    uow: SqlAlchemyUnitOfWork, principal: Principal, certificate_id: UUID
) -> Certificate:
    """The certificate, if it is the learner's own or the staff member manages its course;
    else ``NotFound("certificate", certificate_id)``."""
    certificate = uow.certificates.get_for(principal.organisation_id, certificate_id)
    if certificate is None or not _may_see_certificate(uow, principal, certificate):
        raise NotFound("certificate", certificate_id)
    return certificate


def learner_for(uow: SqlAlchemyUnitOfWork, principal: Principal, learner_id: UUID) -> Learner:
    """A learner of the organisation, for admins; for a course manager only one enrolled in
    their courses; for a learner only their own record. Else ``NotFound``."""
    learner = uow.roster.get_learner(principal.organisation_id, learner_id)
    if learner is None or learner.id not in learner_scope(uow, principal, [learner.id]).visible:
        raise NotFound("learner", learner_id)
    return learner


@dataclass(frozen=True, slots=True)
class LearnerScope:
    """Of some stored learners of the principal's organisation: those the principal may see,
    and those whose record (name, e-mail, attributes) it may change. ``writable`` is always
    part of ``visible``."""

    visible: frozenset[UUID]
    writable: frozenset[UUID]


def learner_scope(
    uow: SqlAlchemyUnitOfWork, principal: Principal, learner_ids: Collection[UUID]
) -> LearnerScope:
    """The one rule for learner records (the ids must be learners of the principal's
    organisation, as looked up by the caller):

    - an admin sees and changes every one;
    - a course manager sees a learner enrolled in at least one of their courses, and changes
      it only if it is enrolled in theirs alone; a learner enrolled nowhere is nobody's yet and
      only an admin changes it;
    - a learner sees their own record and changes none here (their profile is their account's).
    """
    ids = frozenset(learner_ids)
    if principal.is_admin:
        return LearnerScope(ids, ids)
    if principal.role is Role.LEARNER:
        own = ids & {principal.learner_id} if principal.learner_id is not None else frozenset()
        return LearnerScope(frozenset(own), frozenset())
    scope = principal.course_ids or frozenset()
    if not scope or not ids:
        return LearnerScope(frozenset(), frozenset())
    courses = uow.roster.courses_of_learners(ids)
    visible = frozenset(i for i in ids if courses.get(i, frozenset()) & scope)
    writable = frozenset(i for i in visible if courses[i] <= scope)
    return LearnerScope(visible, writable)


def may_rewrite_learner(uow: SqlAlchemyUnitOfWork, principal: Principal, learner_id: UUID) -> bool:
    """Whether the principal may change this learner's record (``learner_scope``)."""
    return learner_id in learner_scope(uow, principal, [learner_id]).writable


def template_for(uow: SqlAlchemyUnitOfWork, principal: Principal, template_id: UUID) -> Template:
    """The organisation's template, for staff; else ``NotFound("template", template_id)``."""
    template = uow.templates.get(principal.organisation_id, template_id)
    if template is None or not principal.is_staff:
        raise NotFound("template", template_id)
    return template


def _manages_batch(uow: SqlAlchemyUnitOfWork, principal: Principal, batch_id: UUID) -> bool:
    found = uow.roster.get_batch(principal.organisation_id, batch_id)
    return found is not None and principal.can_manage_course(found[0].id)


def _may_see_certificate(
    uow: SqlAlchemyUnitOfWork, principal: Principal, certificate: Certificate
) -> bool:
    if principal.role is Role.LEARNER:
        return principal.learner_id is not None and certificate.learner_id == principal.learner_id
    if principal.is_admin:
        return True
    achievement = uow.achievements.get(principal.organisation_id, certificate.achievement_id)
    return achievement is not None and _manages_batch(uow, principal, achievement.batch_id)
