"""Proof sets and proof chains: every proof of a document must verify, not just one.

VC Data Integrity § 4.6 ("verify proof sets and chains",
https://www.w3.org/TR/vc-data-integrity/#verify-proof-sets-and-chains): a document may carry
several proofs; each must verify on its own, or a valid proof would vouch for a forged one
beside it. A proof whose ``previousProof`` names other proofs (a string or a list of strings)
is a link of a chain: it signed the document together with them, and each name must match the
``id`` of a proof that is itself checked.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from certmint.credentials._canon import Limits
from certmint.credentials._did import ResolvedKey
from certmint.credentials._loader import BundledDocumentLoader
from certmint.credentials._proofs import RdfCanonicalizer, verify_proof
from certmint.credentials.errors import CredentialError
from certmint.domain.messages import Joined, Message

__all__ = ["KeyResolver", "verify_proof_set"]

#: ``resolve_key(verification_method_id)``; raises ``CredentialError`` when it cannot.
KeyResolver = Callable[[str], ResolvedKey]


class _ChainError(Exception):
    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


def verify_proof_set(
    document: Mapping[str, Any],
    proofs: list[dict[str, Any]],
    *,
    allowed: Collection[str],
    resolve_key: KeyResolver,
    loader: BundledDocumentLoader,
    limits: Limits,
    rdf_canonicalizer: RdfCanonicalizer | None = None,
) -> tuple[list[tuple[Mapping[str, Any], ResolvedKey]], list[Message | str]]:
    """Verify each of the document's ``proofs`` that is a ``DataIntegrityProof`` of an
    ``allowed`` cryptosuite (others are left unchecked) and return the verified ones with their
    keys, and why the others did not verify: the set verifies when that second list is empty
    (and there is a proof to check). Never raises for a bad proof."""
    checked = [
        p
        for p in proofs
        if p.get("type") == "DataIntegrityProof"
        and isinstance(p.get("cryptosuite"), str)
        and p["cryptosuite"] in allowed
    ]
    if not checked:
        found = Joined.of(sorted({str(p.get("cryptosuite") or p.get("type")) for p in proofs}))
        return [], [Message("no proof with an allowed suite (%(found)s)", found=found)]
    verified: list[tuple[Mapping[str, Any], ResolvedKey]] = []
    reasons: list[Message | str] = []
    for proof in checked:
        method = proof.get("verificationMethod")
        method = method.get("id") if isinstance(method, dict) else method
        if not isinstance(method, str):
            reasons.append(Message("a proof has no verificationMethod"))
            continue
        signer = {"suite": str(proof.get("cryptosuite")), "method": method}
        try:
            chained = _previous_proofs(proof, document, checked)
            key = resolve_key(method)
            if verify_proof(
                document,
                proof,
                key.public_key,
                loader=loader,
                limits=limits,
                rdf_canonicalizer=rdf_canonicalizer,
                chained=chained,
            ):
                verified.append((proof, key))
                continue
            failed = Message("the %(suite)s signature by %(method)s does not verify", **signer)
            reasons.append(failed)
        except _ChainError as exc:
            reasons.append(exc.reason)
        except CredentialError as exc:
            reasons.append(str(exc))
    return verified, reasons


def _previous_proofs(
    proof: Mapping[str, Any], document: Mapping[str, Any], checked: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The proofs that ``proof.previousProof`` names, each of which must be one of the
    document's proofs and one that is ``checked`` (so that it must verify too)."""
    names = proof.get("previousProof")
    if names is None:
        return []
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise _ChainError(Message("previousProof must be a string or a list of strings"))
    every = document.get("proof")
    every = every if isinstance(every, list) else [every]
    found = []
    for name in names:
        match = next((p for p in every if isinstance(p, dict) and p.get("id") == name), None)
        if match is None:
            raise _ChainError(Message("previousProof %(id)s names no proof here", id=name))
        if not any(match is p for p in checked):
            raise _ChainError(Message("previousProof %(id)s cannot be checked", id=name))
        found.append(match)
    return found
