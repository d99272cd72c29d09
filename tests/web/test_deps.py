"""Who is calling: tokens, session cookies, CSRF, and pages that send anonymous browsers to
the sign-in page."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit
from uuid import UUID, uuid4

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from certmint.bootstrap import Container
from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course, resolve_learner
from certmint.services.identity.tokens import create_token
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.app import create_app
from certmint.web.deps import (
    PageAdminDep,
    PageLearnerDep,
    PagePrincipalDep,
    PageStaffDep,
    PrincipalDep,
    RouteAccess,
    StaffDep,
    safe_next,
)
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.conftest import sign_in


def _app(container: Container) -> FastAPI:
    """The real app plus a few routes that only declare who they need."""
    app = create_app(container)

    def describe(principal: Principal) -> dict[str, object]:
        return {"role": principal.role, "user": str(principal.user_id)}

    @app.get("/test/staff-page")
    def staff_page(principal: PageStaffDep) -> dict[str, object]:
        return describe(principal)

    @app.get("/test/learner-page")
    def learner_page(principal: PageLearnerDep) -> dict[str, object]:
        return describe(principal)

    @app.post("/test/page-form")
    def page_form(principal: PagePrincipalDep) -> dict[str, object]:
        return describe(principal)

    @app.api_route("/test/api", methods=["POST", "PUT", "PATCH", "DELETE"])
    def api_change(principal: PrincipalDep) -> dict[str, object]:
        return describe(principal)

    @app.get("/test/staff-api")
    def staff_api(principal: StaffDep) -> dict[str, object]:
        return describe(principal)

    return app


@pytest.fixture
def site(container: Container) -> Iterator[TestClient]:
    with TestClient(
        _app(container), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Deps Academy", default=True)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    return org.id


def test_pages_send_anonymous_browsers_to_sign_in_and_back(site: TestClient) -> None:
    response = site.get("/test/staff-page?tab=issued&q=a b")
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/test/staff-page?tab=issued&q=a%20b"]
    assert site.get("/test/learner-page").headers["location"] == "/login?next=/test/learner-page"


def test_api_routes_answer_401_not_a_redirect(site: TestClient) -> None:
    response = site.get("/test/staff-api")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_pages_check_the_role(site: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    learner = resolve_learner(uow, org_id, "L1")
    make_user(uow, org_id, email="admin@example.org")
    make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    sign_in(site, "admin@example.org", PASSWORD)
    assert site.get("/test/staff-page").json()["role"] == "admin"
    assert site.get("/test/learner-page").status_code == 403
    sign_in(site, "l1@example.org", PASSWORD)
    assert site.get("/test/learner-page").json()["role"] == "learner"
    assert site.get("/test/staff-page").status_code == 403
    assert site.get("/test/staff-api").status_code == 403


def test_course_manager_session_carries_its_scope(
    site: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    course = resolve_course(uow, org_id, "C1")
    make_user(uow, org_id, Role.COURSE_MANAGER, email="cm@example.org", course_ids=[course.id])
    sign_in(site, "cm@example.org", PASSWORD)
    me = site.get("/api/v1/me").json()
    assert me["role"] == "course_manager" and me["course_ids"] == [str(course.id)]
    assert site.get("/test/staff-page").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_cookie_requests_that_change_things_need_the_csrf_token(
    site: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID, method: str
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    csrf = sign_in(site, "admin@example.org", PASSWORD)
    refused = site.request(method, "/test/api")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert site.request(method, "/test/api", headers={"X-CSRF-Token": "no"}).status_code == 403
    assert site.request(method, "/test/api", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert site.get("/api/v1/me").status_code == 200  # safe methods need no token
    assert site.post("/test/page-form", data={"csrf_token": csrf}).status_code == 200
    assert site.post("/test/page-form", data={"csrf_token": "x"}).status_code == 403


def test_bearer_tokens_are_exempt_from_csrf(
    site: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    _, secret = create_token(uow, Principal.at_shell(org_id), name="LMS", role=Role.ADMIN)
    response = site.post("/test/api", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["user"] == "None"


def test_a_session_of_another_organisation_stays_in_it(
    site: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    other = make_organisation(uow, "Other Academy")
    make_user(uow, other.id, email="admin@example.org")
    sign_in(site, "admin@example.org", PASSWORD, org=other.slug)
    assert site.get("/api/v1/me").json()["organisation_id"] == str(other.id)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/me", "/me"),
        ("/admin/x?y=1#z", "/admin/x?y=1#z"),
        ("", None),
        (None, None),
        ("me", None),
        ("//evil.example", None),
        ("/\\evil.example", None),
        ("https://evil.example/me", None),
        ("/ok\nSet-Cookie: x", None),
        ("/" + "a" * 2000, None),
    ],
)
def test_safe_next(value: str | None, expected: str | None) -> None:
    assert safe_next(value) == expected


def test_a_routes_access_is_read_from_the_guards_it_declares() -> None:
    """What the pages' ``can()`` asks: the same dependencies the route runs, never called."""
    app = FastAPI()

    @app.get("/public")
    def public() -> None: ...

    @app.get("/signed-in")
    def signed_in(_p: PagePrincipalDep) -> None: ...

    @app.get("/staff")
    def staff(_p: StaffDep) -> None: ...

    @app.get("/admin")
    def admin(_p: PageAdminDep) -> None: ...

    @app.get("/learner")
    def learner(_p: PageLearnerDep) -> None: ...

    access = {r.name: RouteAccess.of(r.dependant) for r in app.routes if isinstance(r, APIRoute)}
    org = uuid4()
    callers = {
        "nobody": None,
        "admin": Principal(org, Role.ADMIN),
        "manager": Principal(org, Role.COURSE_MANAGER, frozenset({uuid4()})),
        "learner": Principal(org, Role.LEARNER, learner_id=uuid4()),
    }
    admitted = {
        name: {caller for caller, principal in callers.items() if rule.admits(principal)}
        for name, rule in access.items()
        if name in {"public", "signed_in", "staff", "admin", "learner"}
    }
    assert admitted == {
        "public": {"nobody", "admin", "manager", "learner"},
        "signed_in": {"admin", "manager", "learner"},
        "staff": {"admin", "manager"},
        "admin": {"admin"},
        "learner": {"learner"},
    }
