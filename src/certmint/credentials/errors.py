"""Errors raised by :mod:`certmint.credentials`.

Every exception the library raises on purpose derives from one base, so a caller can catch
``CredentialError`` at its boundary. Third-party errors (pyld's ``JsonLdError``, cryptography's
``InvalidSignature``/``InvalidTag``) are translated where they are caught and never escape.
Exceptions carry their context as fields, not only as message text::

    CredentialError
    ├── DocumentLoaderError(url)              a JSON-LD document could not be served
    │   └── UnknownDocumentError(url)         the URL is not bundled (never fetched)
    ├── InvalidCredentialDataError(field, reason)   builder input rejected before signing
    ├── SchemaError(reason)                   not valid against the OB 3.0 JSON schema
    ├── CanonicalizationError(reason)         JSON-LD expansion or RDFC-1.0 failed
    │   ├── UndefinedTermError(terms)         safe mode: a term would be silently dropped
    │   └── LimitExceededError(limit, value, maximum)   hostile input: a bound was hit
    ├── KeyFormatError(reason)                bad multibase/multicodec/Ed25519 key material
    ├── KeyStoreError(key_id)
    │   ├── KeyNotFoundError(key_id)
    │   ├── KeyExistsError(key_id)
    │   └── KeyDecryptionError(key_id)        wrong master secret or tampered file
    ├── ProofError(reason)                    a proof cannot be created or checked
    │   └── UnsupportedCryptosuiteError(cryptosuite)
    ├── DidResolutionError(identifier, reason)
    └── StatusListError(reason)
        └── StatusListFullError(size)
"""

from __future__ import annotations

from certmint.domain.messages import Message

__all__ = [
    "CanonicalizationError",
    "CredentialError",
    "DidResolutionError",
    "DocumentLoaderError",
    "InvalidCredentialDataError",
    "KeyDecryptionError",
    "KeyExistsError",
    "KeyFormatError",
    "KeyNotFoundError",
    "KeyStoreError",
    "LimitExceededError",
    "ProofError",
    "SchemaError",
    "StatusListError",
    "StatusListFullError",
    "UndefinedTermError",
    "UnknownDocumentError",
    "UnsupportedCryptosuiteError",
]


class CredentialError(Exception):
    """Base of every error this library raises deliberately."""


class DocumentLoaderError(CredentialError):
    """A JSON-LD document (context, DID document) could not be served."""

    def __init__(self, url: str, message: str | None = None) -> None:
        self.url = url
        super().__init__(message or f"cannot load document {url!r}")


class UnknownDocumentError(DocumentLoaderError):
    """The URL is not among the bundled documents; the loader never goes to the network."""

    def __init__(self, url: str) -> None:
        super().__init__(url, f"document {url!r} is not bundled (no network fetch is made)")


class InvalidCredentialDataError(CredentialError):
    """Builder input was rejected: the named field is missing, malformed or unsafe to sign."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class SchemaError(CredentialError):
    """Not valid against 1EdTech's OB 3.0 JSON schema; ``reason`` says where, in words a
    reader's language can translate."""

    def __init__(self, reason: Message) -> None:
        self.reason = reason
        super().__init__(str(reason))


class CanonicalizationError(CredentialError):
    """JSON-LD expansion or RDF canonicalization failed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class UndefinedTermError(CanonicalizationError):
    """Safe mode: these properties or types are not defined by the contexts and would be dropped."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = terms
        super().__init__(f"terms not defined by the @context: {', '.join(terms)}")


class LimitExceededError(CanonicalizationError):
    """Untrusted input went past a processing bound (size, depth, quads, blank nodes, time)."""

    def __init__(self, limit: str, value: float, maximum: float) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        super().__init__(f"{limit} {value:.4g} exceeds the limit of {maximum:g}")


class KeyFormatError(CredentialError):
    """Key material is not a valid Ed25519 Multikey / multibase value."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class KeyStoreError(CredentialError):
    """A key store operation failed for ``key_id``."""

    def __init__(self, key_id: str, message: str | None = None) -> None:
        self.key_id = key_id
        super().__init__(message or f"key store error for {key_id!r}")


class KeyNotFoundError(KeyStoreError):
    """No private key is stored under ``key_id``."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id, f"no key stored under {key_id!r}")


class KeyExistsError(KeyStoreError):
    """A key is already stored under ``key_id``; keys are never overwritten."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id, f"a key is already stored under {key_id!r}")


class KeyDecryptionError(KeyStoreError):
    """The stored key could not be decrypted: wrong master secret, or the file was altered."""

    def __init__(self, key_id: str) -> None:
        super().__init__(key_id, f"cannot decrypt key {key_id!r} (wrong master secret?)")


class ProofError(CredentialError):
    """A Data Integrity proof cannot be created or checked."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class UnsupportedCryptosuiteError(ProofError):
    """The cryptosuite is unknown or not in the caller's allowed list."""

    def __init__(self, cryptosuite: str) -> None:
        self.cryptosuite = cryptosuite
        super().__init__(f"unsupported cryptosuite {cryptosuite!r}")


class DidResolutionError(CredentialError):
    """A DID or verification method could not be resolved to a public key."""

    def __init__(self, identifier: str, reason: str) -> None:
        self.identifier = identifier
        self.reason = reason
        super().__init__(f"cannot resolve {identifier!r}: {reason}")


class StatusListError(CredentialError):
    """A status list is malformed or an index is out of range."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class StatusListFullError(StatusListError):
    """Every index of the status list is taken; start a new list."""

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"all {size} indexes of the status list are taken")
