"""The verifier: ordered checks, 1EdTech vectors, our own credentials, hostile input."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certmint.credentials import (
    CHECK_NAMES,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    BitstringStatusList,
    BitstringStatusListChecker,
    BundledDocumentLoader,
    DidResolver,
    Ed25519KeyPair,
    FastRdfCanonicalizer,
    Limits,
    Outcome,
    ProofOptions,
    StatusListError,
    StatusResult,
    VerificationReport,
    base58btc_encode,
    build_credential,
    canonicalize_rdfc,
    did_document,
    did_key_for,
    hash_data,
    sign_document,
    status_list_credential,
    verify_credential,
)
from certmint.domain.messages import Message
from tests.credentials.conftest import FIXTURES, ISSUER_DID, NOW, make_data, with_two_status_entries
from tests.credentials.poison import poisoned_credential

VECTORS = FIXTURES / "1edtech"
VALID = [
    "simple",
    "complete",
    "endorsement-valid",
    "simple-context-version",
    "simple-multiple-proofs",
]


def _not_revoked(entry: Mapping[str, Any], credential: Mapping[str, Any]) -> StatusResult:
    return StatusResult(
        str(entry.get("statusPurpose", "revocation")), False, Message("test: not set")
    )


def _outcomes(report: VerificationReport) -> dict[str, str]:
    return {check.name: check.outcome.value for check in report.checks}


@pytest.fixture(scope="module")
def fast(
    loader: BundledDocumentLoader, issuer_key: Ed25519KeyPair, verification_method: str
) -> FastRdfCanonicalizer:
    """A canonicalizer that has compiled our credential shapes, as signing leaves it."""
    canonicalizer = FastRdfCanonicalizer(loader)
    for suite in (EDDSA_RDFC_2022, EDDSA_JCS_2022):
        for changes in ({}, {"status": None}):
            options = ProofOptions(verification_method, NOW, suite)
            credential = build_credential(make_data(**changes))
            sign_document(
                credential, issuer_key, options, loader=loader, rdf_canonicalizer=canonicalizer
            )
    assert canonicalizer.fast > 0
    return canonicalizer


@pytest.fixture(params=["full-path", "fast-path"])
def verify(
    request: pytest.FixtureRequest,
    loader: BundledDocumentLoader,
    resolver: DidResolver,
    fast: FastRdfCanonicalizer,
) -> Callable[..., VerificationReport]:
    """Every verifier test runs twice: on pyld alone, and with the fast path's shortcuts."""

    def _verify(document: Any, **kwargs: Any) -> VerificationReport:
        options: dict[str, Any] = {
            "loader": loader,
            "resolve_key": resolver,
            "check_status": _not_revoked,
            "now": NOW,
        }
        if request.param == "fast-path" and "loader" not in kwargs:
            options["rdf_canonicalizer"] = fast
        options.update(kwargs)
        return verify_credential(document, **options)

    return _verify


# 1EdTech's vectors name their keys in URL fragments; trusting that is an explicit choice.
FRAGMENTS = DidResolver(trust_key_fragments=True)


@pytest.mark.parametrize("name", VALID)
def test_valid_1edtech_vectors_verify(name: str, verify: Callable[..., VerificationReport]) -> None:
    report = verify(json.loads((VECTORS / f"{name}.json").read_text()), resolve_key=FRAGMENTS)
    assert report.verified, report.to_dict()
    assert [c.name for c in report.checks] == list(CHECK_NAMES)


def test_expired_1edtech_vector_fails_on_dates(verify: Callable[..., VerificationReport]) -> None:
    report = verify(
        json.loads((VECTORS / "simple-err-expired.json").read_text()), resolve_key=FRAGMENTS
    )
    assert _outcomes(report) == {
        "format": "passed",
        "signature": "passed",
        "issuer_key": "passed",
        "status": "not_applicable",
        "validity": "failed",
    }
    assert "expired" in str(report.check("validity").detail)


