"""Achievements: a published template version attached to a batch, with issuance criteria.

A batch may award several (completion and merit). The criteria are stored in their canonical
JSON; the Sunbird form is accepted and translated on the way in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.achievements import Achievement
from certmint.domain.courses import Learner
from certmint.domain.criteria import (
    CriteriaError,
    CriteriaProblem,
    Decision,
    evaluate,
    parse_criteria,
    to_json,
)
from certmint.domain.messages import Message
from certmint.domain.templates import TemplateVersionStatus
from certmint.rendering import find_placeholders
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "DryRunRow",
    "add_achievement",
    "detach_achievement",
    "dry_run",
    "edit_achievement",
    "get_achievement",
    "list_achievements",
    "list_achievements_page",
    "move_achievement",
    "template_usage",
]

MAX_VALIDITY_DAYS = 36_600  # a hundred years


def add_achievement(
    uow: UnitOfWork,
    principal: Principal,
    *,
    batch_id: UUID,
    template_version_id: UUID,
    name: str,
    criteria: Any,
    description: str = "",
    valid_for_days: int | None = None,
    auto_issue: bool = False,
    signatories: Sequence[tuple[str, str]] = (),
) -> Achievement:
    """Attach a published template version to a batch the principal manages (``NotFound``
    otherwise). Raises ``InvalidInput`` for bad criteria (each problem with its JSON path),
    ``Conflict`` for a draft template or a duplicate name."""
    authorization.require(principal, Action.WORK_WITH_COURSES)
    organisation_id = principal.organisation_id
    with uow as tx:
        authorization.batch_for(tx, principal, batch_id)
        name, canonical = _checked(name, criteria, valid_for_days)
        now = datetime.now(UTC)
        achievement = Achievement(
            id=uuid.uuid4(),
            batch_id=batch_id,
            template_version_id=template_version_id,
            name=name,
            description=description.strip(),
            criteria=canonical,
            signatories=tuple(signatories),
            valid_for_days=valid_for_days,
            auto_issue=auto_issue,
            created_at=now,
        )
        found = tx.templates.get_version(organisation_id, template_version_id)
        if found is None:
            raise NotFound("template version", template_version_id)
        if found[1].status is not TemplateVersionStatus.PUBLISHED:
            raise Conflict(
                Message("the template version is a draft: publish it before attaching it")
            )
        _check_signatories(found[1].svg, achievement, "achievement rejected")
        if any(a.name == name for a in tx.achievements.for_batch(organisation_id, batch_id)):
            raise Conflict(
                Message("the batch already awards an achievement named %(name)s", name=repr(name))
            )
        tx.achievements.add(achievement)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="achievement.added",
            subject_type="achievement",
            subject_id=achievement.id,
            details={
                "batch_id": str(batch_id),
                "name": name,
                "criteria": canonical,
                "template_version_id": str(template_version_id),
            },
            at=now,
        )
        tx.commit()
    return achievement


def _checked(name: str, criteria: Any, valid_for_days: int | None) -> tuple[str, dict[str, Any]]:
    """The name and the criteria in their canonical form, or every problem with them."""
    problems: list[CriteriaProblem | Message] = []
    try:
        canonical = to_json(parse_criteria(criteria))
    except CriteriaError as exc:
        problems.extend(exc.problems)
        canonical = {}
    name = name.strip()
    if not name:
        problems.append(Message("name: an achievement needs a name"))
    if valid_for_days is not None and not 1 <= valid_for_days <= MAX_VALIDITY_DAYS:
        problems.append(
            Message("valid_for_days: must be from 1 to %(days)s", days=MAX_VALIDITY_DAYS)
        )
    if problems:
        raise InvalidInput(problems, "achievement rejected")
    return name, canonical


_ALREADY_AWARDED = Message(
    "it has awarded certificates already, which print and sign what it said then: "
    "attach a new achievement instead"
)


def edit_achievement(
    uow: UnitOfWork,
    principal: Principal,
    achievement_id: UUID,
    *,
    name: str,
    criteria: Any,
    description: str = "",
    valid_for_days: int | None = None,
) -> Achievement:
    """Change an achievement's name, description, criteria or validity while it has awarded
    nothing (``Conflict`` once it has: what a certificate prints and signs never changes
    behind it). The same checks as attaching it."""
    with uow as tx:
        achievement = authorization.achievement_for(tx, principal, achievement_id)
        if tx.certificates.any_of(achievement.id):
            raise Conflict(_ALREADY_AWARDED)
        name, canonical = _checked(name, criteria, valid_for_days)
        others = tx.achievements.for_batch(principal.organisation_id, achievement.batch_id)
        if any(a.name == name and a.id != achievement.id for a in others):
            raise Conflict(
                Message("the batch already awards an achievement named %(name)s", name=repr(name))
            )
        changed = replace(
            achievement,
            name=name,
            criteria=canonical,
            description=description.strip(),
            valid_for_days=valid_for_days,
        )
        tx.achievements.update(
            achievement.id,
            name=changed.name,
            criteria=changed.criteria,
            description=changed.description,
            valid_for_days=changed.valid_for_days,
        )
        record(
            tx,
            organisation_id=principal.organisation_id,
            actor=principal.actor,
            action="achievement.edited",
            subject_type="achievement",
            subject_id=achievement.id,
            details={"name": name, "criteria": canonical, "valid_for_days": valid_for_days},
        )
        tx.commit()
    return changed


def detach_achievement(uow: UnitOfWork, principal: Principal, achievement_id: UUID) -> Achievement:
    """Take an achievement that has awarded nothing off its batch (``Conflict`` once it has:
    certificates are never deleted, nor what they were awarded for). The audit log keeps it;
    returns what was detached."""
    with uow as tx:
        achievement = authorization.achievement_for(tx, principal, achievement_id)
        if tx.certificates.any_of(achievement.id):
            raise Conflict(_ALREADY_AWARDED)
        tx.achievements.remove(achievement.id)
        record(
            tx,
            organisation_id=principal.organisation_id,
            actor=principal.actor,
            action="achievement.detached",
            subject_type="achievement",
            subject_id=achievement.id,
            details={"name": achievement.name, "batch_id": str(achievement.batch_id)},
        )
        tx.commit()
    return achievement


def move_achievement(
    uow: UnitOfWork,
    principal: Principal,
    achievement_id: UUID,
    template_version_id: UUID,
) -> Achievement:
    """Move an achievement to a newer published version of its template: the certificates
    issued from now on use it, those already issued keep the version they were made with (a
    template attached to a batch is frozen; its edits are new versions). ``Conflict`` for a
    draft, an older version or another template's."""
    with uow as tx:
        achievement = authorization.achievement_for(tx, principal, achievement_id)
        organisation_id = principal.organisation_id
        current = tx.templates.get_version(organisation_id, achievement.template_version_id)
        target = tx.templates.get_version(organisation_id, template_version_id)
        if target is None or current is None:
            raise NotFound("template version", template_version_id)
        (template, old), (_, new) = current, target
        if new.template_id != template.id or new.number <= old.number:
            raise Conflict(
                Message("an achievement moves only to a newer version of its own template")
            )
        if new.status is not TemplateVersionStatus.PUBLISHED:
            raise Conflict(
                Message("the template version is a draft: publish it before attaching it")
            )
        _check_signatories(new.svg, achievement, "achievement not moved")
        tx.achievements.set_template_version(achievement.id, new.id)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="achievement.moved",
            subject_type="achievement",
            subject_id=achievement.id,
            details={"from": f"v{old.number}", "to": f"v{new.number}", "template": template.name},
        )
        tx.commit()
    return replace(achievement, template_version_id=new.id)


