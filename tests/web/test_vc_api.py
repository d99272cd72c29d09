from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from certmint.credentials import Ed25519KeyPair, ProofOptions, did_key_for, sign_document
from certmint.domain.accounts import Principal, Role
from certmint.domain.status_lists import StatusPurpose
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token, revoke_token
from certmint.services.issuers.keys import did_document_for, ensure_signing_key, issuer_key
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.verification.vc_api import MAX_PRESENTED
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.credentials.test_interop_digitalbazaar import _db_verify, _run, node  # noqa: F401
from tests.factories import enrolment_csv, enrolment_row, make_organisation
from tests.web.browser import LiveServer

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:9a1f0f3e-2c6b-4d55-9a43-2b8c0f1e6d7a",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Workshop attendance",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://certs.example.org/achievements/workshop",
            "type": ["Achievement"],
            "name": "Workshop attendance",
            "description": "Attended the workshop",
            "criteria": {"narrative": "Attend."},
        },
    },
}


@pytest.fixture
def admin(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Any, str]:
    org = make_organisation(uow, "VC API Institute", default=True)
    ensure_signing_key(uow, signing.key_store, org.id)
    _token, secret = create_token(
        uow, Principal.at_shell(org.id), name="test suite", role=Role.ADMIN
    )
    return org, secret


def _issue(client: TestClient, secret: str, credential: dict[str, Any], **options: str) -> Any:
    return client.post(
        "/vc-api/credentials/issue",
        json={"credential": credential, "options": options},
        headers={"Authorization": f"Bearer {secret}"},
    )


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_issue_then_verify(client: TestClient, admin: tuple[Any, str], suite: str) -> None:
    _, secret = admin
    response = _issue(client, secret, CREDENTIAL, cryptosuite=suite)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["issuer"] == "did:web:certs.example.org"
    assert signed["proof"][0]["cryptosuite"] == suite

    verified = client.post("/vc-api/credentials/verify", json={"verifiableCredential": signed})
    assert verified.status_code == 200
    assert verified.json()["verified"] is True
    assert "signature" in verified.json()["checks"]

    tampered = copy.deepcopy(signed)
    tampered["name"] = "Workshop attendancf"
    refused = client.post("/vc-api/credentials/verify", json={"verifiableCredential": tampered})
    assert refused.status_code == 400
    assert any(e.startswith("signature:") for e in refused.json()["errors"])


def test_issued_credential_verifies_with_digital_bazaar(
    client: TestClient,
    admin: tuple[Any, str],
    uow: SqlAlchemyUnitOfWork,
    node: str,  # noqa: F811
) -> None:
    _org, secret = admin
    signed = _issue(client, secret, CREDENTIAL).json()["verifiableCredential"]
    documents = {
        "did:web:certs.example.org": did_document_for(uow, Links("https://certs.example.org"), None)
    }
    assert _db_verify(node, signed, documents)["verified"] is True
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Workshop attendancf"
    assert _db_verify(node, tampered, documents)["verified"] is False


def test_issue_requires_an_admin_token(
    client: TestClient, admin: tuple[Any, str], uow: SqlAlchemyUnitOfWork
) -> None:
    org, _secret = admin
    anonymous = client.post("/vc-api/credentials/issue", json={"credential": CREDENTIAL})
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert _issue(client, "cm_not-a-token", CREDENTIAL).status_code == 401
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row()]))
    course = resolve_course(uow, org.id, "C1")
    _, manager = create_token(
        uow,
        Principal.at_shell(org.id),
        name="manager",
        role=Role.COURSE_MANAGER,
        course_ids=[course.id],
    )
    assert _issue(client, manager, CREDENTIAL).status_code == 403
    token, spare = create_token(uow, Principal.at_shell(org.id), name="spare", role=Role.ADMIN)
    revoke_token(uow, Principal.at_shell(org.id), token.id)
    assert _issue(client, spare, CREDENTIAL).status_code == 401


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuer": "did:web:someone.else"}, "is not this issuer"),
        ({"@context": ["https://example.org/context"]}, "@context"),
        ({"type": ["OpenBadgeCredential"]}, "type"),
        ({"proof": [{"type": "DataIntegrityProof"}]}, "already has a proof"),
        ({"credentialSubject": {"undefinedTerm": 1}}, "undefinedTerm"),
    ],
)
def test_bad_credentials_are_refused(
    client: TestClient, admin: tuple[Any, str], change: dict[str, Any], message: str
) -> None:
    _, secret = admin
    response = _issue(client, secret, {**CREDENTIAL, **change})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert message in " ".join(response.json()["errors"])