def test_bad_proof_value_1edtech_vector_fails_on_signature(
    verify: Callable[..., VerificationReport],
) -> None:
    report = verify(
        json.loads((VECTORS / "simple-err-proof-value.json").read_text()), resolve_key=FRAGMENTS
    )
    assert _outcomes(report)["signature"] == "failed"
    assert _outcomes(report)["issuer_key"] == "skipped"
    assert not report.verified


def test_did_key_vector_signed_by_a_key_the_issuer_does_not_control(
    verify: Callable[..., VerificationReport],
) -> None:
    report = verify(json.loads((VECTORS / "simple-did-key-method.json").read_text()))
    assert _outcomes(report)["signature"] == "passed"
    assert _outcomes(report)["issuer_key"] == "failed"  # issuer is urn:uuid:..., key is did:key


def test_keys_named_in_url_fragments_are_not_trusted_by_default(
    verify: Callable[..., VerificationReport],
) -> None:
    report = verify(json.loads((VECTORS / "simple.json").read_text()), resolve_key=DidResolver())
    assert _outcomes(report)["signature"] == "passed"
    assert _outcomes(report)["issuer_key"] == "failed"
    assert "not trusted" in str(report.check("issuer_key").detail)


def test_a_stranger_cannot_borrow_an_issuer_through_a_url_fragment(
    loader: BundledDocumentLoader, verify: Callable[..., VerificationReport]
) -> None:
    stranger = Ed25519KeyPair.generate()
    issuer = "https://university.example/issuers/1"
    method = f"{issuer}#{stranger.public_key.multibase}"
    credential = build_credential(make_data(status=None)) | {"issuer": issuer}
    signed = sign_document(credential, stranger, ProofOptions(method, NOW), loader=loader)
    assert _outcomes(verify(signed, resolve_key=DidResolver()))["issuer_key"] == "failed"


