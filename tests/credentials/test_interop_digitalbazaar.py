"""Interop with Digital Bazaar's @digitalbazaar/vc and its EdDSA cryptosuites (node, offline).

Needs ``npm ci --prefix tests/interop`` (pinned versions in tests/interop/package-lock.json).
(``make test`` runs it, installing Debian's Node.js and npm when npm is missing). Without it the
tests skip when pytest is run by hand, and fail under ``make test`` and CI so the check cannot
silently disappear there.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from certmint.credentials import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    AchievementInfo,
    BitstringStatusList,
    BundledDocumentLoader,
    DidResolver,
    Ed25519KeyPair,
    EmailIdentity,
    Recipient,
    ScoreResult,
    StatusEntry,
    StatusResult,
    VerificationReport,
    build_credential,
    did_document,
    proofs_of,
    status_list_credential,
    verify_credential,
)
from tests.conftest import require_service
from tests.credentials.conftest import ISSUER_DID, NOW, make_data

INTEROP = Path(__file__).resolve().parents[1] / "interop"
SUITES = [EDDSA_RDFC_2022, EDDSA_JCS_2022]


@pytest.fixture(scope="module")
def node() -> str:
    executable = shutil.which("node")
    missing = None
    if executable is None:
        missing = "node is not installed"
    elif not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        missing = "tests/interop/node_modules is missing"
    if missing is not None:
        require_service(f"{missing}: run `npm ci --prefix tests/interop`")
    assert executable is not None
    return executable


def _run(node: str, command: str, payload: dict[str, Any]) -> Any:
    result = subprocess.run(
        [node, str(INTEROP / "interop.mjs"), command],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def documents(issuer_key: Ed25519KeyPair) -> dict[str, Any]:
    return {ISSUER_DID: did_document(ISSUER_DID, [issuer_key.public_key])}


def _db_verify(node: str, credential: dict[str, Any], documents: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _run(
        node, "verify", {"credential": credential, "documents": documents}
    )
    return result


def _db_sign(
    node: str, credential: dict[str, Any], suite: str, key: Ed25519KeyPair, method: str
) -> dict[str, Any]:
    signed: dict[str, Any] = _run(
        node,
        "sign",
        {
            "credential": credential,
            "cryptosuite": suite,
            "created": "2026-06-01T12:00:00Z",
            "verificationMethod": method,
            "controller": ISSUER_DID,
            "publicKeyMultibase": key.public_key.multibase,
            "secretKeyMultibase": key.secret_multibase(),
        },
    )
    return signed


def _ours(
    document: dict[str, Any], loader: BundledDocumentLoader, resolver: DidResolver
) -> VerificationReport:
    return verify_credential(
        document,
        loader=loader,
        resolve_key=resolver,
        check_status=lambda entry, credential: StatusResult("revocation", False),
        now=NOW,
    )


def _tricky_credential() -> dict[str, Any]:
    data = make_data(
        recipient=Recipient('Zoë "Z" O\'Brien-Nguyễn \\ 李小龍 🎓', EmailIdentity("z@e.org", "s")),
        achievement=AchievementInfo(
            "https://certs.example.org/achievements/ü",
            "Certificado de Conclusão",
            "مرحبا — a mixed-direction description",
            "# Criteria\n\n* attend\n* pass \u2018quoted\u2019\n",
        ),
        result=ScoreResult("9.5/10"),
    )
    return build_credential(data)


#: Signed fields to change by one character: a literal, a date, an IRI, a status index.
SIGNED_FIELDS = [
    ("credentialSubject", "name"),
    ("issuer", "name"),
    ("credentialSubject", "achievement", "criteria", "narrative"),
    ("validFrom",),
    ("credentialSubject", "achievement", "id"),
    ("credentialStatus", "statusListIndex"),
]


def _tamper(
    document: dict[str, Any], path: tuple[str | int, ...] = SIGNED_FIELDS[0]
) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    value: str = parent[path[-1]]
    # change the last letter or digit, keeping dates (their time zone's Z) and IRIs well-formed
    index = max(i for i, char in enumerate(value) if char.isalnum() and value[i:] != "Z")
    replacement = {"0": "1", "a": "b"}.get(value[index], "0" if value[index].isdigit() else "a")
    parent[path[-1]] = value[:index] + replacement + value[index + 1 :]
    return changed


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    "make", [lambda: build_credential(make_data()), _tricky_credential], ids=["plain", "unicode"]
)
def test_certmint_credentials_verify_with_digital_bazaar(
    node: str,
    suite: str,
    make: Any,
    sign: Any,
    documents: dict[str, Any],
    loader: BundledDocumentLoader,
    resolver: DidResolver,
) -> None:
    signed = sign(make(), suite)
    result = _db_verify(node, signed, documents)
    assert result["verified"], result["error"]
    tampered = [_tamper(signed, path) for path in SIGNED_FIELDS]
    results = _run(node, "verify-many", {"credentials": tampered, "documents": documents})
    for path, result, document in zip(SIGNED_FIELDS, results, tampered, strict=True):
        assert not result["verified"], path
        report = _ours(document, loader, resolver)
        assert report.check("signature").outcome.value == "failed", (path, report.to_dict())


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    "make", [lambda: build_credential(make_data()), _tricky_credential], ids=["plain", "unicode"]
)
def test_digital_bazaar_credentials_verify_with_certmint(
    node: str,
    suite: str,
    make: Any,
    sign: Any,
    issuer_key: Ed25519KeyPair,
    verification_method: str,
    loader: BundledDocumentLoader,
    resolver: DidResolver,
) -> None:
    unsigned = make()
    theirs = _db_sign(node, unsigned, suite, issuer_key, verification_method)
    report = _ours(theirs, loader, resolver)
    assert report.verified, report.to_dict()
    # Ed25519 is deterministic: identical canonical bytes give the identical signature.
    assert proofs_of(theirs) == sign(unsigned, suite)["proof"]
    tampered = _tamper(theirs)
    assert not _ours(tampered, loader, resolver).verified
    assert not _db_verify(
        node, tampered, {ISSUER_DID: did_document(ISSUER_DID, [issuer_key.public_key])}
    )["verified"]


@pytest.mark.parametrize("suite", SUITES)
def test_two_status_entries_both_ways(
    node: str,
    suite: str,
    sign: Any,
    issuer_key: Ed25519KeyPair,
    verification_method: str,
    documents: dict[str, Any],
    loader: BundledDocumentLoader,
    resolver: DidResolver,
) -> None:
    # What Certmint issues: the same index in a paired revocation and suspension list.
    status = tuple(
        StatusEntry(f"https://certs.example.org/orgs/a/status/{purpose}/1", 4242, purpose)
        for purpose in ("revocation", "suspension")
    )
    unsigned = build_credential(make_data(status=status))
    ours = sign(unsigned, suite)
    result = _db_verify(node, ours, documents)
    assert result["verified"], result["error"]
    theirs = _db_sign(node, unsigned, suite, issuer_key, verification_method)
    assert _ours(theirs, loader, resolver).verified
    assert proofs_of(theirs) == ours["proof"]
    # Each entry is signed: moving the suspension entry's index breaks both verifiers.
    tampered = _tamper(ours, ("credentialStatus", 1, "statusListIndex"))
    assert not _db_verify(node, tampered, documents)["verified"]
    assert not _ours(tampered, loader, resolver).verified


def test_status_list_credential_verifies_with_digital_bazaar(
    node: str, sign: Any, documents: dict[str, Any]
) -> None:
    bits = BitstringStatusList()
    bits.set(4242)
    unsigned = status_list_credential(
        list_url="https://certs.example.org/status/1",
        issuer=ISSUER_DID,
        purpose="revocation",
        status_list=bits,
        valid_from=NOW,
    )
    result = _db_verify(node, sign(unsigned), documents)
    assert result["verified"], result["error"]
