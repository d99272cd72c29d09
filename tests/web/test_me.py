"""``GET /api/v1/me``: the caller as the server sees it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.conftest import sign_in


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
        "operator": False,
        "csrf_token": None,
    }


def test_an_operator_token_says_so_and_an_admin_token_does_not(
    client: TestClient, uow: SqlAlchemyUnitOfWork
) -> None:
    org = make_organisation(uow, default=True)
    shell = Principal.at_shell(org.id)
    _, operator = create_token(uow, shell, name="ops", role=Role.ADMIN, operator=True)
    _, admin = create_token(uow, shell, name="LMS", role=Role.ADMIN)

    def me(secret: str) -> dict[str, object]:
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert answer.status_code == 200
        return dict(answer.json())

    assert me(operator)["operator"] is True
    assert me(operator)["role"] == "admin"
    assert me(admin)["operator"] is False


def test_a_signed_in_operator_says_so(https_client: TestClient, uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow, default=True)
    make_user(uow, org.id, email="ops@example.org", operator=True)
    sign_in(https_client, "ops@example.org", PASSWORD)
    assert https_client.get("/api/v1/me").json()["operator"] is True


def test_anonymous_is_401(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
