"""Data Integrity proofs with the EdDSA cryptosuites ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022``.

Spec: https://www.w3.org/TR/vc-di-eddsa/ (sections 3.2 eddsa-rdfc-2022 and 3.3 eddsa-jcs-2022)
on top of https://www.w3.org/TR/vc-data-integrity/#add-proof. For both suites the signed bytes
are ``SHA-256(canonical proof configuration) || SHA-256(canonical unsecured document)``; the
suites differ only in the canonicalization (RDFC-1.0 over the JSON-LD meaning, or JCS over the
JSON text). The signature is encoded as base58btc multibase in ``proofValue``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from certmint.credentials._canon import (
    DEFAULT_LIMITS,
    Limits,
    canonicalize_jcs,
    canonicalize_rdfc,
)
from certmint.credentials._keys import Ed25519KeyPair, Ed25519PublicKey, base58btc_decode
from certmint.credentials._keys import base58btc_encode as _b58
from certmint.credentials._loader import BundledDocumentLoader
from certmint.credentials.errors import (
    CredentialError,
    InvalidCredentialDataError,
    ProofError,
    UnsupportedCryptosuiteError,
)

__all__ = [
    "CRYPTOSUITES",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "ProofOptions",
    "format_datetime",
    "hash_data",
    "proofs_of",
    "sign_document",
    "verify_proof",
]

EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
CRYPTOSUITES = (EDDSA_RDFC_2022, EDDSA_JCS_2022)

#: Canonicalizes an RDF document to N-Quads; the fast path plugs in here (see ``_fastpath``).
RdfCanonicalizer = Callable[[Mapping[str, Any]], str]


@functools.lru_cache(maxsize=256)
def format_datetime(moment: datetime) -> str:
    """Format an aware datetime as XML Schema ``dateTimeStamp`` in UTC, to the second.

    Cached: a bulk issuance formats the same few moments (issue date, proof time) thousands of
    times, and ``strftime`` costs a few per cent of signing."""
    if moment.tzinfo is None:
        raise InvalidCredentialDataError("datetime", "must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class ProofOptions:
    """The explicit inputs of a proof: which key, which suite, when, for what purpose.

    https://www.w3.org/TR/vc-data-integrity/#proofs
    """

    verification_method: str
    created: datetime
    cryptosuite: str = EDDSA_RDFC_2022
    proof_purpose: str = "assertionMethod"

    def configuration(self, context: Any) -> dict[str, Any]:
        """Return the proof configuration (the proof without ``proofValue``)."""
        if self.cryptosuite not in CRYPTOSUITES:
            raise UnsupportedCryptosuiteError(self.cryptosuite)
        config: dict[str, Any] = {
            "type": "DataIntegrityProof",
            "cryptosuite": self.cryptosuite,
            "created": format_datetime(self.created),
            "verificationMethod": self.verification_method,
            "proofPurpose": self.proof_purpose,
        }
        if context is not None:
            config["@context"] = context
        return config


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "proof"}


def hash_data(
    unsecured: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    loader: BundledDocumentLoader,
    limits: Limits = DEFAULT_LIMITS,
    rdf_canonicalizer: RdfCanonicalizer | None = None,
) -> bytes:
    """Return the 64 bytes an EdDSA Data Integrity proof signs (vc-di-eddsa § 3.2.4 / 3.3.4)."""
    suite = proof_config.get("cryptosuite")
    if suite == EDDSA_RDFC_2022:
        canon = rdf_canonicalizer or (lambda doc: canonicalize_rdfc(doc, loader, limits))
        config_bytes = canon(proof_config).encode()
        document_bytes = canon(unsecured).encode()
    elif suite == EDDSA_JCS_2022:
        config_bytes = canonicalize_jcs(proof_config)
        document_bytes = canonicalize_jcs(unsecured)
    else:
        raise UnsupportedCryptosuiteError(str(suite))
    return hashlib.sha256(config_bytes).digest() + hashlib.sha256(document_bytes).digest()


def sign_document(
    document: Mapping[str, Any],
    key: Ed25519KeyPair,
    options: ProofOptions,
    *,
    loader: BundledDocumentLoader,
    rdf_canonicalizer: RdfCanonicalizer | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with a ``DataIntegrityProof`` appended to its ``proof`` array.

    An existing proof (or proof set) is kept, making a proof set
    (https://www.w3.org/TR/vc-data-integrity/#proof-sets). ``rdf_canonicalizer`` replaces the full
    pyld path for rdfc; it must produce identical N-Quads.
    """
    unsecured = _unsecured(document)
    context = unsecured.get("@context")
    config = options.configuration(context)
    data = hash_data(unsecured, config, loader=loader, rdf_canonicalizer=rdf_canonicalizer)
    proof = dict(config)
    if options.cryptosuite == EDDSA_RDFC_2022:
        # vc-di-eddsa § 3.2.1: the @context is only borrowed for canonicalization.
        proof.pop("@context", None)
    proof["proofValue"] = "z" + _b58(key.sign(data))
    secured = dict(unsecured)
    secured["proof"] = [*proofs_of(document), proof]
    return secured


