"""Finding 10: a credential that is not yet valid (``validFrom`` in the future) was reported
"Expired". It now has a verdict of its own, with the date, wherever a verdict is shown."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certmint.cli import app
from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.identity.tokens import create_token
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.keys import ensure_signing_key
from certmint.services.issuers.signing import Signing
from certmint.services.verification.verify import verify_certificate
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, make_organisation, scenario
from tests.web.conftest import client, container  # noqa: F401 - fixtures

FUTURE = "2099-01-01T00:00:00Z"
CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:0d9c3bb6-2b0e-4a5e-9c1e-4f1f7a0f6c11",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "name": "Course starting later",
    "validFrom": FUTURE,
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://certs.example.org/achievements/later",
            "type": ["Achievement"],
            "name": "Course starting later",
            "description": "Valid from 2099",
            "criteria": {"narrative": "Wait."},
        },
    },
}


@pytest.fixture
def future_credential(
    client: TestClient,  # noqa: F811
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
) -> dict[str, Any]:
    """A credential this instance signed (so every other check passes), valid from 2099."""
    org = make_organisation(uow, "Later Institute", default=True)
    ensure_signing_key(uow, signing.key_store, org.id)
    _token, secret = create_token(uow, Principal.at_shell(org.id), name="t", role=Role.ADMIN)
    response = client.post(
        "/vc-api/credentials/issue",
        json={"credential": copy.deepcopy(CREDENTIAL)},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201, response.text
    signed: dict[str, Any] = response.json()["verifiableCredential"]
    return signed


def test_the_vc_api_says_not_yet_valid(
    client: TestClient,  # noqa: F811
    future_credential: dict[str, Any],
) -> None:
    answer = client.post(
        "/vc-api/credentials/verify", json={"verifiableCredential": future_credential}
    )
    assert answer.json()["verified"] is False
    assert answer.json()["errors"] == [f"validity: not yet valid: valid from {FUTURE}"]
    assert "signature" in answer.json()["checks"]


def test_the_verification_page_says_not_yet_valid_in_english_and_hindi(
    client: TestClient,  # noqa: F811
    future_credential: dict[str, Any],
) -> None:
    page = client.post("/verify", data={"document": json.dumps(future_credential)})
    assert page.status_code == 200
    assert ">Not yet valid<" in page.text and ">Expired<" not in page.text
    assert f"not yet valid: valid from {FUTURE}" in page.text
    hindi = client.post("/verify?lang=hi", data={"document": json.dumps(future_credential)})
    assert ">अभी मान्य नहीं<" in hindi.text
    assert f"अभी मान्य नहीं: {FUTURE} से मान्य" in hindi.text


def test_the_api_json_gives_the_check_and_the_cli_the_verdict(
    client: TestClient,  # noqa: F811
    future_credential: dict[str, Any],
    certmint_home: Path,
    tmp_path: Path,
) -> None:
    answer = client.post("/api/v1/verifications", json={"credential": future_credential})
    validity = {c["name"]: c for c in answer.json()["checks"]}["validity"]
    assert validity == {
        "name": "validity",
        "outcome": "failed",
        "detail": f"not yet valid: valid from {FUTURE}",
    }
    path = tmp_path / "later.json"
    path.write_text(json.dumps(future_credential), encoding="utf-8")
    did = client.get("/.well-known/did.json").json()
    did_path = tmp_path / "did.json"
    did_path.write_text(json.dumps(did), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["verify", str(path), "--offline", "--did-document", str(did_path)]
    )
    assert "NOT YET VALID" in result.output, result.output
    assert "EXPIRED" not in result.output
    assert f"not yet valid: valid from {FUTURE}" in result.output


def test_our_certificate_before_its_period_is_not_yet_valid(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(uow, signing, [enrolment_row("L1")], valid_for_days=30)
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    (certificate,) = list_certificates(uow, s.organisation.id, batch_id=s.batch_id)
    earlier = certificate.valid_from - timedelta(days=1)
    result = verify_certificate(uow, signing, url_id(certificate.id), now=earlier)
    assert result.verdict == "not_yet_valid"
    later = certificate.valid_from + timedelta(days=31)
    assert verify_certificate(uow, signing, url_id(certificate.id), now=later).verdict == "expired"
