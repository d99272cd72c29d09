from __future__ import annotations

from fastapi.testclient import TestClient

from certmint.credentials import InMemoryKeyStore
from certmint.domain.accounts import Principal
from certmint.services.issuers.keys import ensure_signing_key, rotate_signing_key
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import make_organisation


def test_did_documents_are_served_with_cache_headers(
    client: TestClient, uow: SqlAlchemyUnitOfWork
) -> None:
    store = InMemoryKeyStore()
    default = make_organisation(uow, "Main", default=True)
    other = make_organisation(uow, "Physics")
    ensure_signing_key(uow, store, default.id)
    ensure_signing_key(uow, store, other.id)
    rotate_signing_key(uow, store, Principal.at_shell(other.id))

    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/did+json"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.json()["id"] == "did:web:certs.example.org"

    physics = client.get("/orgs/physics/did.json").json()
    assert physics["id"] == "did:web:certs.example.org:orgs:physics"
    assert len(physics["verificationMethod"]) == 2
    assert "secretKeyMultibase" not in response.text + str(physics)


def test_unknown_organisation_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/orgs/nobody/did.json")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
