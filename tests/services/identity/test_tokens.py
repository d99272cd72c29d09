"""API tokens: roles an integration may have, course scopes, hashed secrets, revocation."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.services.authorization import manages_course
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.errors import Forbidden, InvalidInput, NotFound, Unauthorized
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
        uow, Principal.at_shell(org_id), name="LMS", role=Role.COURSE_MANAGER, course_ids=[c1]
    )
    stored = session.scalar(select(ApiTokenRow).where(ApiTokenRow.id == token.id))
    assert stored is not None and stored.secret_hash == secret_hash(secret)
    assert secret not in str(stored.__dict__)
    principal = Principal.of_token(authenticate_token(uow, secret))
    assert principal.course_ids == {c1} and principal.token_id == token.id
    assert manages_course(principal, c1)
    assert not manages_course(principal, resolve_course(uow, org_id, "C2").id)
    assert [t.course_ids for t in list_tokens(uow, Principal.at_shell(org_id))] == [frozenset({c1})]


def test_admin_token_covers_every_course(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    _, secret = create_token(uow, Principal.at_shell(org_id), name="all", role=Role.ADMIN)
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
        create_token(uow, Principal.at_shell(org_id), name="x", role=role, course_ids=course_ids)
    assert problem in " ".join(map(str, raised.value.problems))


def test_another_organisations_course_is_not_found(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    other = make_organisation(uow, "Elsewhere")
    with pytest.raises(NotFound):
        create_token(
            uow,
            Principal.at_shell(other.id),
            name="x",
            role=Role.COURSE_MANAGER,
            course_ids=[resolve_course(uow, org_id, "C1").id],
        )


def test_revoked_token_is_refused(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    token, secret = create_token(uow, Principal.at_shell(org_id), name="x", role=Role.ADMIN)
    revoke_token(uow, Principal.at_shell(org_id), token.id)
    with pytest.raises(Unauthorized):
        authenticate_token(uow, secret)


def test_only_admins_manage_tokens_and_only_the_operator_makes_operator_tokens(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    """The use cases ask the policy, whoever calls them."""
    token, _ = create_token(uow, Principal.at_shell(org_id), name="x", role=Role.ADMIN)
    manager = Principal(org_id, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    admin = Principal(org_id, Role.ADMIN, user_id=uuid4())
    for attempt in (
        lambda: create_token(uow, manager, name="y", role=Role.ADMIN),
        lambda: list_tokens(uow, manager),
        lambda: revoke_token(uow, manager, token.id),
        lambda: create_token(uow, admin, name="z", role=Role.ADMIN, operator=True),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert [t.name for t in list_tokens(uow, admin) if t.active] == ["x"]
