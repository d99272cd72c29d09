"""The OB 3.0 credential builder: shape, JSON schema, safe-mode JSON-LD, sanitising."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest

from certmint.credentials import (
    OB3_CONTEXT,
    VC2_CONTEXT,
    BundledDocumentLoader,
    CredentialData,
    EmailIdentity,
    ExternalIdentity,
    InvalidCredentialDataError,
    Recipient,
    StatusEntry,
    UndefinedTermError,
    build_credential,
    email_identity_hash,
    expand_safe,
    ob3_json_schema,
    sanitise_text,
    to_dataset,
)
from tests.credentials.conftest import make_data, with_two_status_entries

VARIANTS = {
    "complete": {},
    "no-valid-until": {"valid_until": None},
    "no-result": {"result": None},
    "no-status": {"status": None},
    "external-id": {"recipient": Recipient("Bo", ExternalIdentity("lms-user-17"))},
    "minimal": {"valid_until": None, "result": None, "status": None},
}


def _validate(document: dict[str, Any]) -> None:
    schema = ob3_json_schema()
    jsonschema.validators.validator_for(schema)(schema).validate(document)


@pytest.mark.parametrize("changes", VARIANTS.values(), ids=VARIANTS.keys())
def test_credential_validates_against_ob3_schema_once_signed(
    changes: dict[str, Any], sign: Callable[..., dict[str, Any]]
) -> None:
    signed = sign(build_credential(make_data(**changes)))
    _validate(signed)
    assert isinstance(signed["proof"], list)


@pytest.mark.parametrize("changes", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_term_is_defined_by_the_contexts(
    changes: dict[str, Any], loader: BundledDocumentLoader
) -> None:
    data = make_data(**changes)
    credential = build_credential(data)
    expand_safe(credential, loader)  # raises UndefinedTermError if pyld would drop anything
    dataset = to_dataset(credential, loader)
    literals = {q["object"]["value"] for q in dataset["@default"]}
    assert data.recipient.name in literals
    assert credential["validFrom"] in literals


def test_safe_mode_rejects_an_undefined_term(loader: BundledDocumentLoader) -> None:
    credential = build_credential(make_data())
    credential["credentialSubject"]["achievement"]["nickname"] = "not in OB3"
    credential["@context"] = [VC2_CONTEXT, OB3_CONTEXT]
    # VC 2.0's @vocab would map it, but OB3's Achievement scope is @protected without @vocab
    with pytest.raises(UndefinedTermError) as info:
        expand_safe(credential, loader)
    assert any("nickname" in term for term in info.value.terms)


def test_safe_mode_rejects_relative_ids(loader: BundledDocumentLoader) -> None:
    credential = build_credential(make_data())
    credential["credentialSubject"]["achievement"]["id"] = "achievements/42"
    with pytest.raises(UndefinedTermError):
        expand_safe(credential, loader)


def test_credential_shape() -> None:
    credential = build_credential(make_data())
    assert credential["@context"] == [VC2_CONTEXT, OB3_CONTEXT]
    assert credential["id"] == "urn:uuid:5f0c6c3e-2f6e-4b8e-9d0a-7f1e2d3c4b5a"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == "did:web:certs.example.org"
    assert credential["validFrom"] == "2026-01-15T09:30:00Z"
    assert credential["validUntil"] == "2031-01-15T09:30:00Z"
    subject = credential["credentialSubject"]
    assert subject["achievement"]["achievementType"] == "Certificate"
    assert subject["result"] == [{"type": ["Result"], "value": "87.5"}]
    (identifier,) = subject["identifier"]
    assert identifier["identityHash"] == email_identity_hash("aida@example.org", "pepper")
    assert credential["credentialStatus"] == {
        "id": "https://certs.example.org/status/1#4242",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "4242",
        "statusListCredential": "https://certs.example.org/status/1",
    }
    assert "proof" not in credential


def test_email_identity_hash_is_salted_sha256_of_normalised_address() -> None:
    expected = "sha256$" + hashlib.sha256(b"ada@example.orgsalt").hexdigest()
    assert email_identity_hash("  Ada@Example.ORG ", "salt") == expected


def test_external_identity_is_published_unhashed() -> None:
    credential = build_credential(make_data(recipient=Recipient("Bo", ExternalIdentity("u-1"))))
    (identifier,) = credential["credentialSubject"]["identifier"]
    assert identifier == {
        "type": "IdentityObject",
        "identityHash": "u-1",
        "identityType": "sourcedId",
        "hashed": False,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ada\x00 Lovelace", "Ada Lovelace"),
        ("Ada\tLovelace", "Ada Lovelace"),
        ("Ada\nLovelace\r", "Ada Lovelace"),
        ("\u202eAda\x1b[31m", "\u202eAda[31m"),
        ("Ada\u2028Lovelace", "Ada Lovelace"),
        ("  Zoë\u0301  ", "Zoë\u0301"),
        ("क्षत्रिय", "क्षत्रिय"),
        ("\x85Ana\x9f", "Ana"),
    ],
)
def test_sanitize_strips_control_characters_and_keeps_the_rest(raw: str, expected: str) -> None:
    assert sanitise_text(raw, "name") == expected


def test_sanitize_keeps_line_breaks_in_multiline_fields() -> None:
    text = sanitise_text("one\r\ntwo\rthree\tfour\x07", "criteria", multiline=True)
    assert text == "one\ntwo\nthree four"


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "\t\n"])
def test_sanitize_rejects_text_that_is_empty_once_cleaned(raw: str) -> None:
    with pytest.raises(InvalidCredentialDataError) as info:
        sanitise_text(raw, "recipient.name")
    assert info.value.field == "recipient.name"


def test_sanitize_rejects_lone_surrogates() -> None:
    with pytest.raises(InvalidCredentialDataError):
        sanitise_text("Ada\ud800", "name")


def test_printed_fields_are_sanitised_in_the_credential() -> None:
    data = make_data(recipient=Recipient("Ada\x00\tLovelace", EmailIdentity("a@b.c", "s")))
    assert build_credential(data)["credentialSubject"]["name"] == "Ada Lovelace"


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("issuer.did", {"issuer": "relative"}),
        ("issuer.url", {"url": "javascript:alert(1)"}),
        ("issuer.image", {"image": "https://exa mple.org/x.png"}),
        ("issuer.image", {"image": "https://example.org/<x>"}),
        ("issuer.url", {"url": "https:///no-host"}),
    ],
)
def test_bad_iris_are_rejected(field: str, changes: dict[str, str]) -> None:
    data = make_data()
    issuer = replace(
        data.issuer,
        did=changes.get("issuer", data.issuer.did),
        url=changes.get("url", data.issuer.url),
        image=changes.get("image", data.issuer.image),
    )
    with pytest.raises(InvalidCredentialDataError) as info:
        build_credential(replace(data, issuer=issuer))
    assert info.value.field == field


def test_valid_until_must_follow_valid_from() -> None:
    data = make_data(valid_until=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidCredentialDataError) as info:
        build_credential(data)
    assert info.value.field == "valid_until"


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(InvalidCredentialDataError):
        build_credential(make_data(valid_from=datetime(2026, 1, 1)))


def test_dates_are_normalised_to_utc_seconds() -> None:
    moment = datetime(2026, 1, 1, 5, 30, 15, 999, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert build_credential(make_data(valid_from=moment))["validFrom"] == "2026-01-01T00:00:15Z"


@pytest.mark.parametrize("index", [-1])
def test_negative_status_index_is_rejected(index: int, credential_data: Any) -> None:
    data: CredentialData = credential_data()
    assert data.status is not None
    with pytest.raises(InvalidCredentialDataError):
        build_credential(replace(data, status=replace(data.status, index=index)))


@pytest.mark.parametrize("identity_type", ["sourcedId", "ltiUserId", "ext:moodle.id"])
def test_external_identity_types_from_the_ob3_enum(identity_type: str) -> None:
    recipient = Recipient("Bo", ExternalIdentity("u-1", identity_type))
    credential = build_credential(make_data(recipient=recipient))
    assert credential["credentialSubject"]["identifier"][0]["identityType"] == identity_type


@pytest.mark.parametrize("identity_type", ["studentNumber", "ext:", "ext:a b", "emailAddress"])
def test_other_identity_types_are_rejected(identity_type: str) -> None:
    recipient = Recipient("Bo", ExternalIdentity("u-1", identity_type))
    with pytest.raises(InvalidCredentialDataError) as info:
        build_credential(make_data(recipient=recipient))
    assert info.value.field == "recipient.identity.identity_type"


def test_one_status_entry_as_an_object() -> None:
    # OB 3.0 allows one credentialStatus ([0..1]) and 1EdTech's schema checks it as an object.
    entry = StatusEntry("https://certs.example.org/status/revocation/1", 7)
    credential = build_credential(make_data(status=entry))
    assert credential["credentialStatus"] == {
        "id": "https://certs.example.org/status/revocation/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://certs.example.org/status/revocation/1",
    }
    _validate(credential | {"proof": []})
    assert "credentialStatus" not in build_credential(make_data(status=None))


def test_two_status_entries_against_the_ob3_schema(
    sign: Callable[..., dict[str, Any]], loader: BundledDocumentLoader
) -> None:
    # What Certmint issued until 2026-12: still a VC 2.0 credential (expanding keeps every
    # term), but not valid against OB 3.0's schema, which refuses the list and only that.
    base = "https://certs.example.org/status"
    signed = sign(with_two_status_entries(build_credential(make_data()), base, 7))
    expand_safe({k: v for k, v in signed.items() if k != "proof"}, loader)
    with pytest.raises(jsonschema.ValidationError) as refused:
        _validate(signed)
    assert list(refused.value.absolute_path) == ["credentialStatus"]
    for entry in signed["credentialStatus"]:
        _validate(signed | {"credentialStatus": entry})