def test_a_did_document_cannot_lend_its_key_to_another_issuer(
    loader: BundledDocumentLoader, verify: Callable[..., VerificationReport]
) -> None:
    attacker, victim = "did:web:attacker.example", ISSUER_DID
    key = Ed25519KeyPair.generate()
    document = did_document(attacker, [key.public_key])
    document["verificationMethod"][0]["controller"] = victim  # claims the victim controls it
    resolver = DidResolver({attacker: document})
    options = ProofOptions(f"{attacker}#{key.public_key.multibase}", NOW)
    signed = sign_document(build_credential(make_data(status=None)), key, options, loader=loader)
    report = verify(signed, resolve_key=resolver)
    assert not report.verified
    assert "controller" in str(report.check("signature").detail)


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
def test_our_credentials_verify(
    suite: str, sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    report = verify(sign(build_credential(make_data()), suite))
    assert report.verified, report.to_dict()
    assert report.to_dict()["checks"][1]["outcome"] == "passed"


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
@pytest.mark.parametrize(
    "path",
    [
        ("credentialSubject", "name"),
        ("issuer", "name"),
        ("validFrom",),
        ("credentialSubject", "achievement", "name"),
    ],
)
def test_a_one_character_change_breaks_the_signature(
    suite: str,
    path: tuple[str, ...],
    sign: Callable[..., dict[str, Any]],
    verify: Callable[..., VerificationReport],
) -> None:
    tampered = copy.deepcopy(sign(build_credential(make_data()), suite))
    parent = tampered
    for key in path[:-1]:
        parent = parent[key]
    value = parent[path[-1]]
    parent[path[-1]] = value[:-1] + ("1" if value[-1] != "1" else "2")
    report = verify(tampered)
    assert _outcomes(report)["signature"] == "failed"
    assert _outcomes(report)["status"] == "skipped"
    assert not report.verified


CO_SIGNER = Ed25519KeyPair.from_seed(bytes(range(1, 33)))
CO_SIGNER_METHOD = f"{did_key_for(CO_SIGNER.public_key)}#{CO_SIGNER.public_key.multibase}"


def _add_proof(
    loader: BundledDocumentLoader,
    document: dict[str, Any],
    key: Ed25519KeyPair,
    method: str,
    **extra: Any,
) -> dict[str, Any]:
    """``document`` with one more proof, whose configuration also holds ``extra`` (an ``id``,
    a ``previousProof``). A chained proof signs the document together with the proofs that
    its ``previousProof`` names (VC Data Integrity § 4.6), computed here independently."""
    config = ProofOptions(method, NOW).configuration(document["@context"]) | extra
    previous = extra.get("previousProof", [])
    names = [previous] if isinstance(previous, str) else previous
    proofs = document.get("proof", [])
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    named = [p for p in proofs if p.get("id") in names]
    data = hash_data(unsecured | ({"proof": named} if named else {}), config, loader=loader)
    proof = {k: v for k, v in config.items() if k != "@context"}
    proof["proofValue"] = "z" + base58btc_encode(key.sign(data))
    return document | {"proof": [*proofs, proof]}


@pytest.fixture
def first_proof(
    loader: BundledDocumentLoader, issuer_key: Ed25519KeyPair, verification_method: str
) -> dict[str, Any]:
    """Our credential with the issuer's proof, named ``urn:uuid:first``."""
    credential = build_credential(make_data())
    return _add_proof(loader, credential, issuer_key, verification_method, id="urn:uuid:first")


@pytest.mark.parametrize("corrupted", [0, 1])
def test_every_proof_of_a_proof_set_must_verify(
    corrupted: int,
    loader: BundledDocumentLoader,
    first_proof: dict[str, Any],
    verify: Callable[..., VerificationReport],
) -> None:
    both = _add_proof(loader, first_proof, CO_SIGNER, CO_SIGNER_METHOD)
    report = verify(both)
    assert report.verified, report.to_dict()
    assert "all 2 proofs verify" in str(report.check("signature").detail)
    tampered = copy.deepcopy(both)
    value = tampered["proof"][corrupted]["proofValue"]
    tampered["proof"][corrupted]["proofValue"] = value[:-1] + ("1" if value[-1] != "1" else "2")
    report = verify(tampered)
    assert _outcomes(report)["signature"] == "failed", report.to_dict()
    assert not report.verified


def test_the_issuer_s_own_proof_is_required_in_a_proof_set(
    loader: BundledDocumentLoader, verify: Callable[..., VerificationReport]
) -> None:
    report = verify(_add_proof(loader, build_credential(make_data()), CO_SIGNER, CO_SIGNER_METHOD))
    assert _outcomes(report)["signature"] == "passed"
    assert _outcomes(report)["issuer_key"] == "failed"


@pytest.mark.parametrize("previous", ["urn:uuid:first", ["urn:uuid:first"]])
def test_a_proof_chain_verifies_with_previous_proof_as_string_or_list(
    previous: Any,
    loader: BundledDocumentLoader,
    first_proof: dict[str, Any],
    verify: Callable[..., VerificationReport],
) -> None:
    chained = _add_proof(loader, first_proof, CO_SIGNER, CO_SIGNER_METHOD, previousProof=previous)
    report = verify(chained)
    assert report.verified, report.to_dict()
    # the chained proof signed the first proof too: without it in what was signed, it fails
    unchained = copy.deepcopy(chained)
    del unchained["proof"][1]["previousProof"]
    assert not verify(unchained).verified


@pytest.mark.parametrize(
    ("previous", "reason"),
    [
        ("urn:uuid:missing", "names no proof here"),
        (["urn:uuid:first", "urn:uuid:missing"], "names no proof here"),
        (42, "must be a string or a list of strings"),
    ],
)
def test_a_previous_proof_that_is_missing_or_malformed_fails(
    previous: Any,
    reason: str,
    loader: BundledDocumentLoader,
    first_proof: dict[str, Any],
    verify: Callable[..., VerificationReport],
) -> None:
    broken = _add_proof(loader, first_proof, CO_SIGNER, CO_SIGNER_METHOD)
    broken["proof"][1]["previousProof"] = previous
    report = verify(broken)
    assert _outcomes(report)["signature"] == "failed"
    assert reason in str(report.check("signature").detail)


def test_allowed_cryptosuites_is_enforced(
    sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    report = verify(
        sign(build_credential(make_data()), EDDSA_JCS_2022), allowed_cryptosuites=[EDDSA_RDFC_2022]
    )
    assert _outcomes(report)["signature"] == "failed"
    assert "allowed" in str(report.check("signature").detail)


def test_old_keys_keep_verifying_after_rotation(
    loader: BundledDocumentLoader, verify: Callable[..., VerificationReport]
) -> None:
    old, new = Ed25519KeyPair.generate(), Ed25519KeyPair.generate()
    options = ProofOptions(f"{ISSUER_DID}#{old.public_key.multibase}", NOW)
    signed = sign_document(build_credential(make_data()), old, options, loader=loader)
    rotated = DidResolver({ISSUER_DID: did_document(ISSUER_DID, [old.public_key, new.public_key])})
    assert verify(signed, resolve_key=rotated).verified
    only_new = DidResolver({ISSUER_DID: did_document(ISSUER_DID, [new.public_key])})
    assert _outcomes(verify(signed, resolve_key=only_new))["signature"] == "failed"


def test_a_key_of_someone_else_fails_the_issuer_check(
    loader: BundledDocumentLoader, verify: Callable[..., VerificationReport]
) -> None:
    stranger = Ed25519KeyPair.generate()
    did = did_key_for(stranger.public_key)
    options = ProofOptions(f"{did}#{stranger.public_key.multibase}", NOW)
    signed = sign_document(build_credential(make_data()), stranger, options, loader=loader)
    report = verify(signed)
    assert _outcomes(report)["signature"] == "passed"
    assert _outcomes(report)["issuer_key"] == "failed"


def test_wrong_proof_purpose_fails_the_issuer_check(
    loader: BundledDocumentLoader,
    issuer_key: Ed25519KeyPair,
    verification_method: str,
    verify: Callable[..., VerificationReport],
) -> None:
    options = ProofOptions(verification_method, NOW, proof_purpose="authentication")
    signed = sign_document(build_credential(make_data()), issuer_key, options, loader=loader)
    assert _outcomes(verify(signed))["issuer_key"] == "failed"


def test_unresolvable_issuer_fails_the_signature(
    sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    report = verify(sign(build_credential(make_data())), resolve_key=DidResolver())
    assert _outcomes(report)["signature"] == "failed"
    assert "offline" in str(report.check("signature").detail)


def test_missing_status_checker_is_a_programming_error(
    signed_credential: dict[str, Any], verify: Callable[..., VerificationReport]
) -> None:
    with pytest.raises(TypeError, match="check_status"):
        verify(signed_credential, check_status=None)


def test_no_status_is_not_applicable(
    sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    report = verify(sign(build_credential(make_data(status=None))), check_status=None)
    assert _outcomes(report)["status"] == "not_applicable"
    assert report.verified


def test_revocation_seen_through_a_signed_status_list(
    loader: BundledDocumentLoader,
    resolver: DidResolver,
    sign: Callable[..., dict[str, Any]],
    verify: Callable[..., VerificationReport],
) -> None:
    credential = sign(build_credential(make_data()))
    index = int(credential["credentialStatus"]["statusListIndex"])
    bits = BitstringStatusList()
    lists: dict[str, dict[str, Any]] = {}

    def publish() -> None:
        url = "https://certs.example.org/status/1"
        unsigned = status_list_credential(
            list_url=url, issuer=ISSUER_DID, purpose="revocation", status_list=bits, valid_from=NOW
        )
        lists[url] = sign(unsigned)

    def verify_list(document: Mapping[str, Any]) -> bool:
        return verify_credential(
            document, loader=loader, resolve_key=resolver, check_status=None, now=NOW
        ).verified

    checker = BitstringStatusListChecker(lists.__getitem__, verify_list)
    publish()
    assert verify(credential, check_status=checker).verified
    bits.set(index)  # revoke
    publish()
    report = verify(credential, check_status=checker)
    assert _outcomes(report)["status"] == "failed"
    assert "revocation" in str(report.check("status").detail)
    lists["https://certs.example.org/status/1"]["credentialSubject"]["encodedList"] = (
        BitstringStatusList().encode()
    )
    report = verify(credential, check_status=checker)  # an un-revoking forgery does not verify
    assert _outcomes(report)["status"] == "failed"
    assert "does not verify" in str(report.check("status").detail)


def test_every_status_entry_is_checked(
    loader: BundledDocumentLoader,
    resolver: DidResolver,
    sign: Callable[..., dict[str, Any]],
    verify: Callable[..., VerificationReport],
) -> None:
    # What Certmint issued until 2026-12: one index, in a paired revocation and suspension list
    # (VC 2.0 allows a list of entries): every entry is checked.
    base = "https://certs.example.org/status"
    credential = sign(with_two_status_entries(build_credential(make_data()), base, 99))
    bits = {purpose: BitstringStatusList() for purpose in ("revocation", "suspension")}

    def fetch(url: str) -> dict[str, Any]:
        purpose = url.split("/")[-2]
        return sign(
            status_list_credential(
                list_url=url,
                issuer=ISSUER_DID,
                purpose=purpose,
                status_list=bits[purpose],
                valid_from=NOW,
            )
        )

    def verify_list(document: Mapping[str, Any]) -> bool:
        return verify_credential(
            document, loader=loader, resolve_key=resolver, check_status=None, now=NOW
        ).verified

    checker = BitstringStatusListChecker(fetch, verify_list)
    report = verify(credential, check_status=checker)
    assert report.verified, report.to_dict()
    # Not valid against OB 3.0's schema as published (it allows one entry), and said so.
    assert str(report.check("format").detail) == (
        "VC 2.0 credential; not valid against the OB 3.0 JSON schema as published, which does"
        " not allow the form VC 2.0 allows of credentialStatus"
    )
    assert "revocation" in str(report.check("status").detail)
    assert "suspension" in str(report.check("status").detail)
    bits["suspension"].set(99)  # suspended
    report = verify(credential, check_status=checker)
    assert report.check("status").outcome is Outcome.FAILED
    assert str(report.check("status").detail).startswith("suspension:")
    bits["revocation"].set(99)  # and revoked: both are reported
    detail = str(verify(credential, check_status=checker).check("status").detail)
    assert "revocation:" in detail and "suspension:" in detail
    bits["suspension"].set(99, False)
    bits["revocation"].set(99, False)
    assert verify(credential, check_status=checker).verified  # reinstated
    wrong_list = credential["credentialStatus"][1] | {
        "statusListCredential": f"{base}/revocation/1"
    }
    with pytest.raises(StatusListError, match="purpose"):  # lists are not interchangeable
        checker(wrong_list, credential)
    broken = copy.deepcopy(credential)
    broken["credentialStatus"][1] = {"id": 5}
    assert verify(broken, check_status=checker).check("format").outcome is Outcome.FAILED


@pytest.mark.parametrize(
    ("changes", "outcome", "detail"),
    [
        ({"validFrom": "2027-01-01T00:00:00Z"}, "failed", "not yet valid: valid from 2027-01-01"),
        ({"validUntil": "2026-06-01T12:00:00Z"}, "failed", "expired"),
        ({"validUntil": "2026-06-01T12:00:01Z"}, "passed", "valid until"),
        ({"validFrom": "yesterday"}, "failed", "date-time"),
        ({"validFrom": "2026-01-01T00:00:00"}, "failed", "time zone"),
    ],
)
def test_validity_dates(
    changes: dict[str, str],
    outcome: str,
    detail: str,
    sign: Callable[..., dict[str, Any]],
    verify: Callable[..., VerificationReport],
) -> None:
    credential = build_credential(make_data()) | changes
    report = verify(sign(credential))
    assert report.check("validity").outcome.value == outcome
    assert detail in str(report.check("validity").detail)
    assert report.not_yet_valid is detail.startswith("not yet valid")  # its own verdict


def test_vc_1_1_credentials_from_other_issuers(
    sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    credential = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": "urn:uuid:1f0e2d3c-4b5a-4968-8776-655443322110",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER_DID,
        "issuanceDate": "2020-01-01T00:00:00Z",
        "expirationDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:holder"},
    }
    report = verify(sign(credential))
    assert _outcomes(report) == {
        "format": "passed",
        "signature": "passed",
        "issuer_key": "passed",
        "status": "not_applicable",
        "validity": "failed",
    }
    assert "VC 1.1" in str(report.check("format").detail)
    assert "expired at 2026-01-01" in str(report.check("validity").detail)


@pytest.mark.parametrize(
    ("mutate", "detail"),
    [
        (lambda d: d.pop("credentialSubject"), "credentialSubject"),
        (lambda d: d.update(type=["OpenBadgeCredential"]), "VerifiableCredential"),
        (lambda d: d.update({"@context": ["https://example.org/unknown"]}), "@context"),
        (lambda d: d["@context"].append("https://example.org/unknown"), "not bundled"),
        (lambda d: d["credentialSubject"].pop("achievement"), "schema"),
        (lambda d: d.update(issuer=7), "issuer"),
        (lambda d: d["credentialSubject"]["achievement"].update(nickname="x"), "not defined"),
        (lambda d: d.update(type=["VerifiableCredential", {"@index": 3}]), "list of strings"),
        (lambda d: d["credentialSubject"].update({"@reverse": 5}), '"@reverse" value must be'),
    ],
    ids=[
        "no-subject",
        "no-vc-type",
        "foreign-context",
        "unknown-context",
        "schema",
        "issuer",
        "undefined-term",
        "type-object",
        "bad-reverse",
    ],
)
def test_format_failures_skip_every_other_step(
    mutate: Callable[[dict[str, Any]], Any],
    detail: str,
    sign: Callable[..., dict[str, Any]],
    verify: Callable[..., VerificationReport],
) -> None:
    credential = sign(build_credential(make_data()))
    mutate(credential)
    report = verify(credential)
    assert report.check("format").outcome is Outcome.FAILED
    assert detail in str(report.check("format").detail)
    assert [c.outcome for c in report.checks[1:]] == [Outcome.SKIPPED] * 4


def test_no_proof(verify: Callable[..., VerificationReport]) -> None:
    report = verify(build_credential(make_data(status=None)))
    assert _outcomes(report)["signature"] == "failed"
    assert "no proof" in str(report.check("signature").detail)


@pytest.mark.parametrize(
    "document",
    [
        b"\xff\xfe",
        "not json",
        "[1, 2]",
        "null",
        json.dumps({"a": "x" * 2_000_000}),
        "[" * 100_000 + "]" * 100_000,
        {"nested": json.loads("[" * 200 + "]" * 200)},
    ],
    ids=["bytes", "text", "array", "null", "too-large", "too-deep-text", "too-deep-object"],
)
def test_unparseable_or_oversized_input_fails_format(
    document: Any, verify: Callable[..., VerificationReport]
) -> None:
    report = verify(document)
    assert report.check("format").outcome is Outcome.FAILED
    assert not report.verified


def test_a_poisoned_graph_cannot_hang_the_verifier(
    loader: BundledDocumentLoader,
    issuer_key: Ed25519KeyPair,
    verification_method: str,
    verify: Callable[..., VerificationReport],
) -> None:
    signed = poisoned_credential(ISSUER_DID, verification_method, NOW)
    started = time.thread_time()  # the budget's own clock: wall time stretches on a busy machine
    report = verify(signed, limits=Limits(time_budget_s=1.0))
    assert time.thread_time() - started < 5
    assert _outcomes(report)["format"] == "passed", str(report.check("format").detail)
    assert _outcomes(report)["signature"] == "failed"
    assert "exceeds the limit" in str(report.check("signature").detail)


def test_expansion_has_a_time_budget(
    sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    # Every OB3 node type carries a scoped context that pyld processes per node: a credential
    # with thousands of typed nodes costs seconds to expand unless the budget stops it.
    credential = sign(build_credential(make_data(status=None)))
    credential["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": str(i)} for i in range(400)
    ]
    started = time.thread_time()
    report = verify(credential, limits=Limits(time_budget_s=0.05))
    assert time.thread_time() - started < 1
    assert report.check("format").outcome is Outcome.FAILED
    assert "expansion seconds" in str(report.check("format").detail)


def test_too_many_blank_nodes_are_refused(
    sign: Callable[..., dict[str, Any]], verify: Callable[..., VerificationReport]
) -> None:
    credential = build_credential(make_data(status=None))
    credential["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": str(i)} for i in range(50)
    ]
    # a time budget that load cannot exhaust: this test is about the blank nodes' count
    report = verify(sign(credential), limits=Limits(max_blank_nodes=20, time_budget_s=60))
    assert _outcomes(report)["signature"] == "failed"
    assert "blank nodes" in str(report.check("signature").detail)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@context",
                    "type",
                    "id",
                    "issuer",
                    "proof",
                    "credentialSubject",
                    "validFrom",
                    "@id",
                    "@type",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    junk=JSON,
    key=st.sampled_from(
        ["issuer", "credentialSubject", "proof", "validFrom", "type", "@context", "validUntil"]
    ),
)
def test_hostile_values_never_raise(
    junk: Any,
    key: str,
    verify: Callable[..., VerificationReport],
    signed_credential: dict[str, Any],
) -> None:
    document = copy.deepcopy(signed_credential) | {key: junk}
    document.pop("credentialStatus")
    report = verify(document)
    assert [c.name for c in report.checks] == list(CHECK_NAMES)
    assert isinstance(verify(junk, check_status=_not_revoked), VerificationReport)


def test_report_to_dict_and_verified(
    signed_credential: dict[str, Any], verify: Callable[..., VerificationReport]
) -> None:
    report = verify(signed_credential)
    data = report.to_dict()
    assert data["verified"] is True
    assert [c["name"] for c in data["checks"]] == list(CHECK_NAMES)
    assert json.loads(json.dumps(data)) == data
    with pytest.raises(KeyError):
        report.check("nope")


def test_dates_compare_with_the_given_now(
    signed_credential: dict[str, Any], verify: Callable[..., VerificationReport]
) -> None:
    assert not verify(signed_credential, now=datetime(2040, 1, 1, tzinfo=UTC)).verified


_KEYWORD_VALUES = st.sampled_from(
    [
        None,
        True,
        0,
        -1,
        1.5,
        "",
        "@id",
        "_:b0",
        "relative",
        "urn:x",
        {},
        [],
        [[]],
        {"@id": 5},
        {"@value": {"a": 1}},
        {"@list": [1, {"@id": "_:x"}]},
        {"@context": {"@vocab": 5}},
        {"@context": {"x": {"@id": "@type"}}},
        {"@context": None},
        {"@graph": [{"@id": "_:a"}]},
        {"@reverse": {"x": "y"}},
        {"@set": [1]},
        {"@language": "xx", "@value": "v"},
        {"@type": "@json", "@value": {}},
        "\x00",
        {"@context": {"@protected": True, "name": None}},
        {"@included": [{}]},
        {"@nest": {}},
        {"@index": 3},
        {"@direction": "ltr", "@value": "x"},
        {"@context": "https://www.w3.org/ns/did/v1"},
    ]
)
_KEYWORD_KEYS = st.sampled_from(
    [
        "@context",
        "@id",
        "@type",
        "id",
        "type",
        "name",
        "@graph",
        "@reverse",
        "@included",
        "@nest",
        "proofValue",
        "verificationMethod",
        "cryptosuite",
        "@vocab",
        "@base",
        "@version",
    ]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), suite=st.sampled_from([EDDSA_RDFC_2022, EDDSA_JCS_2022]))