def test_presentation_of_issued_credentials(client: TestClient, admin: tuple[Any, str]) -> None:
    _, secret = admin
    signed = _issue(client, secret, CREDENTIAL).json()["verifiableCredential"]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [signed],
    }
    ok = client.post("/vc-api/presentations/verify", json={"verifiablePresentation": presentation})
    assert ok.status_code == 200, ok.text
    assert ok.json()["checks"] == ["credentials"]
    bad = copy.deepcopy(presentation)
    bad["verifiableCredential"][0]["name"] = "x"
    refused = client.post("/vc-api/presentations/verify", json={"verifiablePresentation": bad})
    assert refused.status_code == 400
    challenged = client.post(
        "/vc-api/presentations/verify",
        json={"verifiablePresentation": presentation, "options": {"challenge": "abc"}},
    )
    assert challenged.status_code == 400
    assert "challenge" in challenged.json()["errors"][0]
    empty = {**presentation, "verifiableCredential": []}
    vacuous = client.post("/vc-api/presentations/verify", json={"verifiablePresentation": empty})
    assert vacuous.status_code == 400
    assert vacuous.json()["verified"] is False


EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"


def test_a_credential_breaking_the_data_model_is_refused_naming_every_problem(
    client: TestClient, admin: tuple[Any, str]
) -> None:
    _, secret = admin
    broken = {
        "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES],
        "type": ["VerifiableCredential"],
        "issuer": None,
        "credentialSubject": {},
        "validFrom": "Sat 25 Feb 2023 07:16:31 PM CST",
        "credentialStatus": {"id": "https ://not-a-url/status/4"},
        "termsOfUse": {"id": "did:example:terms"},
        "relatedResource": [{"id": "https://www.w3.org/ns/credentials/v2"}],
    }
    response = _issue(client, secret, broken)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    for expected in (
        "$.issuer: must be a URL or an object whose id is a URL",
        "$.credentialSubject: must be an object making at least one claim",
        "$.validFrom: must be an XML Schema dateTimeStamp string",
        "$.credentialStatus.type: is required",
        "$.credentialStatus.id: must be a URL",
        "$.termsOfUse.type: is required",
        "$.relatedResource[0]: must have a digestSRI or a digestMultibase",
    ):
        assert expected in errors, errors
    assert len(errors) == 7


@pytest.mark.parametrize(
    "issuer", [None, "did:web:certs.example.org", {"name": "VC API Institute"}]
)
def test_the_examples_context_and_the_issuer_s_forms(
    client: TestClient, admin: tuple[Any, str], issuer: Any
) -> None:
    _, secret = admin
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "credentialSubject": {"id": "did:example:abc", "alumniOf": "The School of Examples"},
        "validFrom": "2023-02-25T19:10:39-06:00",
        **({} if issuer is None else {"issuer": issuer}),
    }
    response = _issue(client, secret, credential)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    issued_by = signed["issuer"]["id"] if isinstance(signed["issuer"], dict) else signed["issuer"]
    assert issued_by == "did:web:certs.example.org"
    verified = client.post("/vc-api/credentials/verify", json={"verifiableCredential": signed})
    assert verified.status_code == 200, verified.text


