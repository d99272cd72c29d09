"""Recording state changes in the audit log (inside the caller's unit of work)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.audit import AuditEvent
from certmint.services import authorization
from certmint.services.authorization import Action
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork
from certmint.storage.audit import AuditFilter

__all__ = ["AuditLog", "audit_log", "record"]


def record(
    uow: OpenUnitOfWork,
    *,
    organisation_id: UUID,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: object,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add an event to the open unit of work: it commits, or vanishes, with the change itself."""
    uow.audit.add(
        AuditEvent(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            at=at or datetime.now(UTC),
            actor=actor,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            reason=reason,
            details=details or {},
        )
    )


@dataclass(frozen=True)
class AuditLog:
    """A page of the audit log as an admin reads it: the events, and names for the ids in
    them (who acted, what they changed), so that nobody has to read UUIDs."""

    events: list[AuditEvent]
    more: bool  # older events follow
    people: dict[str, str]  # an actor code ("user:<id>", "token:<id>") -> a name
    subjects: dict[str, str]  # a subject id -> its name, number or e-mail

    def who(self, event: AuditEvent) -> str | None:
        return self.people.get(event.actor)

    def what(self, event: AuditEvent) -> str | None:
        return self.subjects.get(event.subject_id)


def audit_log(
    uow: UnitOfWork,
    principal: Principal,
    *,
    actor: str | None = None,
    subject_type: str | None = None,
    text: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AuditLog:
    """The organisation's events, newest first: by ``actor`` (a code such as "user:<id>"),
    about a ``subject_type``, with ``text`` in the action, reason or subject id, when given.
    Admins only: the log names every course's learners and every change to the settings."""
    authorization.require(principal, Action.READ_AUDIT_LOG)
    organisation_id = principal.organisation_id
    where = AuditFilter(actor=actor, subject_type=subject_type, text=text)
    with uow as tx:
        events = tx.audit.list(organisation_id, limit=limit + 1, offset=offset, where=where)
        people = {
            f"user:{u.id}": f"{u.display_name} ({u.email})" for u in tx.users.list(organisation_id)
        }
        people |= {f"token:{t.id}": t.name for t in tx.tokens.list(organisation_id)}
        subjects = _subject_names(tx, organisation_id, events[:limit], people)
    return AuditLog(events[:limit], len(events) > limit, people, subjects)


def _subject_names(
    uow: OpenUnitOfWork,
    organisation_id: UUID,
    events: list[AuditEvent],
    people: dict[str, str],
) -> dict[str, str]:
    """Names for the subjects of ``events`` that have one (a page holds at most a hundred)."""
    names: dict[str, str] = {}
    templates = {str(t.id): t.name for t in uow.templates.list(organisation_id)}
    for event in events:
        key = event.subject_id
        if key in names:
            continue
        try:
            subject_id = UUID(key)
        except ValueError:
            continue
        if event.subject_type == "certificate":
            certificate = uow.certificates.get_for(organisation_id, subject_id)
            if certificate is not None:
                name = certificate.snapshot.get("values", {}).get("recipient.name", "")
                names[key] = f"{certificate.number} · {name}" if name else certificate.number
        elif event.subject_type == "achievement":
            achievement = uow.achievements.get(organisation_id, subject_id)
            if achievement is not None:
                names[key] = achievement.name
        elif event.subject_type == "template" and key in templates:
            names[key] = templates[key]
        elif event.subject_type == "user" and f"user:{key}" in people:
            names[key] = people[f"user:{key}"]
    return names