def test_mutated_credentials_never_raise(
    data: st.DataObject,
    suite: str,
    sign: Callable[..., dict[str, Any]],
    verify: Callable[..., VerificationReport],
    loader: BundledDocumentLoader,
) -> None:
    original = sign(build_credential(make_data()), suite)
    document = copy.deepcopy(original)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(document)[1:]))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        target = parent[path[-1]]
        value = copy.deepcopy(data.draw(_KEYWORD_VALUES))
        if isinstance(target, dict) and data.draw(st.booleans()):
            target[data.draw(_KEYWORD_KEYS)] = value
        else:
            parent[path[-1]] = value
    report = verify(document)
    assert [c.name for c in report.checks] == list(CHECK_NAMES)
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    before = {k: v for k, v in original.items() if k != "proof"}
    # a "mutation" may write the value already there (``hashed`` set to true again)
    if report.verified and json.dumps(unsecured, sort_keys=True) != json.dumps(
        before, sort_keys=True
    ):
        # Only a change that leaves the signed meaning intact may still verify: for rdfc the
        # same RDF (e.g. a term set to null, which JSON-LD drops); for jcs nothing at all.
        assert suite == EDDSA_RDFC_2022
        assert canonicalize_rdfc(unsecured, loader) == canonicalize_rdfc(before, loader)


