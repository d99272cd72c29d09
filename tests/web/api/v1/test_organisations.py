"""``/api/v1/organisations``: the operator's tenants over the API (operator tokens only)."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_the_operator_creates_brands_and_lists_organisations(api: TestClient, world: World) -> None:
    operator = world.headers("admin")
    created = api.post(
        "/api/v1/organisations",
        json={"name": "State Board", "slug": "board", "url": "https://board.example"},
        headers=operator,
    )
    assert created.status_code == 201, created.text
    assert created.json()["did"] == "did:web:certs.example.org:orgs:board"
    assert api.get("/orgs/board/did.json").status_code == 200  # its key was made
    again = api.post("/api/v1/organisations", json={"name": "X", "slug": "board"}, headers=operator)
    assert again.status_code == 409

    changed = api.patch(
        "/api/v1/organisations/board",
        json={"name": "State Board of Education", "logo": base64.b64encode(PNG).decode()},
        headers=operator,
    )
    assert changed.status_code == 200 and changed.json()["logo"] is True
    logo = api.get("/orgs/board/logo")
    assert logo.content == PNG and logo.headers["content-type"] == "image/png"
    bad = api.patch(
        "/api/v1/organisations/board",
        json={"accent_colour": "red", "logo": "not base64!"},
        headers=operator,
    )
    assert bad.status_code == 422

    first = api.get("/api/v1/organisations?limit=2", headers=operator)
    rest = api.get(first.json()["next"], headers=operator)
    slugs = [o["slug"] for o in items(first) + items(rest)]
    assert sorted(slugs) == ["board", "home-institute", "other-college"]
    assert api.get("/api/v1/organisations/nope", headers=operator).status_code == 404


def test_only_operator_tokens_manage_organisations(api: TestClient, world: World) -> None:
    for caller in ("other_admin", "manager", "learner"):
        listed = api.get("/api/v1/organisations", headers=world.headers(caller))
        assert listed.status_code == 403, caller
        assert listed.json()["detail"] == "this needs the instance's operator"
    created = api.post(
        "/api/v1/organisations", json={"name": "Rogue"}, headers=world.headers("other_admin")
    )
    assert created.status_code == 403


def test_a_suspended_organisation_issues_nothing(api: TestClient, world: World) -> None:
    operator = world.headers("admin")
    suspended = api.patch(
        "/api/v1/organisations/home-institute",
        json={"suspended": True, "suspension_shown": True},
        headers=operator,
    )
    assert suspended.json()["suspended"] is True
    refused = api.post(f"/api/v1/achievements/{world.id('achievement')}/issuance", headers=operator)
    assert refused.status_code == 409, refused.text
    assert "home-institute is suspended: it issues nothing" in refused.json()["detail"]
    verified = api.get(f"/api/v1/verifications/{world.id('certificate')}")
    assert verified.json()["verified"] is True
    page = api.get(f"/v/{world.id('certificate')}")
    assert "Its issuer is suspended on this service" in page.text
    assert "This certificate is authentic" in page.text  # its checks are unaffected
    shown = api.get(f"/v/{world.id('certificate')}", headers={"Accept": "application/json"})
    assert shown.json()["issuer_suspended"] is True and shown.json()["verdict"] == "valid"


def test_the_verification_page_and_profile_wear_the_issuers_branding(
    api: TestClient, world: World
) -> None:
    operator = world.headers("admin")
    api.patch(
        "/api/v1/organisations/home-institute",
        json={"primary_colour": "#1d4ed8", "logo": base64.b64encode(PNG).decode()},
        headers=operator,
    )
    page = api.get(f"/v/{world.id('certificate')}").text
    assert 'src="/orgs/home-institute/logo"' in page and "border-color: #1d4ed8" in page
