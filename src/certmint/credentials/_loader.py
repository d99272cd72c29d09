"""Offline JSON-LD document loading from the contexts bundled with the package.

A credential's meaning depends on its ``@context`` documents, so fetching them at verification
time would let whoever serves them change what a signature covers (and would make verification
depend on the network). The loader serves the exact bytes bundled under ``data/contexts`` (copied
from their publishers, see ``data/contexts/index.json``) and raises for anything else.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Protocol

from cachetools import LRUCache

from certmint.credentials.errors import DocumentLoaderError, UnknownDocumentError

__all__ = [
    "BundledDocumentLoader",
    "DocumentLoader",
    "bundled_context_urls",
    "bundled_digests",
    "ob3_json_schema",
]

_DATA = "certmint.credentials.data"


class DocumentLoader(Protocol):
    """A pyld-compatible document loader: returns ``{"document": ..., "documentUrl": url}``.

    Raises :class:`~certmint.credentials.errors.DocumentLoaderError` for a URL it cannot serve.
    """

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]: ...


@cache
def _index() -> dict[str, str]:
    return {url: entry["file"] for url, entry in _entries().items()}


@cache
def _bundled_bytes(url: str) -> bytes:
    return resources.files(_DATA).joinpath("contexts").joinpath(_index()[url]).read_bytes()


@cache
def _entries() -> dict[str, dict[str, Any]]:
    raw = resources.files(_DATA).joinpath("contexts").joinpath("index.json").read_bytes()
    entries: dict[str, dict[str, Any]] = json.loads(raw)
    return entries


def bundled_digests(url: str) -> frozenset[bytes]:
    """The SHA-256/384/512 digests a bundled context may rightly be given in a credential's
    ``relatedResource``: of the bytes bundled here and, where the publisher's server answers
    with other bytes of the same meaning, of those (``served_digests`` in ``index.json``, in
    SRI form); empty for a URL not bundled."""
    if url not in _index():
        return frozenset()
    raw = _bundled_bytes(url)
    digests = {hashlib.new(name, raw).digest() for name in ("sha256", "sha384", "sha512")}
    for sri in _entries()[url].get("served_digests", ()):
        digests.add(base64.b64decode(sri.split("-", 1)[1]))
    return frozenset(digests)


def bundled_context_urls() -> frozenset[str]:
    """Return the URLs of every bundled JSON-LD context."""
    return frozenset(_index())


@cache
def ob3_json_schema() -> Mapping[str, Any]:
    """Return 1EdTech's Open Badges 3.0 AchievementCredential JSON Schema (draft 2019-09)."""
    raw = (
        resources.files(_DATA)
        .joinpath("schemas")
        .joinpath("ob_v3p0_achievementcredential_schema.json")
    )
    schema: dict[str, Any] = json.loads(raw.read_bytes())
    return schema


class BundledDocumentLoader:
    """Serves the bundled contexts, plus ``extra`` documents (e.g. DID documents), offline only.

    https://www.w3.org/TR/json-ld11-api/#loaddocumentcallback and
    https://www.w3.org/TR/vc-data-model-2.0/#base-context (contexts must not be fetched).

    Each instance owns its own pyld context cache (:attr:`context_cache`): pyld's module-level
    cache is keyed by URL alone, so two loaders serving different documents for one URL would
    otherwise see each other's contexts.
    """

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self._extra: dict[str, bytes] = {}
        for url, document in (extra or {}).items():
            data = document if isinstance(document, bytes) else json.dumps(document).encode()
            self._extra[url] = data
        self._parsed: dict[str, Any] = {}
        self._cache: LRUCache[Any, Any] = LRUCache(maxsize=256)

    def with_documents(self, extra: Mapping[str, Any]) -> BundledDocumentLoader:
        """Return a new loader serving this loader's documents plus ``extra`` (which win)."""
        merged: dict[str, Any] = dict(self._extra)
        merged.update(extra)
        return BundledDocumentLoader(merged)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and (url in self._extra or url in _index())

    def raw(self, url: str) -> bytes:
        """Return the exact bytes served for ``url``; raises ``UnknownDocumentError``."""
        if url in self._extra:
            return self._extra[url]
        if url in _index():
            return _bundled_bytes(url)
        raise UnknownDocumentError(url)

    def document(self, url: str) -> Any:
        """Return the parsed JSON document for ``url`` (shared: callers must not mutate it)."""
        if url not in self._parsed:
            try:
                self._parsed[url] = json.loads(self.raw(url))
            except ValueError as exc:
                raise DocumentLoaderError(url, f"document {url!r} is not JSON") from exc
        return self._parsed[url]

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": self.document(url)}

    @property
    def context_cache(self) -> LRUCache[Any, Any]:
        """This loader's own cache of resolved contexts, for pyld's ``ContextResolver``."""
        return self._cache
