"""What signing and verifying need, built once per process by ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from certmint.credentials import (
    BundledDocumentLoader,
    FastRdfCanonicalizer,
    KeyStore,
    ProofOptions,
    sign_document,
)
from certmint.services.issuers.keys import IssuerKey
from certmint.services.links import Links

__all__ = ["Signing"]


@dataclass(frozen=True)
class Signing:
    """The key store, the offline document loader and the fast RDFC path, with the links that
    DIDs, status lists and verification links are made from."""

    key_store: KeyStore
    links: Links
    loader: BundledDocumentLoader = field(default_factory=BundledDocumentLoader)
    canonicalizer: FastRdfCanonicalizer | None = None

    def __post_init__(self) -> None:
        if self.canonicalizer is None:
            object.__setattr__(self, "canonicalizer", FastRdfCanonicalizer(self.loader))

    def sign(self, document: dict[str, Any], key: IssuerKey, created: datetime) -> dict[str, Any]:
        """An ``eddsa-rdfc-2022`` proof by the organisation's active key."""
        return sign_document(
            document,
            key.key_pair,
            ProofOptions(verification_method=key.verification_method, created=created),
            loader=self.loader,
            rdf_canonicalizer=self.canonicalizer,
        )