def proofs_of(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the document's proofs as a list (``proof`` may be one object or an array)."""
    proof = document.get("proof")
    if proof is None:
        return []
    items = proof if isinstance(proof, list) else [proof]
    return [item for item in items if isinstance(item, dict)]


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: Ed25519PublicKey,
    *,
    loader: BundledDocumentLoader,
    limits: Limits = DEFAULT_LIMITS,
    rdf_canonicalizer: RdfCanonicalizer | None = None,
    chained: Sequence[Mapping[str, Any]] = (),
) -> bool:
    """Return whether ``proof`` (one of ``document``'s proofs) is signed by ``public_key``.

    ``chained`` are the proofs that ``proof.previousProof`` names: a proof in a chain signs
    the document together with them, as its ``proof`` (VC Data Integrity § 4.6, "verify proof
    sets and chains"); the caller finds them, and refuses a name that matches no proof.

    Raises ``ProofError`` when the proof is malformed or its suite unknown, and lets
    ``CanonicalizationError`` through when the document cannot be canonicalized within ``limits``.
    ``rdf_canonicalizer`` replaces the full pyld path for rdfc, as in :func:`sign_document`.
    """
    if proof.get("type") != "DataIntegrityProof":
        raise ProofError(f"proof type {proof.get('type')!r} is not DataIntegrityProof")
    suite = proof.get("cryptosuite")
    if suite not in CRYPTOSUITES:
        raise UnsupportedCryptosuiteError(str(suite))
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("proofValue must be a base58btc multibase string")
    try:
        signature = base58btc_decode(value[1:])
    except CredentialError as exc:
        raise ProofError(f"proofValue is not base58btc: {exc}") from exc
    if len(signature) != 64:
        raise ProofError("proofValue is not a 64-byte Ed25519 signature")
    unsecured = _unsecured(document)
    if chained:
        unsecured["proof"] = [dict(item) for item in chained]
    config = {key: val for key, val in proof.items() if key != "proofValue"}
    if suite == EDDSA_RDFC_2022:
        config["@context"] = unsecured.get("@context")
    elif "@context" in config:
        # vc-di-eddsa § 3.3.2 step 4.1: the document's @context must start with the proof's.
        proof_context = config["@context"]
        proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
        doc_context = unsecured.get("@context")
        doc_list = doc_context if isinstance(doc_context, list) else [doc_context]
        if doc_list[: len(proof_list)] != proof_list:
            return False
        unsecured["@context"] = proof_context  # step 4.2: the proof's @context is what was signed
    data = hash_data(
        unsecured, config, loader=loader, limits=limits, rdf_canonicalizer=rdf_canonicalizer
    )
    return public_key.verify(signature, data)
