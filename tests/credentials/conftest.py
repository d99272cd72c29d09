"""Shared fixtures for the credentials tests: a loader, keys, an issuer and credential data."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from certmint.credentials import (
    AchievementInfo,
    BundledDocumentLoader,
    CredentialData,
    DidResolver,
    Ed25519KeyPair,
    EmailIdentity,
    IssuerProfile,
    ProofOptions,
    Recipient,
    ScoreResult,
    StatusEntry,
    build_credential,
    did_document,
    sign_document,
    status_entry,
)

FIXTURES = Path(__file__).parent / "fixtures"
ISSUER_DID = "did:web:certs.example.org"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def loader() -> BundledDocumentLoader:
    return BundledDocumentLoader()


@pytest.fixture(scope="session")
def issuer_key() -> Ed25519KeyPair:
    return Ed25519KeyPair.from_seed(bytes(range(32)))


@pytest.fixture(scope="session")
def resolver(issuer_key: Ed25519KeyPair) -> DidResolver:
    return DidResolver({ISSUER_DID: did_document(ISSUER_DID, [issuer_key.public_key])})


@pytest.fixture(scope="session")
def verification_method(issuer_key: Ed25519KeyPair) -> str:
    return f"{ISSUER_DID}#{issuer_key.public_key.multibase}"


def make_data(**changes: Any) -> CredentialData:
    """A complete credential's data; keyword arguments replace fields."""
    data = CredentialData(
        certificate_id=uuid.UUID("5f0c6c3e-2f6e-4b8e-9d0a-7f1e2d3c4b5a"),
        issuer=IssuerProfile(
            did=ISSUER_DID,
            name="Example Institute of Technology",
            url="https://certs.example.org/",
            image="https://certs.example.org/logo.png",
        ),
        recipient=Recipient("Aïda Núñez-Ngũgĩ", EmailIdentity("Aida@Example.org", "pepper")),
        achievement=AchievementInfo(
            id="https://certs.example.org/achievements/42",
            name="Completion",
            description="Completed Data Science 101, batch 2026-A.",
            criteria="Attend 80% of sessions.\nPass the final assessment.",
            image="https://certs.example.org/achievements/42.png",
        ),
        valid_from=datetime(2026, 1, 15, 9, 30, tzinfo=UTC),
        valid_until=datetime(2031, 1, 15, 9, 30, tzinfo=UTC),
        result=ScoreResult("87.5"),
        status=StatusEntry("https://certs.example.org/status/1", 4242),
    )
    return replace(data, **changes)


def with_two_status_entries(credential: dict[str, Any], base: str, index: int) -> dict[str, Any]:
    """``credential`` (unsigned) with what Certmint issued until 2026-12: the same index in a
    paired revocation and suspension list, as a list of two entries (VC 2.0 allows a list; the
    builder now writes one entry)."""
    return credential | {
        "credentialStatus": [
            status_entry(StatusEntry(f"{base}/{purpose}/1", index, purpose))
            for purpose in ("revocation", "suspension")
        ]
    }


@pytest.fixture
def credential_data() -> Callable[..., CredentialData]:
    return make_data


@pytest.fixture
def sign(
    loader: BundledDocumentLoader, issuer_key: Ed25519KeyPair, verification_method: str
) -> Callable[..., dict[str, Any]]:
    def _sign(document: dict[str, Any], cryptosuite: str = "eddsa-rdfc-2022") -> dict[str, Any]:
        options = ProofOptions(verification_method, NOW, cryptosuite)
        return sign_document(document, issuer_key, options, loader=loader)

    return _sign


@pytest.fixture
def signed_credential(sign: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return sign(build_credential(make_data()))
