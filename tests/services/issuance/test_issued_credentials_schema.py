"""Every kind of credential Certmint issues is valid against 1EdTech's OB 3.0 AchievementCredential
JSON schema as published, checked by an independent validator: ajv (npm, draft 2019-09, with
ajv-formats), run by tests/interop/interop.mjs on the bundled, unmodified schema."""

from __future__ import annotations

from typing import Any

import pytest

from certmint.credentials import ob3_json_schema
from certmint.domain.accounts import Principal
from certmint.rendering import GALLERY, Design
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.templates import create_template
from certmint.services.certificates.lifecycle import (
    list_certificates,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario
from tests.node_harness import node_or_skip, run_harness

BASE = "https://certs.example.org"
MERIT = {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 50}}]}
ROWS = [
    enrolment_row("L1", name="Aarav Sharma", **{"score:final": "92"}),
    enrolment_row("L2", name="अनन्या कृष्णमूर्ति", **{"score:final": "3/4"}),
    enrolment_row("L3", name="Zoë Müller", email="", **{"score:final": "80"}),
]


@pytest.fixture(scope="module")
def node() -> str:
    return node_or_skip("ajv", "ajv-formats")


def _issue_every_kind(uow: SqlAlchemyUnitOfWork, signing: Signing) -> list[dict[str, Any]]:
    """One achievement per gallery layout, alternately with a validity period and a score;
    then one certificate re-issued, one revoked, one suspended."""
    s = scenario(uow, signing, ROWS, extra=["score:final"])
    for n, layout in enumerate(GALLERY):
        version = create_template(
            uow, Principal.at_shell(s.organisation.id), Design(layout=layout.id), publish=True
        )
        achievement = add_achievement(
            uow,
            Principal.at_shell(s.organisation.id),
            batch_id=s.batch_id,
            template_version_id=version.id,
            name=f"Award {layout.id}",
            criteria=MERIT if n % 2 else {"completed": True},
            valid_for_days=365 if n % 3 else None,
            signatories=[(f"Signatory {i}", "Director") for i in range(1, 5)],
        )
        issue_achievement(uow, signing, IssueRequest(s.organisation.id, achievement.id))
    issued = list_certificates(uow, s.organisation.id, limit=1000)
    first, second, third = issued[:3]
    reissue_certificate(
        uow, signing, Principal.at_shell(s.organisation.id, "t"), first.id, reason="typo"
    )
    revoke_certificate(
        uow, Principal.at_shell(s.organisation.id), second.id, reason="x", signing=signing
    )
    suspend_certificate(
        uow, Principal.at_shell(s.organisation.id), third.id, reason="x", signing=signing
    )
    return [c.credential for c in list_certificates(uow, s.organisation.id, limit=1000)]


def test_every_kind_of_credential_is_valid_for_ajv(
    node: str, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    credentials = _issue_every_kind(uow, signing)
    # every layout x three learners, plus the re-issued one; with and without validUntil and
    # a result, including superseded, revoked and suspended certificates' credentials
    assert len(credentials) == len(GALLERY) * len(ROWS) + 1
    assert any("validUntil" in c for c in credentials)
    assert any("validUntil" not in c for c in credentials)
    assert any("result" in c["credentialSubject"] for c in credentials)
    assert any("result" not in c["credentialSubject"] for c in credentials)
    errors = run_harness(
        node, "validate", {"schema": dict(ob3_json_schema()), "documents": credentials}
    )
    assert errors == [[]] * len(credentials), next(e for e in errors if e)


def test_ajv_refuses_what_the_schema_refuses(node: str) -> None:
    # The validator is live: Certmint's old two-entry form and a bad date fail it.
    schema = dict(ob3_json_schema())
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:5f2b1e4c-0000-4000-8000-000000000000",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:web:e.org", "type": ["Profile"]},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://e.org/a",
                "type": ["Achievement"],
                "name": "A",
                "description": "A",
                "criteria": {"narrative": "A"},
            },
        },
    }
    entry = {"id": "https://e.org/s/1#1", "type": "BitstringStatusListEntry"}
    errors = run_harness(
        node,
        "validate",
        {
            "schema": schema,
            "documents": [
                credential,
                credential | {"credentialStatus": [entry, entry]},
                credential | {"validFrom": "yesterday"},
            ],
        },
    )
    assert errors[0] == []
    assert errors[1][0]["instancePath"] == "/credentialStatus"
    assert errors[2][0]["instancePath"] == "/validFrom"  # formats are checked