def template_usage(
    uow: UnitOfWork, principal: Principal, version_ids: Sequence[UUID]
) -> dict[UUID, list[str]]:
    """Which achievements attach each version ("Completion · Data Science, Spring"), of the
    courses the principal manages: a template's page says what its versions are used by."""
    managed = authorization.managed_course_ids(principal)
    with uow as tx:
        rows = tx.achievements.using_versions(principal.organisation_id, version_ids)
        if managed is not None:
            allowed = {b.id for b in tx.roster.batches_of(managed)}
    usage: dict[UUID, list[str]] = {}
    for version_id, achievement, course, batch, batch_id in rows:
        if managed is None or batch_id in allowed:
            usage.setdefault(version_id, []).append(f"{achievement} · {course}, {batch}")
    return usage


def _check_signatories(svg: str, achievement: Achievement, refused: str) -> None:
    """The template's signatory placeholders each need a name and designation pair."""
    needed = _signatories_needed(svg)
    if needed > len(achievement.signatories):
        message = Message(
            "signatories: the template prints %(needed)s signatory placeholder(s); "
            "give %(needed)s name and designation pair(s)",
            needed=needed,
        )
        raise InvalidInput([message], refused)


def _signatories_needed(svg: str) -> int:
    """How many {{signatory.N.*}} placeholders a template prints (N counts from 1)."""
    numbers = [
        int(name.split(".")[1])
        for name in find_placeholders(svg)
        if name.startswith("signatory.") and name.split(".")[1].isdigit()
    ]
    return max(numbers, default=0)


def get_achievement(uow: UnitOfWork, organisation_id: UUID, achievement_id: UUID) -> Achievement:
    with uow as tx:
        found = tx.achievements.get(organisation_id, achievement_id)
    if found is None:
        raise NotFound("achievement", achievement_id)
    return found


def list_achievements(uow: UnitOfWork, organisation_id: UUID, batch_id: UUID) -> list[Achievement]:
    with uow as tx:
        if tx.roster.get_batch(organisation_id, batch_id) is None:
            raise NotFound("batch", batch_id)
        return tx.achievements.for_batch(organisation_id, batch_id)


def list_achievements_page(
    uow: UnitOfWork,
    organisation_id: UUID,
    batch_id: UUID,
    *,
    after: UUID | None,
    limit: int,
) -> list[Achievement]:
    """A batch's achievements a page at a time, in id order."""
    with uow as tx:
        return tx.achievements.batch_page(organisation_id, batch_id, after=after, limit=limit)


@dataclass(frozen=True, slots=True)
class DryRunRow:
    """One learner of the batch: would they be awarded, and why (or why not)."""

    learner: Learner
    decision: Decision
    already_issued: bool
    enrolment_id: UUID  # the row's place in the batch (pages continue after it)


def dry_run(
    uow: UnitOfWork,
    organisation_id: UUID,
    achievement_id: UUID,
    *,
    page: int = 1000,
    after: UUID | None = None,
) -> Iterator[DryRunRow]:
    """Every learner of the achievement's batch (in enrolment order, from just after enrolment
    ``after``) with the decision and its reasons; nothing is written. A generator: a
    million-learner batch is read a page at a time."""
    achievement = get_achievement(uow, organisation_id, achievement_id)
    criterion = parse_criteria(achievement.criteria)
    while True:
        with uow as tx:
            rows = tx.roster.enrolments_page(achievement.batch_id, after=after, limit=page)
            held = tx.certificates.current_holders(achievement.id, [lr.id for _, lr in rows])
        for enrolment, learner in rows:
            yield DryRunRow(
                learner, evaluate(criterion, enrolment, learner), learner.id in held, enrolment.id
            )
        if len(rows) < page:
            return
        after = rows[-1][0].id
