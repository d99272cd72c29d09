"""The W3C vc-di-eddsa test vectors, reproduced byte for byte, and proof negative cases."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from certmint.credentials import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    BundledDocumentLoader,
    Ed25519KeyPair,
    Ed25519PublicKey,
    ProofError,
    ProofOptions,
    UnsupportedCryptosuiteError,
    canonicalize_jcs,
    canonicalize_rdfc,
    hash_data,
    sign_document,
    verify_proof,
)

VECTORS = json.loads((Path(__file__).parent / "fixtures" / "vc_di_eddsa.json").read_text())
CASES = VECTORS["cases"]


@pytest.fixture(scope="module")
def loader() -> BundledDocumentLoader:
    example = VECTORS["examplesContext"]
    return BundledDocumentLoader({example["url"]: example["document"]})


@pytest.fixture(scope="module")
def key() -> Ed25519KeyPair:
    return Ed25519KeyPair.from_secret_multibase(VECTORS["keyPair"]["secretKeyMultibase"])


def _options(case: dict[str, Any]) -> ProofOptions:
    return ProofOptions(
        verification_method=case["verificationMethod"],
        created=datetime.fromisoformat(VECTORS["created"]),
        cryptosuite=case["cryptosuite"],
    )


def test_key_pair_matches_vector(key: Ed25519KeyPair) -> None:
    assert key.public_key.multibase == VECTORS["keyPair"]["publicKeyMultibase"]
    assert key.secret_multibase() == VECTORS["keyPair"]["secretKeyMultibase"]


def test_canonical_documents_match_vectors(loader: BundledDocumentLoader) -> None:
    unsigned = VECTORS["unsigned"]
    rdfc = canonicalize_rdfc(unsigned, loader)
    assert rdfc == VECTORS["canonicalDocumentRdfc"]
    assert hashlib.sha256(rdfc.encode()).hexdigest() == VECTORS["documentHashRdfc"]
    jcs = canonicalize_jcs(unsigned)
    assert jcs == VECTORS["canonicalDocumentJcs"].encode()
    assert hashlib.sha256(jcs).hexdigest() == VECTORS["documentHashJcs"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_proof_config_and_hash_match_vectors(
    case: dict[str, Any], loader: BundledDocumentLoader
) -> None:
    unsigned = VECTORS["unsigned"]
    config = _options(case).configuration(unsigned["@context"])
    if case["cryptosuite"] == EDDSA_RDFC_2022:
        assert canonicalize_rdfc(config, loader) == case["canonicalProofConfig"]
    else:
        assert canonicalize_jcs(config) == case["canonicalProofConfig"].encode()
    assert hash_data(unsigned, config, loader=loader).hex() == case["combinedHash"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_signature_matches_vector_and_verifies(
    case: dict[str, Any], loader: BundledDocumentLoader, key: Ed25519KeyPair
) -> None:
    signed = sign_document(VECTORS["unsigned"], key, _options(case), loader=loader)
    (proof,) = signed["proof"]
    assert proof["proofValue"] == case["proofValue"]
    assert ("@context" in proof) == (case["cryptosuite"] == EDDSA_JCS_2022)
    assert verify_proof(signed, proof, key.public_key, loader=loader)


@pytest.mark.parametrize("suite", [EDDSA_RDFC_2022, EDDSA_JCS_2022])
def test_changed_field_fails(
    suite: str, loader: BundledDocumentLoader, key: Ed25519KeyPair
) -> None:
    options = ProofOptions("did:key:x#y", datetime(2024, 1, 1, tzinfo=UTC), suite)
    signed = sign_document(VECTORS["unsigned"], key, options, loader=loader)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "The School of Exampled"
    assert not verify_proof(tampered, tampered["proof"][0], key.public_key, loader=loader)
    other = Ed25519KeyPair.generate().public_key
    assert not verify_proof(signed, signed["proof"][0], other, loader=loader)


def test_rdfc_ignores_json_key_order_but_jcs_does_not_care_either(
    loader: BundledDocumentLoader, key: Ed25519KeyPair
) -> None:
    reordered = dict(reversed(list(VECTORS["unsigned"].items())))
    for case in CASES:
        signed = sign_document(reordered, key, _options(case), loader=loader)
        assert signed["proof"][0]["proofValue"] == case["proofValue"]


def test_signing_appends_to_an_existing_proof_set(
    loader: BundledDocumentLoader, key: Ed25519KeyPair
) -> None:
    once = sign_document(VECTORS["unsigned"], key, _options(CASES[0]), loader=loader)
    twice = sign_document(once, key, _options(CASES[2]), loader=loader)
    assert [p["cryptosuite"] for p in twice["proof"]] == [EDDSA_RDFC_2022, EDDSA_JCS_2022]
    for proof in twice["proof"]:
        assert verify_proof(twice, proof, key.public_key, loader=loader)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"type": "Ed25519Signature2020"}, ProofError),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, UnsupportedCryptosuiteError),
        ({"proofValue": "uAAAA"}, ProofError),
        ({"proofValue": "z0OIl"}, ProofError),
        ({"proofValue": "z2"}, ProofError),
    ],
    ids=["wrong-type", "unknown-suite", "not-base58", "bad-alphabet", "short-signature"],
)
def test_malformed_proofs_raise(
    change: dict[str, str], error: type[Exception], loader: BundledDocumentLoader
) -> None:
    document = json.loads(json.dumps(VECTORS["unsigned"]))
    proof = {"type": "DataIntegrityProof", "cryptosuite": EDDSA_RDFC_2022, **change}
    proof.setdefault("proofValue", CASES[0]["proofValue"])
    public = Ed25519PublicKey.from_multibase(VECTORS["keyPair"]["publicKeyMultibase"])
    with pytest.raises(error):
        verify_proof(document, proof, public, loader=loader)


def test_unknown_suite_cannot_sign(loader: BundledDocumentLoader, key: Ed25519KeyPair) -> None:
    options = ProofOptions("did:key:x#y", datetime(2024, 1, 1, tzinfo=UTC), "rsa-2000")
    with pytest.raises(UnsupportedCryptosuiteError) as info:
        sign_document(VECTORS["unsigned"], key, options, loader=loader)
    assert info.value.cryptosuite == "rsa-2000"


def test_jcs_context_must_prefix_document_context(
    loader: BundledDocumentLoader, key: Ed25519KeyPair
) -> None:
    signed = sign_document(VECTORS["unsigned"], key, _options(CASES[2]), loader=loader)
    signed["@context"] = list(reversed(signed["@context"]))
    assert not verify_proof(signed, signed["proof"][0], key.public_key, loader=loader)


def test_jcs_allows_contexts_appended_after_signing(
    loader: BundledDocumentLoader, key: Ed25519KeyPair
) -> None:
    # vc-di-eddsa § 3.3.2 steps 4.1-4.2: the signed @context is the proof's, a prefix of the
    # document's (a later proof in a chain may need more terms).
    signed = sign_document(VECTORS["unsigned"], key, _options(CASES[2]), loader=loader)
    signed["@context"] = [*signed["@context"], "https://w3id.org/security/data-integrity/v2"]
    assert verify_proof(signed, signed["proof"][0], key.public_key, loader=loader)
    signed["@context"] = signed["@context"][:1]
    assert not verify_proof(signed, signed["proof"][0], key.public_key, loader=loader)
