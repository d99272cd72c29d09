"""A credential built to be as costly as possible to canonicalize, for the verifier's budgets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from certmint.credentials import ProofOptions, base58btc_encode

CLIQUE = 14  # blank nodes, each linked to all the others


def poisoned_credential(
    issuer: str, verification_method: str, created: datetime, **extra: Any
) -> dict[str, Any]:
    """A clique of indistinguishable blank nodes (RDFC-1.0's worst case: Hash N-Degree Quads
    tries every permutation, https://www.w3.org/TR/rdf-canon/#dataset-poisoning), with a proof
    whose value is never checked: canonicalization stops first."""
    nodes = [
        {"id": f"_:n{i}", "link": [{"id": f"_:n{j}"} for j in range(CLIQUE) if j != i]}
        for i in range(CLIQUE)
    ]
    credential = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/undefined-terms/v2",
        ],
        **extra,
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:example:holder", "knows": nodes},
    }
    options = ProofOptions(verification_method, created)
    fake = "z" + base58btc_encode(b"\x01" * 64)
    return credential | {"proof": [options.configuration(None) | {"proofValue": fake}]}