def test_concurrent_verification_shares_one_loader(
    signed_credential: dict[str, Any], verify: Callable[..., VerificationReport]
) -> None:
    # pyld's context caches are not thread-safe; the library serialises its use of pyld.
    tampered = copy.deepcopy(signed_credential)
    tampered["credentialSubject"]["name"] = "Someone Else"
    cold = BundledDocumentLoader()  # empty caches: the threads fill them at the same time

    def check(document: dict[str, Any]) -> VerificationReport:
        return verify(document, loader=cold)

    with ThreadPoolExecutor(max_workers=4) as pool:
        reports = list(pool.map(check, [signed_credential, tampered] * 8))
    assert [r.verified for r in reports] == [True, False] * 8


def test_naive_now_is_a_programming_error(
    signed_credential: dict[str, Any], verify: Callable[..., VerificationReport]
) -> None:
    with pytest.raises(TypeError, match="timezone"):
        verify(signed_credential, now=datetime(2026, 1, 1))


def test_unhashable_cryptosuite_with_a_set_of_allowed_suites(
    signed_credential: dict[str, Any], verify: Callable[..., VerificationReport]
) -> None:
    document = copy.deepcopy(signed_credential)
    document["proof"][0]["cryptosuite"] = {"not": "a string"}
    document["type"] = ["VerifiableCredential"]  # not OB3: the schema would catch it first
    report = verify(document, allowed_cryptosuites=frozenset({EDDSA_RDFC_2022}))
    assert report.check("format").outcome is Outcome.PASSED
    assert report.check("signature").outcome is Outcome.FAILED


