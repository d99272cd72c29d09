"""The admin pages with a browser session: sign-in redirects, CSRF on every form, roles."""

from __future__ import annotations

from fastapi.testclient import TestClient

from certmint.domain.accounts import Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_user
from tests.web.conftest import sign_in
from tests.web.pages.admin.conftest import Admin


def test_an_anonymous_browser_is_sent_to_sign_in(https_client: TestClient, admin: Admin) -> None:
    response = https_client.get("/admin/certificates?q=asha")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/certificates%3Fq%3Dasha"


def test_forms_need_the_sessions_csrf_token(
    https_client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    user = make_user(uow, admin.scenario.organisation.id, Role.ADMIN)
    token = sign_in(https_client, user.email, PASSWORD)
    page = https_client.get(f"/admin/batches/{admin.scenario.batch_id}")
    assert page.status_code == 200
    assert f'name="csrf_token" value="{token}"' in page.text
    url = f"/admin/achievements/{admin.scenario.achievement_id}/issue"
    assert https_client.post(url).status_code == 403
    assert https_client.post(url, data={"csrf_token": "forged"}).status_code == 403
    done = https_client.post(url, data={"csrf_token": token})
    assert done.status_code == 303 and "/admin/jobs/" in done.headers["location"]


def test_learners_and_course_managers_see_only_what_they_may(
    https_client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    org = admin.scenario.organisation.id
    learner = make_user(uow, org, Role.LEARNER, learner_id=admin.scenario.learners["L1"])
    sign_in(https_client, learner.email, PASSWORD)
    assert https_client.get("/admin").status_code == 403
    https_client.cookies.clear()
    other_row = enrolment_row("M1", course_id="C9", course_name="Statistics", batch_id="B9")
    import_enrolments(uow, org, enrolment_csv([other_row]))
    statistics, _ = resolve_batch(uow, org, "B9")
    manager = make_user(uow, org, Role.COURSE_MANAGER, course_ids=[statistics.id])
    sign_in(https_client, manager.email, PASSWORD)
    dashboard = https_client.get("/admin").text
    assert "Statistics" in dashboard and "Data Science" not in dashboard
    assert https_client.get(f"/admin/batches/{admin.scenario.batch_id}").status_code == 404
    assert https_client.get("/admin/import").status_code == 403
    assert https_client.get("/admin/audit").status_code == 403
