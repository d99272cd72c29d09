"""The VC Data Model statements: each MUST, met and broken, with the JSON path it names."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from certmint.credentials import (
    base58btc_encode,
    build_credential,
    bundled_digests,
    credential_problems,
    presentation_problems,
)
from certmint.credentials._loader import _bundled_bytes
from tests.credentials.conftest import make_data

VC2 = "https://www.w3.org/ns/credentials/v2"
VC1 = "https://www.w3.org/2018/credentials/v1"
STATUS_TYPE = {"CredentialStatusList2017": "https://example.org/examples#CredentialStatusList2017"}
BASE: dict[str, Any] = {
    "@context": [VC2],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "credentialSubject": {"id": "did:example:subject"},
}
V2_BYTES = _bundled_bytes(VC2)
SRI = "sha384-" + base64.b64encode(hashlib.sha384(V2_BYTES).digest()).decode()
MULTIBASE = "u" + base64.urlsafe_b64encode(hashlib.sha256(V2_BYTES).digest()).decode().rstrip("=")
BITSTRING = {
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://example.org/status/3",
}


def _problems(**changes: Any) -> list[str]:
    document = {**BASE, **changes}
    for key in [k for k, v in changes.items() if v is ...]:
        del document[key]
    return [str(p) for p in credential_problems(document, bundled_digests)]


MET = {
    "minimal": {},
    "id a URL": {"id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33"},
    "a DID URL id": {"id": "did:example:credential"},
    "@context a string": {"@context": VC2},
    "@context with a URL and an object": {"@context": [VC2, "https://x.example/ctx", {"a": "b"}]},
    "type a string": {"type": "VerifiableCredential"},
    "issuer an object": {"issuer": {"id": "did:example:issuer", "name": "Example"}},
    "subjects": {"credentialSubject": [{"id": "did:example:a"}, {"name": "B"}]},
    "subject without id": {"credentialSubject": {"name": "Alice"}},
    "dates": {"validFrom": "2023-02-25T19:10:39-06:00", "validUntil": "2024-01-01T00:00:00.5Z"},
    "far future": {"validFrom": "4023-02-26T01:02:58.447Z"},
    "equal dates": {"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2026-01-01T01:00:00+01:00"},
    "language values": {
        "name": [{"@value": "Name", "@language": "en"}, {"@value": "نام", "@direction": "rtl"}],
        "description": "plain",
    },
    "status": {"credentialStatus": {"id": "did:example:status", "type": "X"}},
    "status without id": {"credentialStatus": [{"type": "X"}, {"type": ["Y", "Z"]}]},
    "bitstring entry": {"credentialStatus": BITSTRING},
    "bitstring messages": {
        "credentialStatus": BITSTRING
        | {
            "statusSize": 1,
            "statusMessage": [
                {"status": "0x0", "message": "ok"},
                {"status": "0x1", "message": "no"},
            ],
        }
    },
    "schema": {"credentialSchema": [{"id": "https://example.org/schema", "type": "JsonSchema"}]},
    "terms of use": {"termsOfUse": {"type": "OdrlPolicy2017", "id": "did:example:terms/1"}},
    "evidence": {"evidence": [{"type": "DocumentVerification"}, {"type": "X", "id": "urn:x:1"}]},
    "refresh": {"refreshService": {"type": "ExampleRefresh", "id": "did:example:refresh"}},
    "related SRI": {"relatedResource": {"id": VC2, "digestSRI": SRI}},
    "related multibase": {"relatedResource": [{"id": VC2, "digestMultibase": MULTIBASE}]},
    "related multihash base58": {
        "relatedResource": {
            "id": VC2,
            "digestMultibase": "z"
            + base58btc_encode(b"\x12\x20" + hashlib.sha256(V2_BYTES).digest()),
        }
    },
    "related as served by w3.org": {
        "relatedResource": {
            "id": VC2,
            "digestSRI": "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg",
        }
    },
    "related, not held here": {
        "relatedResource": {"id": "https://example.org/logo.png", "digestSRI": SRI}
    },
}


@pytest.mark.parametrize("changes", MET.values(), ids=MET.keys())
def test_statements_met(changes: dict[str, Any]) -> None:
    assert _problems(**changes) == []


BROKEN: list[tuple[str, dict[str, Any], str]] = [
    ("no @context", {"@context": ...}, "$.@context: is required"),
    ("@context not VC first", {"@context": ["https://x.example/ctx", VC2]}, "$.@context[0]:"),
    ("@context item a number", {"@context": [VC2, 123]}, "$.@context[1]: must be a URL"),
    ("@context item not a URL", {"@context": [VC2, "https ://x/y"]}, "$.@context[1]:"),
    ("id null", {"id": None}, "$.id: must be a URL"),
    ("id a list", {"id": ["https://a.example/1", "https://b.example/1"]}, "$.id: must be a URL"),
    ("id not a URL", {"id": "https ://not-a-url/vcs/1"}, "$.id: must be a URL"),
    ("no type", {"type": ...}, "$.type: is required"),
    ("type without VC", {"type": ["Other"]}, "$.type: must include VerifiableCredential"),
    ("type a number", {"type": [1]}, "$.type: must be a string or a list of strings"),
    ("no issuer", {"issuer": ...}, "$.issuer: must be a URL"),
    ("issuer null", {"issuer": None}, "$.issuer: must be a URL"),
    ("issuer not a URL", {"issuer": "example issuer"}, "$.issuer: must be a URL"),
    ("issuer id null", {"issuer": {"id": None}}, "$.issuer.id: must be a URL"),
    ("issuer id not a URL", {"issuer": {"id": "https ://x"}}, "$.issuer.id: must be a URL"),
    ("no subject", {"credentialSubject": ...}, "$.credentialSubject: is required"),
    ("empty subject list", {"credentialSubject": []}, "$.credentialSubject: is required"),
    ("subject without claims", {"credentialSubject": {}}, "$.credentialSubject: must be an"),
    ("one empty subject", {"credentialSubject": [{"id": "did:x:1"}, {}]}, "credentialSubject[1]"),
    ("subject id a list", {"credentialSubject": {"id": ["did:x:1", "did:x:2"]}}, "Subject.id"),
    ("validFrom not a date", {"validFrom": "Sat 25 Feb 2023 07:16:31 PM CST"}, "$.validFrom:"),
    ("validFrom no zone", {"validFrom": "2023-02-25T19:10:39"}, "$.validFrom: must be an XML"),
    ("validUntil RFC 2822", {"validUntil": "Sun, 26 Feb 2023 01:22:14 +0000"}, "$.validUntil:"),
    ("validFrom a number", {"validFrom": 1700000000}, "$.validFrom:"),
    ("impossible date", {"validFrom": "2023-02-30T00:00:00Z"}, "$.validFrom:"),
    (
        "validUntil before validFrom",
        {"validFrom": "2027-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"},
        "$.validUntil: must not be earlier than validFrom",
    ),
    ("name with extra keys", {"name": {"@value": "x", "url": "y"}}, "$.name: a language value"),
    ("name a number", {"name": 5}, "$.name: must be a string or a language value object"),
    ("bad direction", {"description": {"@value": "x", "@direction": "up"}}, "@direction"),
    (
        "issuer description extra key",
        {"issuer": {"id": "did:x:1", "description": {"@value": "x", "url": "y"}}},
        "$.issuer.description:",
    ),
    ("status without type", {"credentialStatus": {"id": "did:x:s"}}, "credentialStatus.type: is"),
    ("status type a number", {"credentialStatus": {"type": 2}}, "credentialStatus.type: must be"),
    ("status id not a URL", {"credentialStatus": {"type": "X", "id": "https ://x"}}, "Status.id"),
    ("status ids", {"credentialStatus": {"type": "X", "id": ["did:x:1", "did:x:2"]}}, "Status.id"),
    ("status a string", {"credentialStatus": "did:x:s"}, "$.credentialStatus: must be an object"),
    ("schema without type", {"credentialSchema": {"id": "https://x/s"}}, "credentialSchema.type"),
    ("schema without id", {"credentialSchema": {"type": "S"}}, "$.credentialSchema.id: must be"),
    ("schema id not URL", {"credentialSchema": {"type": "S", "id": "https ://x"}}, "Schema.id"),
    ("terms without type", {"termsOfUse": {"id": "did:x:t"}}, "$.termsOfUse.type: is required"),
    ("evidence without type", {"evidence": [{"id": "urn:x:1"}]}, "$.evidence[0].type: is"),
    ("refresh without type", {"refreshService": {"id": "did:x:r"}}, "refreshService.type: is"),
    ("related a string", {"relatedResource": [VC2]}, "$.relatedResource[0]: must be an object"),
    ("related without id", {"relatedResource": {"digestSRI": SRI}}, "relatedResource.id: must"),
    ("related without digest", {"relatedResource": {"id": VC2}}, "must have a digestSRI"),
    (
        "related twice",
        {"relatedResource": [{"id": VC2, "digestSRI": SRI}, {"id": VC2, "digestSRI": SRI}]},
        "$.relatedResource[1].id: must be unique",
    ),
    (
        "related wrong multibase",
        {
            "relatedResource": {
                "id": VC2,
                "digestMultibase": "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0",
            }
        },
        "digestMultibase: does not match the digest of",
    ),
    (
        "related malformed SRI",
        {"relatedResource": {"id": VC2, "digestSRI": "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8"}},
        "digestSRI: is not a well-formed digest",
    ),
    (
        "related wrong SRI",
        {"relatedResource": {"id": VC2, "digestSRI": "sha256-" + "A" * 43 + "="}},
        "digestSRI: does not match",
    ),
    (
        "bitstring index not a string",
        {"credentialStatus": BITSTRING | {"statusListIndex": 94567}},
        "$.credentialStatus.statusListIndex: must be a base-10 integer",
    ),
    (
        "bitstring index negative",
        {"credentialStatus": BITSTRING | {"statusListIndex": "-1"}},
        "statusListIndex",
    ),
    (
        "bitstring list not a URL",
        {"credentialStatus": BITSTRING | {"statusListCredential": "list 3"}},
        "statusListCredential: must be a URL",
    ),
    (
        "bitstring purpose missing",
        {"credentialStatus": {k: v for k, v in BITSTRING.items() if k != "statusPurpose"}},
        "statusPurpose: must be a string",
    ),
    (
        "bitstring size zero",
        {"credentialStatus": BITSTRING | {"statusSize": 0}},
        "statusSize: must be an integer greater than zero",
    ),
    (
        "bitstring size 2 without messages",
        {"credentialStatus": BITSTRING | {"statusSize": 2}},
        "statusMessage: is required",
    ),
    (
        "bitstring too few messages",
        {"credentialStatus": BITSTRING | {"statusMessage": [{"status": "0x0", "message": "a"}]}},
        "statusMessage: must list one message per possible value",
    ),
    (
        "bitstring entry anywhere",
        {"statusEntry": BITSTRING | {"statusListIndex": True}},
        "$.statusEntry.statusListIndex:",
    ),
]


@pytest.mark.parametrize(
    ("changes", "expected"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_statements_broken(changes: dict[str, Any], expected: str) -> None:
    problems = _problems(**changes)
    assert any(expected in p for p in problems), problems


def test_every_problem_is_named_at_once() -> None:
    problems = _problems(
        issuer=None,
        credentialSubject={},
        validFrom="yesterday",
        termsOfUse={"id": "did:x:t"},
        credentialStatus={"id": "not a url"},
    )
    assert len(problems) == 6, problems  # the status lacks a type and its id is not a URL
    assert all(p.startswith("$.") for p in problems)


def test_vc_1_1_rules() -> None:
    v1 = {**BASE, "@context": [VC1], "issuanceDate": "2010-01-01T19:23:24Z"}
    assert credential_problems(v1) == []
    assert credential_problems(v1 | {"issuanceDate": "2010-01-01T19:23:24"}) == []  # dateTime
    missing = {k: v for k, v in v1.items() if k != "issuanceDate"}
    assert [str(p) for p in credential_problems(missing)] == [
        "$.issuanceDate: is required in a VC 1.1 credential"
    ]
    assert "$.expirationDate" in str(credential_problems(v1 | {"expirationDate": "soon"})[0])


def test_dates_can_be_left_to_the_caller() -> None:
    assert credential_problems({**BASE, "validFrom": "yesterday"}, dates=False) == []


def test_non_objects_and_proofs() -> None:
    assert [str(p) for p in credential_problems([BASE])] == ["$: must be a JSON object"]
    # the proof is the signature step's business, not the data model's
    assert credential_problems({**BASE, "proof": {"no": "type"}}) == []


def test_our_credentials_meet_every_statement() -> None:
    assert credential_problems(build_credential(make_data()), bundled_digests) == []
    assert credential_problems(build_credential(make_data(status=None, valid_until=None))) == []


PRESENTATION: dict[str, Any] = {"@context": [VC2], "type": ["VerifiablePresentation"]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, None),
        ({"id": "urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5"}, None),
        ({"holder": "did:example:holder"}, None),
        ({"holder": {"id": "did:example:holder", "name": "H"}}, None),
        ({"verifiableCredential": [BASE, BASE]}, None),
        (
            {
                "verifiableCredential": {
                    "@context": VC2,
                    "type": "EnvelopedVerifiableCredential",
                    "id": "data:application/vc+jwt,eyJ",
                }
            },
            None,
        ),
        ({"@context": ["https://x.example/ctx", VC2]}, "$.@context[0]"),
        ({"type": ["VerifiableCredential"]}, "$.type: must include VerifiablePresentation"),
        ({"holder": "a holder"}, "$.holder: must be a URL"),
        ({"holder": {"name": "H"}}, "$.holder.id: must be a URL"),
        ({"id": "not a url"}, "$.id: must be a URL"),
        ({"verifiableCredential": ["eyJhbGciOi..."]}, "$.verifiableCredential[0]: must be a"),
        (
            {"verifiableCredential": {"type": "EnvelopedVerifiableCredential", "id": "x"}},
            "$.verifiableCredential.id: an enveloped credential's id must be a data: URL",
        ),
    ],
)
def test_presentation_statements(changes: dict[str, Any], expected: str | None) -> None:
    problems = [str(p) for p in presentation_problems({**PRESENTATION, **changes})]
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems
