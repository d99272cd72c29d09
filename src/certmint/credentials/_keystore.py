"""Private key storage: a ``KeyStore`` protocol, an encrypted file store and an in-memory store.

The file store keeps one file per key, mode 0600, holding the Ed25519 seed sealed with AES-256-GCM.
The AES key is derived per file with HKDF-SHA256 from the master secret and a random salt (the
master secret comes from the environment and is expected to be high-entropy, so a slow KDF such
as scrypt would add cost without adding strength). The key id is bound to the ciphertext as
associated data, so a file renamed or copied to another id fails to decrypt.

A store holds keys sealed under one master secret only: ``put`` first opens a stored key, and
with a secret that opens none of them it raises ``KeyDecryptionError`` and writes nothing (a
key sealed under a mistyped secret would be unusable as soon as the right one is back).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from certmint.credentials._keys import Ed25519KeyPair
from certmint.credentials.errors import (
    KeyDecryptionError,
    KeyExistsError,
    KeyFormatError,
    KeyNotFoundError,
    KeyStoreError,
)

__all__ = ["FileKeyStore", "InMemoryKeyStore", "KeyStore"]

_FORMAT = "certmint-key-v1"
_INFO = b"certmint key store v1"
_MIN_SECRET = 16


class KeyStore(Protocol):
    """Where private signing keys live, addressed by key id (a verification method id)."""

    def put(self, key_id: str, key: Ed25519KeyPair) -> None:
        """Store ``key``; raises ``KeyExistsError`` if ``key_id`` is taken (keys are immutable)."""
        ...

    def get(self, key_id: str) -> Ed25519KeyPair:
        """Return the key; raises ``KeyNotFoundError`` or ``KeyDecryptionError``."""
        ...

    def list(self) -> tuple[str, ...]:
        """Return every stored key id, sorted."""
        ...


class InMemoryKeyStore:
    """A ``KeyStore`` in a dict, for tests and throw-away demos."""

    def __init__(self) -> None:
        self._keys: dict[str, Ed25519KeyPair] = {}
        self._lock = threading.Lock()

    def put(self, key_id: str, key: Ed25519KeyPair) -> None:
        with self._lock:
            if key_id in self._keys:
                raise KeyExistsError(key_id)
            self._keys[key_id] = key

    def get(self, key_id: str) -> Ed25519KeyPair:
        try:
            return self._keys[key_id]
        except KeyError:
            raise KeyNotFoundError(key_id) from None

    def list(self) -> tuple[str, ...]:
        return tuple(sorted(self._keys))

    def __repr__(self) -> str:
        return f"InMemoryKeyStore(keys={len(self._keys)})"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class FileKeyStore:
    """A ``KeyStore`` of AES-GCM sealed files (mode 0600) in ``directory`` (created mode 0700).

    File names are the SHA-256 of the key id, so any id (``did:web:...#z6Mk...``) is safe on disk.
    """

    def __init__(self, directory: Path, master_secret: bytes) -> None:
        if len(master_secret) < _MIN_SECRET:
            raise ValueError(f"the master secret must be at least {_MIN_SECRET} bytes")
        self._directory = Path(directory)
        self._secret = master_secret
        self._proven = False  # the secret opened a stored key (or there was none to open)

    def __repr__(self) -> str:
        return f"FileKeyStore(directory={str(self._directory)!r})"

    def _path(self, key_id: str) -> Path:
        return self._directory / (hashlib.sha256(key_id.encode()).hexdigest() + ".key")

    def _aead(self, salt: bytes) -> AESGCM:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO)
        return AESGCM(hkdf.derive(self._secret))

    def put(self, key_id: str, key: Ed25519KeyPair) -> None:
        self._prove_secret()
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        sealed = self._aead(salt).encrypt(nonce, key.secret_seed(), key_id.encode())
        record = {
            "format": _FORMAT,
            "key_id": key_id,
            "public_key": key.public_key.multibase,
            "kdf": "hkdf-sha256",
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "ciphertext": _b64(sealed),
        }
        final = self._path(key_id)
        temporary = final.with_suffix(f".{secrets.token_hex(8)}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temporary, final)  # atomic, and fails if the id is taken
            except FileExistsError:
                raise KeyExistsError(key_id) from None
        finally:
            temporary.unlink(missing_ok=True)

    def _record(self, path: Path, key_id: str) -> dict[str, str]:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyNotFoundError(key_id) from None
        except (OSError, ValueError) as exc:
            raise KeyStoreError(key_id, f"cannot read key file {path}: {exc}") from exc
        if not isinstance(record, dict) or record.get("format") != _FORMAT:
            raise KeyStoreError(key_id, f"{path} is not a Certmint key file")
        return record

    def get(self, key_id: str) -> Ed25519KeyPair:
        key = self._open(self._record(self._path(key_id), key_id), key_id)
        self._proven = True
        return key

    def _open(self, record: dict[str, str], key_id: str) -> Ed25519KeyPair:
        if record.get("key_id") != key_id:
            raise KeyDecryptionError(key_id)
        try:
            aead = self._aead(base64.b64decode(record["salt"]))
            seed = aead.decrypt(
                base64.b64decode(record["nonce"]),
                base64.b64decode(record["ciphertext"]),
                key_id.encode(),
            )
            key = Ed25519KeyPair.from_seed(seed)
        except (InvalidTag, KeyError, ValueError, KeyFormatError):
            raise KeyDecryptionError(key_id) from None
        if key.public_key.multibase != record.get("public_key"):
            raise KeyDecryptionError(key_id)
        return key

    def _prove_secret(self) -> None:
        """Raise ``KeyDecryptionError`` unless the store is empty or the master secret opens
        one of its keys (newest first: the one most likely sealed under today's secret)."""
        if self._proven:
            return
        paths = sorted(
            self._directory.glob("*.key"), key=lambda path: path.stat().st_mtime, reverse=True
        )
        refused: KeyDecryptionError | None = None
        for path in paths:
            record = self._record(path, path.name)
            try:
                self._open(record, str(record.get("key_id")))
            except KeyDecryptionError as exc:
                refused = refused or exc
                continue
            break
        else:
            if refused is not None:
                raise refused
        self._proven = True

    def list(self) -> tuple[str, ...]:
        if not self._directory.is_dir():
            return ()
        ids = []
        for path in self._directory.glob("*.key"):
            record = self._record(path, path.name)
            ids.append(str(record["key_id"]))
        return tuple(sorted(ids))
