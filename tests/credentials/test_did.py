"""did:web naming, DID documents across key rotation, and key resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from certmint.credentials import (
    MAX_DID_DOCUMENT_BYTES,
    BundledDocumentLoader,
    DidResolutionError,
    DidResolver,
    Ed25519KeyPair,
    did_document,
    did_key_for,
    did_web_document_url,
    did_web_for,
    expand_safe,
)


@pytest.mark.parametrize(
    ("base_url", "slug", "did", "url"),
    [
        (
            "https://certs.example.org",
            None,
            "did:web:certs.example.org",
            "https://certs.example.org/.well-known/did.json",
        ),
        (
            "https://Certs.Example.org/",
            "physics",
            "did:web:certs.example.org:orgs:physics",
            "https://certs.example.org/orgs/physics/did.json",
        ),
        (
            "https://localhost:8443",
            None,
            "did:web:localhost%3A8443",
            "https://localhost:8443/.well-known/did.json",
        ),
        (
            "https://example.org:8443/certmint",
            "a-b",
            "did:web:example.org%3A8443:certmint:orgs:a-b",
            "https://example.org:8443/certmint/orgs/a-b/did.json",
        ),
    ],
)
def test_did_web_for_and_back(base_url: str, slug: str | None, did: str, url: str) -> None:
    assert did_web_for(base_url, slug) == did
    assert did_web_document_url(did) == url


@pytest.mark.parametrize(
    ("base_url", "slug"),
    [
        ("ftp://example.org", None),
        ("https://", None),
        ("https://e.org", "Bad Slug"),
        ("https://e.org", "-x"),
    ],
)
def test_did_web_for_rejects_bad_input(base_url: str, slug: str | None) -> None:
    with pytest.raises(ValueError, match=r"URL|slug"):
        did_web_for(base_url, slug)


def test_did_document_keeps_old_keys_after_rotation(loader: BundledDocumentLoader) -> None:
    old, new = Ed25519KeyPair.generate().public_key, Ed25519KeyPair.generate().public_key
    did = "did:web:certs.example.org"
    document = did_document(did, [old, new])
    ids = [f"{did}#{new.multibase}", f"{did}#{old.multibase}"]
    assert [m["id"] for m in document["verificationMethod"]] == ids
    assert document["assertionMethod"] == ids
    assert document["authentication"] == ids[:1]
    assert all(
        m["type"] == "Multikey" and m["controller"] == did for m in document["verificationMethod"]
    )
    expand_safe(document, loader)  # every term is defined by the DID and Multikey contexts

    resolver = DidResolver({did: document})
    for key in (old, new):
        resolved = resolver(f"{did}#{key.multibase}")
        assert resolved.public_key == key
        assert resolved.controller == did
        assert "assertionMethod" in resolved.purposes


def test_did_document_needs_a_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        did_document("did:web:a.example", [])


def test_did_key_resolves_offline() -> None:
    key = Ed25519KeyPair.generate().public_key
    did = did_key_for(key)
    for method in (did, f"{did}#{key.multibase}"):
        resolved = DidResolver()(method)
        assert resolved.public_key == key
        assert resolved.controller == did
        assert "assertionMethod" in resolved.purposes


def test_https_method_with_key_in_fragment() -> None:
    key = Ed25519KeyPair.generate().public_key
    method = f"https://issuer.example/profiles/7#{key.multibase}"
    resolved = DidResolver()(method)
    assert resolved.public_key == key
    assert resolved.controller == "https://issuer.example/profiles/7"
    assert resolved.purposes == frozenset()  # anyone could have minted it
    assert DidResolver(trust_key_fragments=True)(method).purposes == {"assertionMethod"}


def test_document_with_another_id_is_refused() -> None:
    key = Ed25519KeyPair.generate().public_key
    resolver = DidResolver({"did:web:a.example": did_document("did:web:b.example", [key])})
    with pytest.raises(DidResolutionError, match="another id"):
        resolver(f"did:web:a.example#{key.multibase}")


@pytest.mark.parametrize(
    "method",
    [
        "did:web:unknown.example#k",
        "https://issuer.example/key-1",
        "did:key:z6Mkbad",
        "mailto:a@b.c",
    ],
)
def test_unresolvable_methods_raise(method: str) -> None:
    with pytest.raises(DidResolutionError):
        DidResolver()(method)


def test_method_missing_from_document() -> None:
    key = Ed25519KeyPair.generate().public_key
    resolver = DidResolver({"did:web:a.example": did_document("did:web:a.example", [key])})
    with pytest.raises(DidResolutionError):
        resolver("did:web:a.example#z6MkOther")


def test_key_not_listed_as_assertion_method_has_no_such_purpose() -> None:
    key = Ed25519KeyPair.generate().public_key
    document = did_document("did:web:a.example", [key])
    document["assertionMethod"] = []
    resolved = DidResolver({"did:web:a.example": document})(f"did:web:a.example#{key.multibase}")
    assert "assertionMethod" not in resolved.purposes


def test_fetcher_is_used_only_when_given_with_the_size_limit() -> None:
    key = Ed25519KeyPair.generate().public_key
    did = "did:web:remote.example"
    calls: list[tuple[str, int]] = []

    def fetch(url: str, max_bytes: int) -> bytes:
        calls.append((url, max_bytes))
        return json.dumps(did_document(did, [key])).encode()

    resolver = DidResolver(fetch=fetch)
    assert resolver(f"{did}#{key.multibase}").public_key == key
    resolver(f"{did}#{key.multibase}")
    expected = ("https://remote.example/.well-known/did.json", MAX_DID_DOCUMENT_BYTES)
    assert calls == [expected]  # cached


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps({"id": "did:web:other.example"}).encode(),
        b"x" * (MAX_DID_DOCUMENT_BYTES + 1),
    ],
    ids=["not-json", "wrong-id", "too-large"],
)
def test_bad_fetched_documents_raise(body: bytes) -> None:
    resolver = DidResolver(fetch=lambda url, max_bytes: body)
    with pytest.raises(DidResolutionError):
        resolver.resolve("did:web:remote.example")


def test_fetch_failure_is_one_sentence_naming_the_did() -> None:
    def fetch(url: str, max_bytes: int) -> bytes:
        raise OSError(f"could not get an answer from {url}")

    with pytest.raises(DidResolutionError) as raised:
        DidResolver(fetch=fetch).resolve("did:web:remote.example")
    assert str(raised.value) == (
        "cannot resolve 'did:web:remote.example': could not fetch its DID document "
        "(could not get an answer from https://remote.example/.well-known/did.json)"
    )


def test_from_files(tmp_path: Path) -> None:
    key = Ed25519KeyPair.generate().public_key
    path = tmp_path / "did.json"
    path.write_text(json.dumps(did_document("did:web:file.example", [key])))
    resolver = DidResolver.from_files([path])
    assert resolver(f"did:web:file.example#{key.multibase}").public_key == key
    (tmp_path / "bad.json").write_text("[]")
    with pytest.raises(DidResolutionError):
        DidResolver.from_files([tmp_path / "bad.json"])
