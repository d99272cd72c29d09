"""API tokens: roles an integration may have, course scopes, hashed secrets, revocation."""

from __future__ import annotations

from uuid import UUID

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.services.authorization import manages_course
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.errors import InvalidInput, NotFound, Unauthorized
from certmint.services.identity.tokens import (
    authenticate_token,
    create_token,
    list_tokens,
    revoke_token,
    secret_hash,
)
from certmint.storage.tables import ApiTokenRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Token Academy")
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row(), enrolment_row(course_id="C2")]))
    return org.id


def test_course_manager_token_carries_its_courses(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    c1 = resolve_course(uow, org_id, "C1").id
    token, secret = create_token(
        uow, org_id, name="LMS", role=Role.COURSE_MANAGER, course_ids=[c1], actor="t"
    )
    stored = session.scalar(select(ApiTokenRow).where(ApiTokenRow.id == token.id))
    assert stored is not None and stored.secret_hash == secret_hash(secret)
    assert secret not in str(stored.__dict__)
    principal = Principal.of_token(authenticate_token(uow, secret))
    assert principal.course_ids == {c1} and principal.token_id == token.id
    assert manages_course(principal, c1)
    assert not manages_course(principal, resolve_course(uow, org_id, "C2").id)
    assert [t.course_ids for t in list_tokens(uow, org_id)] == [frozenset({c1})]


def test_admin_token_covers_every_course(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    _, secret = create_token(uow, org_id, name="all", role=Role.ADMIN, actor="t")
    principal = Principal.of_token(authenticate_token(uow, secret))
    assert principal.course_ids is None
    assert manages_course(principal, resolve_course(uow, org_id, "C2").id)


@pytest.mark.parametrize(
    ("role", "courses", "problem"),
    [
        (Role.LEARNER, False, "admin or a course manager"),
        (Role.COURSE_MANAGER, False, "at least one course"),
        (Role.ADMIN, True, "covers every course"),
    ],
)
def test_token_roles_and_scopes_are_checked(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, role: Role, courses: bool, problem: str
) -> None:
    course_ids = [resolve_course(uow, org_id, "C1").id] if courses else []
    with pytest.raises(InvalidInput) as raised:
        create_token(uow, org_id, name="x", role=role, course_ids=course_ids, actor="t")
    assert problem in " ".join(map(str, raised.value.problems))


def test_another_organisations_course_is_not_found(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    other = make_organisation(uow, "Elsewhere")
    with pytest.raises(NotFound):
        create_token(
            uow,
            other.id,
            name="x",
            role=Role.COURSE_MANAGER,
            course_ids=[resolve_course(uow, org_id, "C1").id],
            actor="t",
        )


def test_revoked_token_is_refused(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    token, secret = create_token(uow, org_id, name="x", role=Role.ADMIN, actor="t")
    revoke_token(uow, org_id, token.id, actor="t")
    with pytest.raises(Unauthorized):
        authenticate_token(uow, secret)
