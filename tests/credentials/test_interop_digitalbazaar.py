"""Interop with Digital Bazaar's @digitalbazaar/vc and its EdDSA cryptosuites (node, offline
but for status lists, read over loopback from a real HTTP server). See tests/node_harness.py:
``make test`` and CI install the harness, and fail rather than skip without it.
"""

from __future__ import annotations

import copy
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from certmint.credentials import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    AchievementInfo,
    BitstringStatusList,
    BitstringStatusListChecker,
    BundledDocumentLoader,
    DidResolver,
    Ed25519KeyPair,
    EmailIdentity,
    Recipient,
    ScoreResult,
    StatusChecker,
    StatusEntry,
    StatusResult,
    VerificationReport,
    build_credential,
    did_document,
    proofs_of,
    status_list_credential,
    verify_credential,
)
from tests.credentials.conftest import ISSUER_DID, NOW, make_data, with_two_status_entries
from tests.node_harness import node_or_skip, run_harness

SUITES = [EDDSA_RDFC_2022, EDDSA_JCS_2022]


@pytest.fixture(scope="module")
def node() -> str:
    return node_or_skip("@digitalbazaar/vc", "@digitalbazaar/vc-bitstring-status-list")


def _run(node: str, command: str, payload: dict[str, Any]) -> Any:
    return run_harness(node, command, payload)


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
    # What Certmint issued until 2026-12: the same index in a paired revocation and
    # suspension list (VC 2.0 allows a list): old certificates still verify with both.
    unsigned = with_two_status_entries(
        build_credential(make_data()), "https://certs.example.org/orgs/a/status", 4242
    )
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


class _StatusServer:
    """A real HTTP server on 127.0.0.1 serving signed status list credentials by path."""

    def __init__(self) -> None:
        self.lists: dict[str, bytes] = {}
        lists = self.lists

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = lists.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/vc+ld+json")
                self.end_headers()
                self.wfile.write(body or b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, sign: Any, purpose: str, set_indexes: tuple[int, ...] = ()) -> str:
        """Sign and serve the ``purpose`` list with ``set_indexes`` set; return its URL."""
        url = f"{self.base}status/{purpose}/1"
        bits = BitstringStatusList()
        for index in set_indexes:
            bits.set(index)
        unsigned = status_list_credential(
            list_url=url, issuer=ISSUER_DID, purpose=purpose, status_list=bits, valid_from=NOW
        )
        self.lists[url.removeprefix(self.base[:-1])] = json.dumps(sign(unsigned)).encode()
        return url


@pytest.fixture
def status_server() -> Iterator[_StatusServer]:
    server = _StatusServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _http_checker(loader: BundledDocumentLoader, resolver: DidResolver) -> StatusChecker:
    """Our own status check, reading the same lists over the same loopback HTTP."""

    def fetch(url: str) -> dict[str, Any]:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url, timeout=10) as response:
            document: dict[str, Any] = json.loads(response.read())
        return document

    def verify_list(document: Any) -> bool:
        return verify_credential(
            document, loader=loader, resolve_key=resolver, check_status=None, now=NOW
        ).verified

    return BitstringStatusListChecker(fetch, verify_list)


@pytest.mark.parametrize("suite", SUITES)
def test_status_check_on_over_loopback(
    node: str,
    suite: str,
    sign: Any,
    documents: dict[str, Any],
    loader: BundledDocumentLoader,
    resolver: DidResolver,
    status_server: _StatusServer,
) -> None:
    # What Certmint issues: one revocation entry; Digital Bazaar's status check reads the list.
    url = status_server.publish(sign, "revocation")
    credential = sign(build_credential(make_data(status=StatusEntry(url, 4242))), suite)
    payload = {"credential": credential, "documents": documents, "statusFrom": status_server.base}
    result = _run(node, "verify", payload)
    assert result["verified"], result["error"]
    assert result["status"] == [{"purpose": "revocation", "index": "4242", "set": False}]
    checker = _http_checker(loader, resolver)
    ours = verify_credential(
        credential, loader=loader, resolve_key=resolver, check_status=checker, now=NOW
    )
    assert ours.verified, ours.to_dict()

    status_server.publish(sign, "revocation", (4242,))  # revoked
    result = _run(node, "verify", payload)
    assert result["status"] == [{"purpose": "revocation", "index": "4242", "set": True}]
    ours = verify_credential(
        credential, loader=loader, resolve_key=resolver, check_status=checker, now=NOW
    )
    assert ours.check("status").outcome.value == "failed"

    # A list its issuer did not sign is refused by both.
    path = url.removeprefix(status_server.base[:-1])
    forged = json.loads(status_server.lists[path])
    forged["credentialSubject"]["encodedList"] = BitstringStatusList().encode()
    status_server.lists[path] = json.dumps(forged).encode()
    result = _run(node, "verify", payload)
    assert not result["verified"] and "not verified" in result["error"]
    ours = verify_credential(
        credential, loader=loader, resolve_key=resolver, check_status=checker, now=NOW
    )
    assert ours.check("status").outcome.value == "failed"


def test_two_status_entries_with_the_status_check_on(
    node: str, sign: Any, documents: dict[str, Any], status_server: _StatusServer
) -> None:
    # Issued until 2026-12: both lists are still served, and a suspension shows in its own.
    status_server.publish(sign, "revocation")
    status_server.publish(sign, "suspension", (99,))
    credential = sign(
        with_two_status_entries(build_credential(make_data()), f"{status_server.base}status", 99)
    )
    payload = {"credential": credential, "documents": documents, "statusFrom": status_server.base}
    result = _run(node, "verify", payload)
    assert result["status"] == [
        {"purpose": "revocation", "index": "99", "set": False},
        {"purpose": "suspension", "index": "99", "set": True},
    ]
