"""The authorisation policy: the one place that decides what a principal may do to which object.

Use cases ask it; the web and the CLI only authenticate and pass the principal on (the CLI's is
``Principal.at_shell``: the operator at the server's shell, the organisation's admin). Two
kinds of question:

- **What** a principal may do at all (``allows(principal, Action.X)``, ``require``): designing
  templates, reading the audit log, deciding name corrections, working with courses at all, a
  learner's own pages. A refusal is ``Forbidden`` with the action's one sentence (``REFUSALS``).
  A route's guard (``web.deps``) names the action the route performs and asks ``require``;
  use cases that are handed a principal ask it themselves.
- **Which** objects it reaches: loading an object by id *for a principal*, inside the caller's
  open unit of work::

    with uow as tx:
        course, batch = authorization.batch_for(tx, principal, batch_id)
        ...

The rules:

- everything is looked up within ``principal.organisation_id`` only;
- admins reach every course of their organisation; course managers only the courses in
  ``principal.course_ids`` (``manages_course``), so a batch, an achievement or a
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

One person may hold accounts in several organisations (an admin here, a learner there), each
an account of its own with the same address. They are one person only where the address was
proved (``User.email_verified_at``: a link e-mailed to it was used, or the operator vouched for
it) on both sides: then the person switches between those organisations (``memberships``,
``membership_in``; every page then acts in the one the session names), and a learner's list and
public profile show the certificates of each such learner account (``own_learner_records``).
An account whose address was never proved is only itself: its admin could have set it up for
someone else's address.

Whatever is not reachable raises ``NotFound`` with the id that was asked for: another tenant's
object and an object outside the principal's scope look exactly like one that does not exist,
never like a ``Forbidden`` that would confirm it exists. What a role may do is asked first
(``require``), so a learner or a course manager calling an admin's route is refused the same
way whichever id it names. No other module reads a principal's role (``tests/test_policy.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from certmint.domain.accounts import Principal, Role, User
from certmint.domain.achievements import Achievement
from certmint.domain.certificates import Certificate
from certmint.domain.courses import Batch, Course, Learner
from certmint.domain.organisations import Organisation
from certmint.domain.templates import Template
from certmint.services.errors import Forbidden, NotFound
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "REFUSALS",
    "Action",
    "LearnerScope",
    "achievement_for",
    "allows",
    "batch_for",
    "certificate_for",
    "course_for",
    "learner_for",
    "learner_scope",
    "load",
    "managed_course_ids",
    "manages_course",
    "may_rewrite_learner",
    "membership_in",
    "memberships",
    "operator_in",
    "own_learner_id",
    "own_learner_records",
    "own_user_id",
    "require",
    "template_for",
]


class Action(StrEnum):
    """What a principal may be allowed to do, whichever object it is done to."""

    # Courses and all in them (batches, learners, enrolments, achievements, certificates,
    # jobs), the organisation's templates to use, and its public details: staff.
    WORK_WITH_COURSES = "work_with_courses"
    # The organisation's settings: templates' designs, e-mail templates, webhooks, signing
    # keys, users and tokens, issuing through the VC-API: admins.
    ADMINISTER = "administer"
    READ_AUDIT_LOG = "read_audit_log"
    DECIDE_CORRECTIONS = "decide_corrections"
    # A learner's own: certificates and requests (a learner record), and, as a person signed
    # in, requesting a name correction and publishing a profile.
    SEE_OWN_CERTIFICATES = "see_own_certificates"
    REQUEST_CORRECTION = "request_correction"
    PUBLISH_PROFILE = "publish_profile"
    # An account of one's own (password, sessions): a person signed in, not a token.
    USE_OWN_ACCOUNT = "use_own_account"
    # The instance's organisations (create, rename, brand, suspend): accounts and tokens of
    # the default organisation given the operator grant. Nothing inside an organisation.
    OPERATE_INSTANCE = "operate_instance"


# What each refusal says, one sentence per action.
REFUSALS: dict[Action, str] = {
    Action.WORK_WITH_COURSES: "this needs an admin or a course manager",
    Action.ADMINISTER: "this needs an organisation admin",
    Action.READ_AUDIT_LOG: "only an organisation's admins read its audit log",
    Action.DECIDE_CORRECTIONS: "name corrections are decided by an organisation admin",
    Action.SEE_OWN_CERTIFICATES: "this is for learner accounts",
    Action.REQUEST_CORRECTION: "name corrections are requested by the learner",
    Action.PUBLISH_PROFILE: "public profiles are for learner accounts",
    Action.USE_OWN_ACCOUNT: "only a person who signed in has an account page",
    Action.OPERATE_INSTANCE: "this needs the instance's operator",
}


def allows(principal: Principal, action: Action) -> bool:
    """Whether the principal may do this at all (its objects are scoped by the loaders)."""
    match action:
        case Action.WORK_WITH_COURSES:
            return principal.role in (Role.ADMIN, Role.COURSE_MANAGER)
        case Action.ADMINISTER | Action.READ_AUDIT_LOG | Action.DECIDE_CORRECTIONS:
            return principal.role is Role.ADMIN
        case Action.SEE_OWN_CERTIFICATES:
            return principal.role is Role.LEARNER and principal.learner_id is not None
        case Action.REQUEST_CORRECTION | Action.PUBLISH_PROFILE:
            return principal.role is Role.LEARNER and principal.user_id is not None
        case Action.USE_OWN_ACCOUNT:
            return principal.user_id is not None
        case Action.OPERATE_INSTANCE:
            return principal.operator


def require(principal: Principal, action: Action) -> None:
    """``Forbidden`` (the action's refusal) unless the principal may do this."""
    if not allows(principal, action):
        raise Forbidden(REFUSALS[action])


def own_learner_id(principal: Principal) -> UUID:
    """The learner record whose certificates a learner account sees (``Forbidden`` for
    anyone else)."""
    require(principal, Action.SEE_OWN_CERTIFICATES)
    assert principal.learner_id is not None  # allows() said so
    return principal.learner_id


def operator_in(principal: Principal, organisation_id: UUID) -> Principal:
    """The instance's operator acting as an admin of one of the instance's organisations (to
    give a new organisation its first admins); the audit log still names the operator.
    ``Forbidden`` for anyone else."""
    require(principal, Action.OPERATE_INSTANCE)
    return replace(principal, organisation_id=organisation_id, role=Role.ADMIN, course_ids=None)


def own_user_id(principal: Principal, action: Action) -> UUID:
    """The account of the person doing ``action``, one that needs a person signed in
    (``Forbidden`` for a token, or a role that may not)."""
    require(principal, action)
    if principal.user_id is None:
        raise Forbidden(REFUSALS[action])
    return principal.user_id


def manages_course(principal: Principal, course_id: UUID) -> bool:
    """Admins manage every course of their organisation; course managers only theirs."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.COURSE_MANAGER:
        return principal.course_ids is not None and course_id in principal.course_ids
    return False


T = TypeVar("T")
Finder = Callable[[OpenUnitOfWork, Principal, UUID], T]


def load(uow: UnitOfWork, find: Finder[T], principal: Principal, object_id: UUID) -> T:
    """One of the loaders below in a unit of work of its own, for a caller (an API handler)
    that has nothing else to do in it: ``load(uow, batch_for, principal, batch_id)``."""
    with uow as tx:
        return find(tx, principal, object_id)


def managed_course_ids(principal: Principal) -> frozenset[UUID] | None:
    """The courses whose objects a listing may show: ``None`` for every course (admins), else
    the course manager's own (none for a manager given no courses, or a learner)."""
    if principal.role is Role.ADMIN:
        return None
    return principal.course_ids or frozenset()


def course_for(uow: OpenUnitOfWork, principal: Principal, course_id: UUID) -> Course:
    """The course, if the principal manages it; else ``NotFound("course", course_id)``."""
    course = uow.roster.get_course(principal.organisation_id, course_id)
    if course is None or not manages_course(principal, course.id):
        raise NotFound("course", course_id)
    return course


def batch_for(uow: OpenUnitOfWork, principal: Principal, batch_id: UUID) -> tuple[Course, Batch]:
    """The batch and its course, if the principal manages the course; else ``NotFound``."""
    found = uow.roster.get_batch(principal.organisation_id, batch_id)
    if found is None or not manages_course(principal, found[0].id):
        raise NotFound("batch", batch_id)
    return found


def achievement_for(uow: OpenUnitOfWork, principal: Principal, achievement_id: UUID) -> Achievement:
    """The achievement, if the principal manages its batch's course; else ``NotFound``."""
    achievement = uow.achievements.get(principal.organisation_id, achievement_id)
    if achievement is None or not _manages_batch(uow, principal, achievement.batch_id):
        raise NotFound("achievement", achievement_id)
    return achievement


def certificate_for(uow: OpenUnitOfWork, principal: Principal, certificate_id: UUID) -> Certificate:
    """The certificate, if it is the learner's own or the staff member manages its course;
    else ``NotFound("certificate", certificate_id)``."""
    certificate = uow.certificates.get_for(principal.organisation_id, certificate_id)
    if certificate is None or not _may_see_certificate(uow, principal, certificate):
        raise NotFound("certificate", certificate_id)
    return certificate


def learner_for(uow: OpenUnitOfWork, principal: Principal, learner_id: UUID) -> Learner:
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
    uow: OpenUnitOfWork, principal: Principal, learner_ids: Collection[UUID]
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
    if principal.role is Role.ADMIN:
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


def may_rewrite_learner(uow: OpenUnitOfWork, principal: Principal, learner_id: UUID) -> bool:
    """Whether the principal may change this learner's record (``learner_scope``)."""
    return learner_id in learner_scope(uow, principal, [learner_id]).writable


def template_for(uow: OpenUnitOfWork, principal: Principal, template_id: UUID) -> Template:
    """The organisation's template, for staff; else ``NotFound("template", template_id)``."""
    template = uow.templates.get(principal.organisation_id, template_id)
    if template is None or not allows(principal, Action.WORK_WITH_COURSES):
        raise NotFound("template", template_id)
    return template


def _manages_batch(uow: OpenUnitOfWork, principal: Principal, batch_id: UUID) -> bool:
    found = uow.roster.get_batch(principal.organisation_id, batch_id)
    return found is not None and manages_course(principal, found[0].id)


def _may_see_certificate(
    uow: OpenUnitOfWork, principal: Principal, certificate: Certificate
) -> bool:
    if principal.role is Role.LEARNER:
        return principal.learner_id is not None and certificate.learner_id == principal.learner_id
    if principal.role is Role.ADMIN:
        return True
    achievement = uow.achievements.get(principal.organisation_id, certificate.achievement_id)
    return achievement is not None and _manages_batch(uow, principal, achievement.batch_id)


def memberships(uow: OpenUnitOfWork, principal: Principal) -> list[tuple[Organisation, User]]:
    """The organisations the signed-in person may act in, each with their account there: the
    accounts with their address, active and proved, in every organisation (the current one
    first); only the current one while its address is not proved. None for a token."""
    me = uow.users.by_id(principal.user_id) if principal.user_id is not None else None
    if me is None:
        return []
    accounts = [me]
    if me.email_verified_at is not None:
        accounts += [a for a in uow.users.verified_by_email(me.email) if a.id != me.id]
    found = [(uow.organisations.get(a.organisation_id), a) for a in accounts]
    return [(organisation, account) for organisation, account in found if organisation]


def membership_in(uow: OpenUnitOfWork, principal: Principal, slug: str) -> User:
    """The person's account in the organisation ``slug`` (``memberships``); any other
    organisation is ``NotFound``, whether or not it exists."""
    for organisation, account in memberships(uow, principal):
        if organisation.slug == slug:
            return account
    raise NotFound("organisation", slug)


def own_learner_records(
    uow: OpenUnitOfWork, principal: Principal
) -> list[tuple[Organisation, UUID]]:
    """The learner records whose certificates a learner's list and public profile show: their
    own, then those of their learner accounts in other organisations (``memberships``).
    ``Forbidden`` for anyone but a learner account."""
    own = own_learner_id(principal)
    records = [
        (organisation, account.learner_id)
        for organisation, account in memberships(uow, principal)
        if account.learner_id is not None and account.learner_id != own
    ]
    current = uow.organisations.get(principal.organisation_id)
    return ([(current, own)] if current is not None else []) + records
