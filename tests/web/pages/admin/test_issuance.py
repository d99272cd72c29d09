from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import CertificateStatus
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.issuance.chunks import run_issue_chunk
from certmint.services.issuance.in_process import InProcessExecutor
from certmint.services.issuance.jobs import JobCancelled, open_chunk_ids
from certmint.services.issuance.planning import IssueRequest, plan_issue
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.pages.admin.conftest import Admin, get_ok


def test_issue_now_runs_the_job_and_the_page_follows_it(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    response = client.post(
        f"/admin/achievements/{admin.scenario.achievement_id}/issue",
        headers=admin.headers,
        follow_redirects=False,
    )
    assert response.status_code == 303
    job_url = response.headers["location"]
    assert re.search(r"/admin/jobs/[0-9a-f-]{36}$", job_url)
    progress = client.get(f"{job_url}/progress", headers=admin.headers).json()
    assert progress == {
        "status": "succeeded",
        "done": 3,
        "total": 3,
        "percent": 100,
        "finished": True,
        "error": False,
        "issued": 2,
        "already_held": 0,
        "not_eligible": 1,
        "not_reached": 0,
    }
    html = get_ok(client, job_url, admin.headers)
    assert 'value="100"' in html and "Finished" in html
    outcome = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Issued 2 Already held 0 Not eligible 1 (the dry run says why)" in outcome
    dry_run = f"/admin/achievements/{admin.scenario.achievement_id}/dry-run"
    assert f'href="http://testserver{dry_run}" data-field="not_eligible"' in html
    assert 'http-equiv="refresh"' not in html
    issued = list_certificates(
        uow,
        admin.scenario.organisation.id,
        batch_id=admin.scenario.batch_id,
        statuses=[CertificateStatus.ACTIVE],
    )
    assert len(issued) == 2


def test_a_running_job_page_refreshes_itself_without_javascript(
    client: TestClient, admin: Admin
) -> None:
    container = client.app.state.container  # type: ignore[attr-defined]
    container.__dict__["executor"] = InProcessExecutor(container.uow, run=lambda work: None)
    response = client.post(
        f"/admin/achievements/{admin.scenario.achievement_id}/issue", headers=admin.headers
    )
    assert response.status_code == 200
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in response.text
    assert 'value="0"' in response.text and "running" in response.text


def test_another_tenant_cannot_start_or_follow_a_job(
    client: TestClient, admin: Admin, other_tenant: dict[str, str]
) -> None:
    url = f"/admin/achievements/{admin.scenario.achievement_id}/issue"
    assert client.post(url, headers=other_tenant).status_code == 404
    job_url = client.post(url, headers=admin.headers, follow_redirects=False).headers["location"]
    assert client.get(job_url, headers=other_tenant).status_code == 404
    assert client.get(f"{job_url}/progress", headers=other_tenant).status_code == 404


def test_a_job_cancelled_by_a_suspension_says_so(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = admin.scenario
    job = plan_issue(uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=1))
    first, second, *_ = open_chunk_ids(uow, job.job_id)
    run_issue_chunk(uow, job, first, "worker", timedelta(seconds=60))
    operator = Principal(uuid4(), Role.ADMIN, user_id=uuid4(), operator=True)
    change_organisation(uow, operator, s.organisation.slug, OrganisationChanges(suspended=True))
    with pytest.raises(JobCancelled):
        run_issue_chunk(uow, job, second, "worker", timedelta(seconds=60))

    job_url = f"/admin/jobs/{job.job_id}"
    progress = client.get(f"{job_url}/progress", headers=admin.headers).json()
    assert (progress["status"], progress["finished"], progress["not_reached"]) == (
        "cancelled",
        True,
        2,
    )
    html = get_ok(client, job_url, admin.headers)
    shown = re.findall(r'<p class="[a-z]+" role="[a-z]+" data-ends="([a-z]+)">', html)
    assert shown == ["cancelled"]  # the others are hidden
    assert "The job was cancelled: the organisation was suspended." in html
