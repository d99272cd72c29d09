from __future__ import annotations

from fastapi.testclient import TestClient

from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.pages.admin.conftest import Admin, get_ok


def test_dashboard_lists_batches_with_counts_and_jobs(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    org = admin.scenario.organisation
    issue_achievement(uow, signing, IssueRequest(org.id, admin.scenario.achievement_id, actor="t"))
    html = get_ok(client, "/admin", admin.headers)
    assert "Data Science" in html and "Spring" in html
    assert f"/admin/batches/{admin.scenario.batch_id}" in html
    # three learners, two of them awarded
    assert '<td class="num">3</td>' in html and '<td class="num">2</td>' in html
    assert "Completion · Data Science, Spring" in html
    assert "succeeded" in html


def test_dashboard_needs_a_signed_in_staff_member(client: TestClient, admin: Admin) -> None:
    response = client.get("/admin", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin"


def test_dashboard_shows_nothing_of_another_tenant(
    client: TestClient, admin: Admin, other_tenant: dict[str, str]
) -> None:
    html = get_ok(client, "/admin", other_tenant)
    assert "Data Science" not in html
    assert "No batches yet" in html


def test_admin_pages_follow_the_browser_language(client: TestClient, admin: Admin) -> None:
    html = get_ok(client, "/admin", {**admin.headers, "Accept-Language": "hi-IN"})
    assert html.startswith('<!doctype html>\n<html lang="hi" dir="ltr">')
    assert ">डैशबोर्ड</h1>" in html
