"""DIDs and key resolution: did:web identities, DID documents, did:key, and a resolver.

* did:web: https://w3c-ccg.github.io/did-method-web/ (``did:web:<host>[%3A<port>][:<path>...]``,
  served at ``https://<host>/.well-known/did.json`` or ``https://<host>/<path>/did.json``).
* did:key: https://w3c-ccg.github.io/did-method-key/ (the key is the identifier).
* DID documents with Multikey verification methods: https://www.w3.org/TR/did-core/ and
  https://www.w3.org/TR/cid-1.0/#Multikey.

Resolution is offline by default; fetching a did:web document happens only when the caller
injects a fetcher (``DidResolver(fetch=...)``): Certmint's is the guarded HTTP client of
``certmint.adapters``, which the CLI and services wire in. This library makes no request itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from certmint.credentials._keys import Ed25519PublicKey
from certmint.credentials.errors import CredentialError, DidResolutionError

__all__ = [
    "MAX_DID_DOCUMENT_BYTES",
    "DidResolver",
    "Fetcher",
    "ResolvedKey",
    "did_document",
    "did_key_for",
    "did_web_document_url",
    "did_web_for",
]

_DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
#: The largest DID document fetched (bytes); a fetcher stops reading past it.
MAX_DID_DOCUMENT_BYTES = 100_000

#: ``fetch(url, max_bytes)`` returns the body at ``url`` (at most ``max_bytes``) or raises an
#: exception whose message is one sentence saying what could not be fetched (and no more: not
#: why a connection failed). It owns its time limits and which addresses it may reach.
Fetcher = Callable[[str, int], bytes]


def did_web_for(base_url: str, org_slug: str | None = None) -> str:
    """Return the did:web of a Certmint instance (``org_slug=None``) or of one organisation.

    ``did_web_for("https://certs.example.org:8443", "physics")`` is
    ``did:web:certs.example.org%3A8443:orgs:physics``, resolved at
    ``https://certs.example.org:8443/orgs/physics/did.json``. A path in ``base_url`` becomes
    colon-separated segments, as the did:web method specifies.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"base URL {base_url!r} is not an http(s) URL")
    host = parts.hostname.lower()
    if parts.port is not None:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    if org_slug is not None:
        if not _SLUG.fullmatch(org_slug):
            raise ValueError(f"organisation slug {org_slug!r} is not a lower-case slug")
        segments += ["orgs", org_slug]
    return ":".join(["did", "web", host, *segments])


def did_web_document_url(did: str) -> str:
    """Return the HTTPS URL of a did:web's DID document."""
    if not did.startswith("did:web:"):
        raise DidResolutionError(did, "not a did:web")
    host, *path = did[len("did:web:") :].split(":")
    if not host:
        raise DidResolutionError(did, "no host")
    path_part = "/".join(unquote(segment) for segment in path) if path else ".well-known"
    return f"https://{unquote(host)}/{path_part}/did.json"


def did_key_for(public_key: Ed25519PublicKey) -> str:
    """Return the did:key of an Ed25519 public key."""
    return f"did:key:{public_key.multibase}"


def did_document(did: str, public_keys: Sequence[Ed25519PublicKey]) -> dict[str, Any]:
    """Return the DID document listing ``public_keys`` (oldest first, as they were added).

    Every key stays listed, and stays an ``assertionMethod``, after rotation so that credentials
    signed with it keep verifying; the newest key comes first in each list and is the only
    ``authentication`` key. Verification method ids are ``<did>#<publicKeyMultibase>``, stable
    across rotations.
    """
    if not public_keys:
        raise ValueError("a DID document needs at least one key")
    newest_first = list(reversed(public_keys))
    methods = [
        {
            "id": f"{did}#{key.multibase}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.multibase,
        }
        for key in newest_first
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": list(_DID_CONTEXTS),
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids[:1],
    }


@dataclass(frozen=True)
class ResolvedKey:
    """A verification method resolved to its public key, its controller and allowed purposes.

    https://www.w3.org/TR/did-core/#verification-methods and
    https://www.w3.org/TR/did-core/#verification-relationships
    """

    id: str
    controller: str
    public_key: Ed25519PublicKey
    purposes: frozenset[str]
    #: How the key was bound to its controller, for reports ("DID document", "did:key", ...).
    source: str = "DID document"