def test_a_vc_1_1_credential_is_signed_with_data_integrity(
    client: TestClient,
    admin: tuple[Any, str],
    uow: SqlAlchemyUnitOfWork,
    node: str,  # noqa: F811
) -> None:
    _, secret = admin
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "id": "urn:uuid:86294362-4254-4f36-854f-3952fe42555d",
        "type": ["VerifiableCredential"],
        "credentialSubject": {"id": "did:example:abc"},
    }
    response = _issue(client, secret, credential)
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["@context"] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    assert signed["proof"][0]["type"] == "DataIntegrityProof"
    assert signed["issuanceDate"].endswith("Z")
    verified = client.post("/vc-api/credentials/verify", json={"verifiableCredential": signed})
    assert verified.status_code == 200, verified.text
    documents = {
        "did:web:certs.example.org": did_document_for(uow, Links("https://certs.example.org"), None)
    }
    assert _db_verify(node, signed, documents)["verified"] is True


def test_verify_names_the_statement_that_failed(client: TestClient, admin: tuple[Any, str]) -> None:
    _, secret = admin
    signed = _issue(client, secret, CREDENTIAL).json()["verifiableCredential"]
    broken = copy.deepcopy(signed) | {"termsOfUse": {"id": "did:example:terms"}}
    response = client.post("/vc-api/credentials/verify", json={"verifiableCredential": broken})
    assert response.status_code == 400
    assert response.json()["errors"][0] == (
        "format: VC 2.0 data model: $.termsOfUse.type: is required"
    )


def test_a_presentation_holds_at_most_max_presented_credentials(
    client: TestClient, admin: tuple[Any, str]
) -> None:
    _, secret = admin
    signed = _issue(client, secret, CREDENTIAL).json()["verifiableCredential"]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [signed] * (MAX_PRESENTED + 1),
    }
    response = client.post(
        "/vc-api/presentations/verify", json={"verifiablePresentation": presentation}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        f"verifiableCredential: {MAX_PRESENTED + 1} credentials; at most {MAX_PRESENTED}"
    ]
    presentation["verifiableCredential"] = [signed, "a string"]
    response = client.post(
        "/vc-api/presentations/verify", json={"verifiablePresentation": presentation}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "presentation: $.verifiableCredential[1]: must be a credential object"
    ]


def test_the_issuer_adds_a_bitstring_status_list_entry_when_asked(
    client: TestClient, admin: tuple[Any, str], uow: SqlAlchemyUnitOfWork
) -> None:
    org, secret = admin
    asked = {"credentialStatus": {"type": "BitstringStatusListEntry"}}
    first, second = (
        client.post(
            "/vc-api/credentials/issue",
            json={"credential": CREDENTIAL, "options": asked},
            headers={"Authorization": f"Bearer {secret}"},
        )
        for _ in range(2)
    )
    assert first.status_code == 201, first.text
    signed = first.json()["verifiableCredential"]
    entry = signed["credentialStatus"]
    list_url = f"https://certs.example.org/orgs/{org.slug}/status/revocation/1"
    index = entry["statusListIndex"]
    assert entry == {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": list_url,
    }
    other = second.json()["verifiableCredential"]["credentialStatus"]["statusListIndex"]
    assert other != index  # each holds its own place, which no certificate can be given
    with uow:
        status_list = uow.status_lists.latest(org.id, StatusPurpose.REVOCATION)
        assert status_list is not None
        assert uow.status_lists.allocated(status_list.id) == 2
    served = client.get(list_url.removeprefix("https://certs.example.org"))
    assert served.status_code == 200
    assert "BitstringStatusListCredential" in served.json()["type"]
    verified = client.post("/vc-api/credentials/verify", json={"verifiableCredential": signed})
    assert verified.status_code == 200, verified.text
    assert "status" in verified.json()["checks"]


