from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def test_add_list_remove(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    created = api.post(
        "/api/v1/webhooks",
        json={"url": "https://lms.example/in", "events": ["certificate.revoked"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    listed = items(api.get("/api/v1/webhooks", headers=admin))
    assert {h["id"] for h in listed} == {hook["id"], world.id("webhook")}
    assert hook["secret"] not in str(listed)  # shown once
    assert api.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 204
    listed = {h["id"]: h for h in items(api.get("/api/v1/webhooks", headers=admin))}
    assert listed[hook["id"]]["active"] is False
    assert api.delete(f"/api/v1/webhooks/{hook['id']}", headers=admin).status_code == 404


def test_bad_webhooks_are_refused(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    bad = api.post("/api/v1/webhooks", json={"url": "ftp://x", "events": ["nope"]}, headers=admin)
    assert bad.status_code == 422
    assert len(bad.json()["errors"]) == 2


def test_webhooks_to_private_addresses_are_refused(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    for url in ("https://169.254.169.254/latest/meta-data/", "https://10.1.2.3/in"):
        refused = api.post("/api/v1/webhooks", json={"url": url}, headers=admin)
        assert refused.status_code == 422, refused.text
        assert "its host is a" in str(refused.json()["errors"])
    assert {h["url"] for h in items(api.get("/api/v1/webhooks", headers=admin))} == {
        "https://lms.example/hooks"
    }
