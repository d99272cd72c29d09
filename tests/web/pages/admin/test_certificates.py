from __future__ import annotations

import io
import zipfile

import pytest
from fastapi.testclient import TestClient

from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.ids import url_id
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.certificates.lifecycle import get_certificate, list_certificates
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.verification.verify import verify_certificate
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.pages.admin import certificates as certificate_pages
from tests.factories import enrolment_csv, enrolment_row
from tests.web.pages.admin.conftest import Admin, get_ok


@pytest.fixture
def issued(admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing) -> dict[str, Certificate]:
    """The scenario's two completed learners, awarded; by printed name."""
    org = admin.scenario.organisation.id
    issue_achievement(uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="t"))
    return {
        c.snapshot["values"]["recipient.name"]: c
        for c in list_certificates(uow, org, batch_id=admin.scenario.batch_id)
    }


def _names(html: str) -> set[str]:
    return {n for n in ("Asha Rao", "Vikram Nair") if f">{n}</a>" in html}


def test_search_by_name_number_and_email_and_filter_by_status(
    client: TestClient, admin: Admin, issued: dict[str, Certificate]
) -> None:
    assert _names(get_ok(client, "/admin/certificates", admin.headers)) == {
        "Asha Rao",
        "Vikram Nair",
    }
    assert _names(get_ok(client, "/admin/certificates?q=asha", admin.headers)) == {"Asha Rao"}
    number = issued["Vikram Nair"].number
    assert _names(get_ok(client, f"/admin/certificates?q={number}", admin.headers)) == {
        "Vikram Nair"
    }
    assert _names(get_ok(client, "/admin/certificates?q=l2%40example", admin.headers)) == {
        "Vikram Nair"
    }
    assert _names(get_ok(client, "/admin/certificates?q=%25", admin.headers)) == set()
    assert _names(get_ok(client, "/admin/certificates?status=revoked", admin.headers)) == set()
    by_batch = f"/admin/certificates?batch={admin.scenario.batch_id}&achievement={admin.scenario.achievement_id}"
    assert _names(get_ok(client, by_batch, admin.headers)) == {"Asha Rao", "Vikram Nair"}


def test_pages_of_fifty(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    org = admin.scenario.organisation.id
    import_enrolments(uow, org, enrolment_csv([enrolment_row(f"P{i:03}") for i in range(60)]))
    issue_achievement(uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="t"))
    first = get_ok(client, "/admin/certificates?q=Learner", admin.headers)
    assert "60 certificates; page 1 of 2" in first
    assert first.count('name="id"') == 50
    assert 'href="?q=Learner&amp;page=2"' in first
    second = get_ok(client, "/admin/certificates?q=Learner&page=2", admin.headers)
    assert second.count('name="id"') == 10