class DidResolver:
    """Resolves verification method ids to keys: did:key offline; did:web from ``documents``
    (this instance's own), then from ``fetch`` if given; ``https://...#z6Mk...`` methods
    (the 1EdTech convention: the key is in the fragment, the URL is the controller). Those are
    only authorized for ``assertionMethod`` with ``trust_key_fragments=True``, because nothing
    shows that the URL's owner publishes the key (fine for test vectors, not for trust).

    Callable as ``resolve_key`` for :func:`verify_credential`. Raises ``DidResolutionError``.
    """

    def __init__(
        self,
        documents: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        fetch: Fetcher | None = None,
        trust_key_fragments: bool = False,
    ) -> None:
        self._documents = dict(documents or {})
        self._fetch = fetch
        self._trust_key_fragments = trust_key_fragments

    @classmethod
    def from_files(cls, paths: Iterable[Path], **kwargs: Any) -> DidResolver:
        """Build a resolver from DID document JSON files (e.g. saved by a user)."""
        documents: dict[str, Mapping[str, Any]] = {}
        for path in paths:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            if not isinstance(document, dict) or not isinstance(document.get("id"), str):
                raise DidResolutionError(str(path), "not a DID document")
            documents[document["id"]] = document
        return cls(documents, **kwargs)

    def resolve(self, did: str) -> Mapping[str, Any]:
        """Return the DID document of ``did``."""
        if did in self._documents:
            return self._documents[did]
        if did.startswith("did:key:"):
            return did_document(did, [_key_from_did_key(did)])
        if did.startswith("did:web:") and self._fetch is not None:
            url = did_web_document_url(did)
            try:
                body = self._fetch(url, MAX_DID_DOCUMENT_BYTES)
            except Exception as exc:  # a fetcher's failure, whatever its type: say it, once
                reason = str(exc).rstrip(".")
                raise DidResolutionError(
                    did, f"could not fetch its DID document ({reason})"
                ) from exc
            if len(body) > MAX_DID_DOCUMENT_BYTES:
                raise DidResolutionError(did, "DID document is too large")
            try:
                document = json.loads(body)
            except ValueError as exc:
                raise DidResolutionError(did, "DID document is not JSON") from exc
            if not isinstance(document, dict) or document.get("id") != did:
                raise DidResolutionError(did, "DID document id does not match")
            self._documents[did] = document
            return document
        raise DidResolutionError(did, "no DID document known (offline)")

    def __call__(self, verification_method: str) -> ResolvedKey:
        """Resolve a verification method id to its key."""
        base, _, fragment = verification_method.partition("#")
        if base.startswith("did:key:") and not fragment:
            fragment = base[len("did:key:") :]
            verification_method = f"{base}#{fragment}"
        if base.startswith(("https://", "http://")) and fragment.startswith("z6Mk"):
            try:
                key = Ed25519PublicKey.from_multibase(fragment)
            except CredentialError as exc:
                raise DidResolutionError(verification_method, str(exc)) from exc
            # Anyone can mint a key and name it in the fragment of any URL: nothing shows that
            # the URL's owner publishes it, so by default it is authorized for nothing.
            if self._trust_key_fragments:
                return ResolvedKey(
                    verification_method, base, key, frozenset({"assertionMethod"}), "URL fragment"
                )
            source = "URL fragment (not published by its controller, so not trusted)"
            return ResolvedKey(verification_method, base, key, frozenset(), source)
        if not base.startswith("did:"):
            raise DidResolutionError(verification_method, "not a DID URL")
        document = self.resolve(base)
        if document.get("id") != base:
            raise DidResolutionError(verification_method, "the DID document has another id")
        for method in document.get("verificationMethod", []):
            if not isinstance(method, dict):
                continue
            method_id = _absolute(base, method.get("id"))
            if method_id != verification_method:
                continue
            multibase = method.get("publicKeyMultibase")
            if method.get("type") not in (
                "Multikey",
                "Ed25519VerificationKey2020",
            ) or not isinstance(multibase, str):
                raise DidResolutionError(verification_method, "not an Ed25519 Multikey method")
            try:
                key = Ed25519PublicKey.from_multibase(multibase)
            except CredentialError as exc:
                raise DidResolutionError(verification_method, str(exc)) from exc
            purposes = frozenset(
                purpose
                for purpose in ("assertionMethod", "authentication", "capabilityInvocation")
                if method_id in {_absolute(base, ref) for ref in _refs(document.get(purpose))}
            )
            if method.get("controller", base) != base:
                # A method controlled by another DID would need that DID's document to agree;
                # we do not follow it, so a document cannot lend its key to someone else.
                raise DidResolutionError(
                    verification_method, "the method's controller is not the DID"
                )
            source = "did:key" if base.startswith("did:key:") else "DID document"
            return ResolvedKey(method_id, base, key, purposes, source)
        raise DidResolutionError(verification_method, "verification method not in DID document")


def _refs(value: Any) -> list[str]:
    items = value if isinstance(value, list) else []
    return [
        item if isinstance(item, str) else str(item.get("id"))
        for item in items
        if isinstance(item, str | dict)
    ]


def _absolute(did: str, ref: Any) -> str:
    text = str(ref)
    return did + text if text.startswith("#") else text


def _key_from_did_key(did: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_multibase(did[len("did:key:") :].partition("#")[0])
    except CredentialError as exc:
        raise DidResolutionError(did, str(exc)) from exc