@pytest.mark.parametrize(
    "option",
    [
        {"type": "StatusList2021Entry"},
        {"type": "BitstringStatusListEntry", "statusPurpose": "message"},
        "BitstringStatusListEntry",
    ],
)
def test_other_status_options_are_refused(
    client: TestClient, admin: tuple[Any, str], option: Any
) -> None:
    _, secret = admin
    response = client.post(
        "/vc-api/credentials/issue",
        json={"credential": CREDENTIAL, "options": {"credentialStatus": option}},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0].startswith("options.credentialStatus")


def test_naming_the_did_key_of_the_active_key_signs_as_that(
    client: TestClient, admin: tuple[Any, str], uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    org, secret = admin
    key = issuer_key(uow, signing.key_store, org, signing.links)
    did_key = did_key_for(key.key_pair.public_key)
    response = _issue(client, secret, {**CREDENTIAL, "issuer": did_key})
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["proof"][0]["verificationMethod"] == (
        f"{did_key}#{key.key_pair.public_key.multibase}"
    )
    verified = client.post("/vc-api/credentials/verify", json={"verifiableCredential": signed})
    assert verified.status_code == 200, verified.text
    stranger = did_key_for(Ed25519KeyPair.from_seed(bytes(32)).public_key)
    assert _issue(client, secret, {**CREDENTIAL, "issuer": stranger}).status_code == 422


def test_a_status_entry_from_the_vc_api_is_checked_by_digital_bazaar_over_loopback(
    live_server: LiveServer,
    node: str,  # noqa: F811
) -> None:
    """Digital Bazaar's library, with its status check on, reads the list where the entry
    points: the instance serving on loopback."""
    secret = live_server.issuer("Status Institute")
    response = httpx.post(
        live_server.url("/vc-api/credentials/issue"),
        json={
            "credential": {**CREDENTIAL, "id": "urn:uuid:5c1b6a3e-8f0e-4a47-9d53-0c4f2c6b9e11"},
            "options": {"credentialStatus": {"type": "BitstringStatusListEntry"}},
        },
        headers={"Authorization": f"Bearer {secret}"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    signed = response.json()["verifiableCredential"]
    assert signed["credentialStatus"]["statusListCredential"].startswith(live_server.url("/"))
    did_document = httpx.get(live_server.url("/.well-known/did.json"), timeout=30).json()
    result = _run(
        node,
        "verify",
        {
            "credential": signed,
            "documents": {did_document["id"]: did_document},
            "statusFrom": live_server.url("/"),
        },
    )
    assert result["verified"], result["error"]
    index = signed["credentialStatus"]["statusListIndex"]
    assert result["status"] == [{"purpose": "revocation", "index": index, "set": False}]


def test_every_proof_of_a_signed_presentation_must_verify(
    client: TestClient, admin: tuple[Any, str], signing: Signing
) -> None:
    _, secret = admin
    signed = _issue(client, secret, CREDENTIAL).json()["verifiableCredential"]
    holder = Ed25519KeyPair.from_seed(bytes(range(3, 35)))
    did = did_key_for(holder.public_key)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": [signed],
    }
    options = ProofOptions(
        f"{did}#{holder.public_key.multibase}", datetime.now(UTC), proof_purpose="authentication"
    )
    once = sign_document(presentation, holder, options, loader=signing.loader)
    twice = sign_document(once, holder, options, loader=signing.loader)

    def verify(document: dict[str, Any]) -> Any:
        return client.post(
            "/vc-api/presentations/verify", json={"verifiablePresentation": document}
        )

    assert verify(twice).status_code == 200, verify(twice).text
    assert verify(twice).json()["checks"] == ["proof", "credentials"]
    corrupted = copy.deepcopy(twice)
    value = corrupted["proof"][1]["proofValue"]
    corrupted["proof"][1]["proofValue"] = value[:-1] + ("1" if value[-1] != "1" else "2")
    refused = verify(corrupted)
    assert refused.status_code == 400
    assert refused.json()["errors"] == ["proof: the signature does not verify"]