def test_fast_path_must_share_the_verifiers_loader(
    signed_credential: dict[str, Any], resolver: DidResolver, loader: BundledDocumentLoader
) -> None:
    other = FastRdfCanonicalizer(BundledDocumentLoader())
    with pytest.raises(TypeError, match="loader"):
        verify_credential(
            signed_credential,
            loader=loader,
            resolve_key=resolver,
            check_status=_not_revoked,
            now=NOW,
            rdf_canonicalizer=other,
        )


def test_fast_path_verification_is_cheaper(
    signed_credential: dict[str, Any], resolver: DidResolver, loader: BundledDocumentLoader
) -> None:
    fast = FastRdfCanonicalizer(loader)
    options: dict[str, Any] = {
        "loader": loader,
        "resolve_key": resolver,
        "check_status": _not_revoked,
        "now": NOW,
    }
    unsecured = {k: v for k, v in signed_credential.items() if k != "proof"}
    proof_config = {k: v for k, v in signed_credential["proof"][0].items() if k != "proofValue"}
    assert not fast.covers(unsecured)
    verify_credential(signed_credential, **options, rdf_canonicalizer=fast)
    assert not fast.covers(unsecured)  # verification never compiles a shape
    assert fast.prepare(unsecured)
    assert fast.prepare(proof_config | {"@context": unsecured["@context"]})
    assert fast.covers(unsecured)
    # This thread's CPU time: the process's also counts whatever other threads of the test
    # session are doing (a deliveries thread, a scheduler), which is not the path measured.
    started = time.thread_time()
    for _ in range(5):
        assert verify_credential(signed_credential, **options).verified
    full = time.thread_time() - started
    before = fast.fast
    started = time.thread_time()
    for _ in range(5):
        assert verify_credential(signed_credential, **options, rdf_canonicalizer=fast).verified
    assert time.thread_time() - started < full / 3
    assert fast.fast == before + 10  # document and proof configuration, five times
