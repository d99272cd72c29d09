"""Key stores: the encrypted file store and the in-memory store honour one contract."""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from certmint.credentials import (
    Ed25519KeyPair,
    FileKeyStore,
    InMemoryKeyStore,
    KeyDecryptionError,
    KeyExistsError,
    KeyNotFoundError,
    KeyStore,
    KeyStoreError,
)

SECRET = b"0123456789abcdef0123456789abcdef"
KEY_ID = "did:web:certs.example.org#z6MkKey"


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> KeyStore:
    if request.param == "file":
        return FileKeyStore(tmp_path / "keys", SECRET)
    return InMemoryKeyStore()


def test_put_get_list(store: KeyStore) -> None:
    first, second = Ed25519KeyPair.generate(), Ed25519KeyPair.generate()
    assert store.list() == ()
    store.put(KEY_ID, first)
    store.put("did:web:b.example#k2", second)
    assert store.get(KEY_ID).public_key == first.public_key
    assert store.get(KEY_ID).sign(b"x") == first.sign(b"x")
    assert store.list() == ("did:web:b.example#k2", KEY_ID)


def test_keys_are_never_overwritten(store: KeyStore) -> None:
    store.put(KEY_ID, Ed25519KeyPair.generate())
    with pytest.raises(KeyExistsError) as info:
        store.put(KEY_ID, Ed25519KeyPair.generate())
    assert info.value.key_id == KEY_ID


def test_missing_key(store: KeyStore) -> None:
    with pytest.raises(KeyNotFoundError) as info:
        store.get("nope")
    assert info.value.key_id == "nope"


def test_file_store_files_are_private_and_encrypted(tmp_path: Path) -> None:
    key = Ed25519KeyPair.generate()
    directory = tmp_path / "keys"
    FileKeyStore(directory, SECRET).put(KEY_ID, key)
    (path,) = directory.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    raw = path.read_bytes()
    assert key.secret_seed() not in raw
    assert key.secret_seed().hex().encode() not in raw
    assert key.secret_multibase().encode() not in raw
    assert [p.name for p in directory.iterdir()] == [path.name]  # no temporary file left


def test_wrong_master_secret_cannot_decrypt(tmp_path: Path) -> None:
    FileKeyStore(tmp_path, SECRET).put(KEY_ID, Ed25519KeyPair.generate())
    with pytest.raises(KeyDecryptionError):
        FileKeyStore(tmp_path, b"another secret of 32 bytes......").get(KEY_ID)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r | {"ciphertext": r["ciphertext"][:-4] + "AAA="},
        lambda r: r | {"salt": "AAAAAAAAAAAAAAAAAAAAAA=="},
        lambda r: r | {"public_key": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
        lambda r: {k: v for k, v in r.items() if k != "nonce"},
    ],
    ids=["ciphertext", "salt", "public-key", "no-nonce"],
)
def test_tampered_files_fail_to_decrypt(
    tmp_path: Path, tamper: Callable[[dict[str, str]], dict[str, str]]
) -> None:
    store = FileKeyStore(tmp_path, SECRET)
    store.put(KEY_ID, Ed25519KeyPair.generate())
    (path,) = tmp_path.iterdir()
    path.write_text(json.dumps(tamper(json.loads(path.read_text()))))
    with pytest.raises(KeyDecryptionError):
        store.get(KEY_ID)


def test_a_file_moved_to_another_key_id_fails(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path, SECRET)
    store.put(KEY_ID, Ed25519KeyPair.generate())
    store.put("other", Ed25519KeyPair.generate())
    paths = {json.loads(p.read_text())["key_id"]: p for p in tmp_path.iterdir()}
    record = json.loads(paths[KEY_ID].read_text())
    record["key_id"] = "other"
    os.replace(paths[KEY_ID], paths["other"])
    paths["other"].write_text(json.dumps(record))
    with pytest.raises(KeyDecryptionError):
        store.get("other")  # the key id is authenticated data


def test_a_foreign_file_is_a_key_store_error(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path, SECRET)
    store.put(KEY_ID, Ed25519KeyPair.generate())
    (path,) = tmp_path.iterdir()
    path.write_text("{not json")
    with pytest.raises(KeyStoreError):
        store.get(KEY_ID)


def test_short_master_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least"):
        FileKeyStore(tmp_path, b"short")


def test_store_repr_and_logs_hide_secrets(
    store: KeyStore, caplog: pytest.LogCaptureFixture
) -> None:
    key = Ed25519KeyPair.generate()
    store.put(KEY_ID, key)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").warning("store %r key %r", store, store.get(KEY_ID))
    for text in (repr(store), str(store), caplog.text):
        assert SECRET.decode() not in text
        assert key.secret_multibase() not in text
        assert key.secret_seed().hex() not in text
