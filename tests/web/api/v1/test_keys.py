from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World


def test_rotation_keeps_old_certificates_valid(api: TestClient, world: World) -> None:
    before = api.get("/.well-known/did.json").json()
    rotated = api.post(
        "/api/v1/keys/rotate", json={"reason": "yearly"}, headers=world.headers("admin")
    )
    assert rotated.status_code == 201, rotated.text
    key = rotated.json()
    assert key["public_key_multibase"].startswith("z6Mk")
    assert "private" not in rotated.text.lower()
    after = api.get("/.well-known/did.json").json()
    assert len(after["verificationMethod"]) == len(before["verificationMethod"]) + 1
    report = api.get(f"/api/v1/verifications/{world.id('certificate')}").json()
    assert report["verified"] is True
    manager = api.post("/api/v1/keys/rotate", json={}, headers=world.headers("manager"))
    assert manager.status_code == 403
