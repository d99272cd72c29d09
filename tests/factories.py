"""Factories for test data, built through the services so tests exercise real paths."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID, uuid4

from certmint.domain.accounts import Principal, Role, User
from certmint.domain.enrolment_import import KNOWN_COLUMNS
from certmint.domain.organisations import Organisation
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.catalogue.templates import create_template
from certmint.services.identity.accounts import create_user
from certmint.services.issuers.keys import ensure_signing_key
from certmint.services.issuers.organisations import create_organisation
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

HEADER = KNOWN_COLUMNS
PASSWORD = "correct horse battery"  # the test users' password


def make_organisation(
    uow: SqlAlchemyUnitOfWork, name: str = "Test Academy", *, default: bool = False
) -> Organisation:
    return create_organisation(uow, name, url="https://academy.example", default=default)


def enrolment_row(learner_id: str = "L1", **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "course_id": "C1",
        "course_name": "Data Science",
        "batch_id": "B1",
        "batch_name": "Spring",
        "learner_id": learner_id,
        "name": f"Learner {learner_id}",
        "email": f"{learner_id.lower()}@example.org",
        "status": "completed",
        "completed_on": "2026-05-01",
    }
    row.update(values)
    return row


def enrolment_csv(
    rows: Iterable[Mapping[str, object]], *, extra: Iterable[str] = (), bom: bool = False
) -> bytes:
    columns = [*HEADER, *extra]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Scenario:
    """An organisation with a key, a batch of learners, a published template and an achievement."""

    organisation: Organisation
    batch_id: UUID
    achievement_id: UUID
    template_version_id: UUID
    learners: dict[str, UUID]  # external id -> learner id


def scenario(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    rows: list[dict[str, object]],
    *,
    criteria: object = None,
    extra: Iterable[str] = (),
    valid_for_days: int | None = None,
    name: str = "Completion",
) -> Scenario:
    organisation = make_organisation(uow, "Scenario Academy", default=True)
    ensure_signing_key(uow, signing.key_store, organisation.id)
    import_enrolments(uow, organisation.id, enrolment_csv(rows, extra=extra))
    design = Design(
        layout="classic-1-1",
        title="Certificate",
        signatories=(Signatory("Dr. Meera Iyer", "Director"),),
    )
    version = create_template(uow, Principal.at_shell(organisation.id), design, publish=True)
    _, batch = resolve_batch(uow, organisation.id, str(rows[0].get("batch_id", "B1")))
    achievement = add_achievement(
        uow,
        Principal.at_shell(organisation.id),
        batch_id=batch.id,
        template_version_id=version.id,
        name=name,
        criteria=criteria if criteria is not None else {"completed": True},
        valid_for_days=valid_for_days,
    )
    with uow:
        learners = uow.roster.learners_by_external_id(
            organisation.id, [str(r["learner_id"]) for r in rows]
        )
    return Scenario(
        organisation, batch.id, achievement.id, version.id, {k: v.id for k, v in learners.items()}
    )


def make_user(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    role: Role = Role.ADMIN,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    course_ids: Iterable[UUID] = (),
    learner_id: UUID | None = None,
    operator: bool = False,
    address_verified: bool = False,
) -> User:
    """A user who can sign in with ``PASSWORD`` (unless another is given)."""
    return create_user(
        uow,
        Principal.at_shell(organisation_id),
        email=email or f"{role.value}-{uuid4().hex[:8]}@example.org",
        display_name=f"Test {role.value}",
        role=role,
        password=password,
        course_ids=course_ids,
        learner_id=learner_id,
        operator=operator,
        address_verified=address_verified,
    )
