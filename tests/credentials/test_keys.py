"""Ed25519 Multikey encoding and the secrecy of private keys."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certmint.credentials import (
    Ed25519KeyPair,
    Ed25519PublicKey,
    KeyFormatError,
    base58btc_decode,
    base58btc_encode,
)


@given(st.binary(max_size=80))
def test_base58_round_trips(data: bytes) -> None:
    assert base58btc_decode(base58btc_encode(data)) == data


def test_base58_known_values() -> None:
    assert base58btc_encode(b"") == ""
    assert base58btc_encode(b"\0\0\x01") == "112"
    assert base58btc_encode(b"hello world") == "StV1DL6CwTryKyV"


def test_base58_rejects_characters_outside_the_alphabet() -> None:
    with pytest.raises(KeyFormatError):
        base58btc_decode("0OIl")


def test_base58_rejects_absurd_lengths() -> None:
    with pytest.raises(KeyFormatError):
        base58btc_decode("2" * 10_000)


def test_public_key_multibase_round_trip() -> None:
    key = Ed25519KeyPair.generate()
    encoded = key.public_key.multibase
    assert encoded.startswith("z6Mk")
    assert Ed25519PublicKey.from_multibase(encoded) == key.public_key


@pytest.mark.parametrize(
    "value",
    [
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",  # a secret key, wrong codec
        "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",  # a P-256 key
        "z6Mk",
    ],
)
def test_public_key_rejects_other_values(value: str) -> None:
    with pytest.raises(KeyFormatError):
        Ed25519PublicKey.from_multibase(value)


def test_secret_multibase_round_trip() -> None:
    key = Ed25519KeyPair.generate()
    again = Ed25519KeyPair.from_secret_multibase(key.secret_multibase())
    assert again.public_key == key.public_key
    assert again.sign(b"m") == key.sign(b"m")


def test_seed_must_be_32_bytes() -> None:
    with pytest.raises(KeyFormatError):
        Ed25519KeyPair.from_seed(b"short")


def test_signatures_verify_only_for_their_message() -> None:
    key = Ed25519KeyPair.generate()
    signature = key.sign(b"message")
    assert key.public_key.verify(signature, b"message")
    assert not key.public_key.verify(signature, b"messagf")
    assert not key.public_key.verify(b"\0" * 64, b"message")


def test_private_key_never_appears_in_repr_str_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    key = Ed25519KeyPair.generate()
    secrets = [key.secret_multibase(), key.secret_seed().hex(), repr(key.secret_seed())]
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("key %s %r", key, key)
        logging.getLogger("test").info("in a container: %s", [key, {"k": key}])
    shown = [repr(key), str(key), f"{key}", f"{key!r}", caplog.text, repr([key])]
    for text in shown:
        assert key.public_key.multibase in text
        for secret in secrets:
            assert secret not in text