def test_bulk_download_is_a_zip_of_the_ticked_certificates(
    client: TestClient, admin: Admin, issued: dict[str, Certificate]
) -> None:
    ids = [url_id(c.id) for c in issued.values()]
    response = client.post(
        "/admin/certificates/download", data={"id": ids, "format": "pdf"}, headers=admin.headers
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert sorted(names) == sorted(f"{name} {c.number}.pdf" for name, c in issued.items())
    nothing = client.post(
        "/admin/certificates/download", data={"format": "pdf"}, headers=admin.headers
    )
    assert nothing.status_code == 422


def test_select_all_downloads_every_certificate_the_filters_find(
    client: TestClient,
    admin: Admin,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Select all is every match on every page, not the fifty shown; other filters' matches stay
    out, and a learner's name is the file's name, whatever it holds."""
    org = admin.scenario.organisation.id
    rows = [enrolment_row(f"P{i:03}", name=f"Pupil {i:03}") for i in range(60)]
    rows.append(enrolment_row("P999", name='a/b\\c:d*"e" <f>|'))
    import_enrolments(uow, org, enrolment_csv(rows))
    issue_achievement(uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="t"))
    page = get_ok(client, "/admin/certificates?q=Pupil", admin.headers)
    assert 'name="all"' in page and 'type="hidden" name="q" value="Pupil"' in page
    response = client.post(
        "/admin/certificates/download",
        data={"all": "1", "q": "Pupil", "format": "ob3"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 60 and all(n.startswith("Pupil ") for n in names)
    hostile = client.post(
        "/admin/certificates/download",
        data={"all": "1", "q": "P999", "format": "ob3"},
        headers=admin.headers,
    )
    (name,) = zipfile.ZipFile(io.BytesIO(hostile.content)).namelist()
    assert name.startswith("a b c d e f 20") and name.endswith(".json")
    monkeypatch.setattr(certificate_pages, "ZIP_LIMIT", 50)
    too_many = client.post(
        "/admin/certificates/download",
        data={"all": "1", "q": "Pupil", "format": "ob3"},
        headers=admin.headers,
    )
    assert too_many.status_code == 422
    assert "60 certificates match: a download takes at most 50." in too_many.text


def test_reissue_fixes_the_name_and_supersedes(
    client: TestClient,
    admin: Admin,
    issued: dict[str, Certificate],
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
) -> None:
    old = issued["Asha Rao"]
    html = get_ok(client, f"/admin/certificates/{url_id(old.id)}", admin.headers)
    assert "Asha Rao" in html and old.number in html and "a1@example.org" not in html
    response = client.post(
        f"/admin/certificates/{url_id(old.id)}/reissue",
        data={"name": "Asha R. Rao", "keep_issue_date": "1", "reason": "name misspelt"},
        headers=admin.headers,
        follow_redirects=False,
    )
    assert response.status_code == 303
    new_page = get_ok(client, response.headers["location"], admin.headers)
    assert "Re-issued" in new_page and "Asha R. Rao" in new_page
    org = admin.scenario.organisation.id
    assert get_certificate(uow, org, old.id).status is CertificateStatus.SUPERSEDED
    result = verify_certificate(uow, signing, url_id(old.id))
    assert result.verdict == "superseded"
    old_page = get_ok(client, f"/admin/certificates/{url_id(old.id)}", admin.headers)
    assert "Replaced by" in old_page and "certificate.reissued" in old_page
    assert "/reissue" not in old_page  # a superseded certificate offers no second re-issue
    again = client.post(
        f"/admin/certificates/{url_id(old.id)}/reissue",
        data={"name": "X", "reason": "again"},
        headers=admin.headers,
    )
    assert again.status_code == 422 and "not active" in again.text


def test_revoke_needs_a_reason_and_shows_it(
    client: TestClient,
    admin: Admin,
    issued: dict[str, Certificate],
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
) -> None:
    target = issued["Vikram Nair"]
    url = f"/admin/certificates/{url_id(target.id)}/revoke"
    missing = client.post(url, data={"reason": "  "}, headers=admin.headers)
    assert missing.status_code == 422 and "say why" in missing.text
    form = {"reason": "academic misconduct", "note": "board minute 41"}
    done = client.post(url, data=form, headers=admin.headers)
    assert done.status_code == 200 and "Revoked." in done.text
    assert "academic misconduct" in done.text
    result = verify_certificate(uow, signing, url_id(target.id))
    assert result.verdict == "revoked" and result.status_reason == "academic misconduct"
    assert "board minute 41" not in client.get(f"/v/{url_id(target.id)}").text
    audit = get_ok(client, "/admin/audit", admin.headers)
    assert "certificate.revoked" in audit and "academic misconduct" in audit
    assert "board minute 41" in audit  # the internal note, for the organisation only


def test_another_tenants_certificate_is_not_found(
    client: TestClient,
    admin: Admin,
    issued: dict[str, Certificate],
    other_tenant: dict[str, str],
) -> None:
    target = url_id(issued["Asha Rao"].id)
    assert client.get(f"/admin/certificates/{target}", headers=other_tenant).status_code == 404
    for action in ("reissue", "revoke"):
        response = client.post(
            f"/admin/certificates/{target}/{action}",
            data={"reason": "x", "name": "Y"},
            headers=other_tenant,
        )
        assert response.status_code == 404
    zipped = client.post(
        "/admin/certificates/download", data={"id": [target]}, headers=other_tenant
    )
    assert zipped.status_code == 404
    html = get_ok(client, "/admin/certificates", other_tenant)
    assert "0 certificates" in html
    assert client.get("/admin/audit", headers=other_tenant).text.count("certificate.") == 0


def test_suspend_then_reinstate(
    client: TestClient,
    admin: Admin,
    issued: dict[str, Certificate],
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
) -> None:
    target = issued["Asha Rao"]
    base = f"/admin/certificates/{url_id(target.id)}"
    suspended = client.post(
        f"{base}/suspend", data={"reason": "under review"}, headers=admin.headers
    )
    assert suspended.status_code == 200 and "Suspended." in suspended.text
    assert "Reinstate" in suspended.text and "Re-issue" not in suspended.text
    result = verify_certificate(uow, signing, url_id(target.id))
    assert result.verdict == "suspended" and result.status_reason == "under review"
    again = client.post(f"{base}/suspend", data={"reason": "twice"}, headers=admin.headers)
    assert again.status_code == 422
    back = client.post(f"{base}/reinstate", data={"reason": ""}, headers=admin.headers)
    assert back.status_code == 200 and "Reinstated" in back.text
    assert verify_certificate(uow, signing, url_id(target.id)).verdict == "valid"
    assert client.post(f"{base}/frobnicate", headers=admin.headers).status_code == 404


def test_a_refusal_is_shown_inside_the_admin_frame_with_a_way_back(
    client: TestClient, admin: Admin, issued: dict[str, Certificate]
) -> None:
    came_from = "http://testserver/admin/certificates?q=Rao"
    html = {**admin.headers, "Accept": "text/html"}
    refused = client.post(  # nothing ticked
        "/admin/certificates/download",
        data={"format": "pdf"},
        headers={**html, "Referer": came_from},
    )
    assert refused.status_code == 422 and "choose at least one" in refused.text
    assert 'class="admin-nav"' in refused.text  # the navigation stays
    assert 'href="/admin/certificates?q=Rao">Go back to the page you came from' in refused.text
    elsewhere = client.get(
        "/admin/certificates/AAAAAAAAAAAAAAAAAAAAAA",
        headers={**html, "Referer": "https://attacker.example/admin/x"},
    )
    assert elsewhere.status_code == 404 and 'class="admin-nav"' in elsewhere.text
    assert "attacker.example" not in elsewhere.text and "Go back" not in elsewhere.text
    public = client.get("/v/AAAAAAAAAAAAAAAAAAAAAA/nothing", headers={"Accept": "text/html"})
    assert public.status_code == 404 and 'class="admin-nav"' not in public.text
