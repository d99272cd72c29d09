"""Content-hash cache keys for rendered files, and a small directory-backed cache.

Why content hashes: a certificate's PDF depends only on the frozen template version, the frozen
snapshot values, the QR URL, the embedded credential and the output options. Hash exactly those
(plus the renderer's version, so an upgrade that changes output invalidates old entries) and a
cache hit is correct by construction: no invalidation logic, safe to share between workers.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["RENDERER_VERSION", "FileCache", "cache_key"]

RENDERER_VERSION = "1"
"""Bump when a change to this package changes rendered bytes for the same inputs."""


def cache_key(
    *,
    template: bytes,
    values: Mapping[str, str],
    output: str,
    qr_url: str | None = None,
    credential: bytes | None = None,
    options: Mapping[str, str | int | float] | None = None,
    library_versions: Mapping[str, str] | None = None,
) -> str:
    """A SHA-256 hex digest of everything that determines the rendered bytes.

    ``output`` is the format ("pdf", "png", "svg"); ``options`` holds format settings such as
    the PNG width; ``library_versions`` is e.g. ``native().versions`` (librsvg, cairo, Pango).
    """
    header = json.dumps(
        {
            "renderer": RENDERER_VERSION,
            "output": output,
            "values": dict(sorted(values.items())),
            "qr_url": qr_url,
            "options": dict(sorted((options or {}).items())),
            "libraries": dict(sorted((library_versions or {}).items())),
            "template": hashlib.sha256(template).hexdigest(),
            "credential": hashlib.sha256(credential).hexdigest() if credential else None,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(header.encode()).hexdigest()


class FileCache:
    """Rendered files under ``directory/ab/abcdef...suffix``; writes are atomic renames."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def _path(self, key: str, suffix: str) -> Path:
        if len(key) != 64 or not all(ch in "0123456789abcdef" for ch in key):
            raise ValueError(f"not a cache key: {key!r}")
        if not suffix.startswith(".") or not suffix[1:].isalnum():
            raise ValueError(f"not a file suffix: {suffix!r}")
        return self.directory / key[:2] / f"{key}{suffix}"

    def get(self, key: str, suffix: str) -> bytes | None:
        """The cached bytes, or None on a miss."""
        try:
            return self._path(key, suffix).read_bytes()
        except FileNotFoundError:
            return None

    def put(self, key: str, suffix: str, data: bytes) -> Path:
        """Store ``data``; concurrent writers of the same key are harmless (same content)."""
        path = self._path(key, suffix)
        # Private like every file Certmint makes (mkstemp's files are 0600 already); each
        # level is made with its mode, as mkdir(parents=True) would not give it to parents.
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path
