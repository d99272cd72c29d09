from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def test_search_and_filters(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    every = items(api.get("/api/v1/certificates", headers=admin))
    assert {c["id"] for c in every} == {world.id("certificate"), world.id("certificate2")}
    first = api.get(f"/api/v1/certificates/{world.id('certificate')}", headers=admin).json()
    assert first["status"] == "active"
    assert first["verification_url"] == f"https://certs.example.org/v/{world.id('certificate')}"
    assert first["printed"]["course.name"] == "Data Science"
    assert "l1@example.org" not in json.dumps(first)  # the e-mail is not a printed field
    by_number = items(api.get(f"/api/v1/certificates?q={first['number']}", headers=admin))
    assert [c["id"] for c in by_number] == [first["id"]]
    by_name = items(api.get("/api/v1/certificates?q=asha", headers=admin))
    assert [c["printed"]["recipient.name"] for c in by_name] == ["Asha Rao"]
    by_learner = items(
        api.get(f"/api/v1/certificates?learner_id={first['learner_id']}", headers=admin)
    )
    assert [c["id"] for c in by_learner] == [first["id"]]
    assert items(api.get("/api/v1/certificates?status=revoked", headers=admin)) == []
    both = api.get("/api/v1/certificates?status=revoked&status=active", headers=admin)
    assert len(items(both)) == 2
    bad = api.get("/api/v1/certificates?learner_id=nonsense", headers=admin)
    assert bad.status_code == 422
    assert items(api.get("/api/v1/certificates", headers=world.headers("other_manager"))) == []
    assert items(api.get("/api/v1/certificates", headers=world.headers("other_admin"))) == []


def test_downloads(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    url = f"/api/v1/certificates/{world.id('certificate')}/download"
    pdf = api.get(url, headers=admin)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith('attachment; filename="certificate-')
    assert pdf.content.startswith(b"%PDF")
    assert api.get(f"{url}?format=png", headers=admin).content.startswith(b"\x89PNG")
    assert b"<svg" in api.get(f"{url}?format=svg", headers=admin).content
    credential = api.get(f"{url}?format=ob3", headers=admin).json()
    assert "OpenBadgeCredential" in credential["type"]
    assert api.get(f"{url}?format=docx", headers=admin).status_code == 422


def test_reissue_then_revoke(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    old = world.id("certificate")
    reissued = api.post(
        f"/api/v1/certificates/{old}/reissue",
        json={"reason": "misspelt", "name": "Asha Rao-Iyer"},
        headers=admin,
    )
    assert reissued.status_code == 201, reissued.text
    new = reissued.json()
    assert new["supersedes"] == old
    assert new["printed"]["recipient.name"] == "Asha Rao-Iyer"
    replaced = api.get(f"/api/v1/certificates/{old}", headers=admin).json()
    assert (replaced["status"], replaced["superseded_by"]) == ("superseded", new["id"])
    again = api.post(f"/api/v1/certificates/{old}/reissue", json={"reason": "x"}, headers=admin)
    assert again.status_code == 409

    revoked = api.post(
        f"/api/v1/certificates/{new['id']}/revoke", json={"reason": "plagiarism"}, headers=admin
    )
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["status_reason"] == "plagiarism"
    twice = api.post(
        f"/api/v1/certificates/{new['id']}/revoke", json={"reason": "again"}, headers=admin
    )
    assert twice.status_code == 409
    blank = api.post(
        f"/api/v1/certificates/{world.id('certificate2')}/revoke",
        json={"reason": "  "},
        headers=admin,
    )
    assert blank.status_code == 422
    verified = api.get(f"/api/v1/verifications/{new['id']}").json()
    assert verified["certificate"]["verdict"] == "revoked"


def test_suspend_then_reinstate(api: TestClient, world: World) -> None:
    manager = world.headers("manager")
    url = f"/api/v1/certificates/{world.id('certificate2')}"
    suspended = api.post(f"{url}/suspend", json={"reason": "under review"}, headers=manager)
    assert suspended.status_code == 200, suspended.text
    assert (suspended.json()["status"], suspended.json()["status_reason"]) == (
        "suspended",
        "under review",
    )
    report = api.get(f"/api/v1/verifications/{world.id('certificate2')}").json()
    assert report["certificate"]["verdict"] == "suspended"
    assert report["verified"] is False
    again = api.post(f"{url}/suspend", json={"reason": "x"}, headers=manager)
    assert again.status_code == 409
    reinstated = api.post(f"{url}/reinstate", json={}, headers=manager)
    assert reinstated.json()["status"] == "active"
    assert api.get(f"/api/v1/verifications/{world.id('certificate2')}").json()["verified"]
    assert api.post(f"{url}/reinstate", json={}, headers=manager).status_code == 409
    outsider = api.post(
        f"{url}/suspend", json={"reason": "x"}, headers=world.headers("other_manager")
    )
    assert outsider.status_code == 404
