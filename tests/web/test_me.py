"""``GET /api/v1/me``: the caller as the server sees it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation


def test_a_course_manager_token(client: TestClient, uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row()]))
    course = resolve_course(uow, org.id, "C1")
    token, secret = create_token(
        uow,
        Principal.at_shell(org.id),
        name="LMS",
        role=Role.COURSE_MANAGER,
        course_ids=[course.id],
    )
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert me == {
        "organisation_id": str(org.id),
        "role": "course_manager",
        "user_id": None,
        "token_id": str(token.id),
        "learner_id": None,
        "course_ids": [str(course.id)],
        "csrf_token": None,
    }


def test_anonymous_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
