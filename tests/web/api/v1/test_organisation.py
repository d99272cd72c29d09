from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World


def test_the_callers_organisation(api: TestClient, world: World) -> None:
    mine = api.get("/api/v1/organisation", headers=world.headers("admin")).json()
    assert mine["name"] == "Home Institute"
    assert mine["did"] == "did:web:certs.example.org"
    theirs = api.get("/api/v1/organisation", headers=world.headers("other_admin")).json()
    assert theirs["did"] == f"did:web:certs.example.org:orgs:{theirs['slug']}"
    anonymous = api.get("/api/v1/organisation")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
