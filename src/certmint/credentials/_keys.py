"""Ed25519 keys as Multikey values: base58btc multibase with a multicodec header.

Public keys are ``z`` + base58btc(0xed 0x01 + 32 bytes), the ``z6Mk...`` form used in Multikey
verification methods and did:key; secret keys are ``z`` + base58btc(0x80 0x26 + 32-byte seed).
See https://www.w3.org/TR/cid-1.0/#Multikey and https://www.w3.org/TR/vc-di-eddsa/#multikey.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PublicKey as _CryptoPublicKey,
)

from certmint.credentials.errors import KeyFormatError

__all__ = [
    "Ed25519KeyPair",
    "Ed25519PublicKey",
    "base58btc_decode",
    "base58btc_encode",
]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(_ALPHABET)}
_PAIRS = [_ALPHABET[i // 58] + _ALPHABET[i % 58] for i in range(58 * 58)]
_QUAD = 58**4
_ED25519_PUB = b"\xed\x01"
_ED25519_PRIV = b"\x80\x26"
_MAX_BASE58 = 200  # far above any key or signature; bounds the quadratic decode on hostile input


def base58btc_encode(data: bytes) -> str:
    """Encode bytes in the Bitcoin base58 alphabet (leading zero bytes become ``1``)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    pairs: list[str] = []
    while number:
        # Four digits per big-integer division (signing speed: this runs once per credential).
        number, chunk = divmod(number, _QUAD)
        high, low = divmod(chunk, 58 * 58)
        pairs.append(_PAIRS[low])
        pairs.append(_PAIRS[high])
    return "1" * zeros + "".join(reversed(pairs)).lstrip("1")


def base58btc_decode(text: str) -> bytes:
    """Decode base58btc text; raises ``KeyFormatError`` on a character outside the alphabet."""
    if len(text) > _MAX_BASE58:
        raise KeyFormatError(f"base58 value of {len(text)} characters is too long")
    number = 0
    for char in text:
        try:
            number = number * 58 + _INDEX[char]
        except KeyError:
            raise KeyFormatError(f"{char!r} is not a base58btc character") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _decode_multibase(value: str, header: bytes, what: str) -> bytes:
    if not value.startswith("z"):
        raise KeyFormatError(f"{what} must be base58btc multibase (start with 'z')")
    raw = base58btc_decode(value[1:])
    if not raw.startswith(header) or len(raw) != len(header) + 32:
        raise KeyFormatError(f"{what} is not an Ed25519 multicodec value")
    return raw[len(header) :]


@dataclass(frozen=True)
class Ed25519PublicKey:
    """An Ed25519 public key; ``multibase`` is its Multikey ``publicKeyMultibase`` value.

    https://www.w3.org/TR/vc-di-eddsa/#multikey
    """

    raw: bytes

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise KeyFormatError("an Ed25519 public key is 32 bytes")

    @classmethod
    def from_multibase(cls, value: str) -> Ed25519PublicKey:
        """Parse ``z6Mk...``; raises ``KeyFormatError``."""
        return cls(_decode_multibase(value, _ED25519_PUB, "publicKeyMultibase"))

    @property
    def multibase(self) -> str:
        """The ``z6Mk...`` Multikey encoding."""
        return "z" + base58btc_encode(_ED25519_PUB + self.raw)

    def verify(self, signature: bytes, message: bytes) -> bool:
        """Return whether ``signature`` is a valid Ed25519 signature of ``message``."""
        try:
            _CryptoPublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, repr=False)
class Ed25519KeyPair:
    """An Ed25519 signing key. ``repr``/``str`` never show the secret, only the public key.

    https://www.w3.org/TR/cid-1.0/#Multikey (``secretKeyMultibase``)
    """

    _private: Ed25519PrivateKey = field(compare=False)
    public_key: Ed25519PublicKey

    @classmethod
    def generate(cls) -> Ed25519KeyPair:
        """Create a new random key pair (from the OS CSPRNG)."""
        return cls._from_private(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519KeyPair:
        """Build a key pair from its 32-byte secret seed; raises ``KeyFormatError``."""
        if len(seed) != 32:
            raise KeyFormatError("an Ed25519 secret seed is 32 bytes")
        return cls._from_private(Ed25519PrivateKey.from_private_bytes(seed))

    @classmethod
    def from_secret_multibase(cls, value: str) -> Ed25519KeyPair:
        """Parse a ``secretKeyMultibase`` (``z3u2...``) value; raises ``KeyFormatError``."""
        return cls.from_seed(_decode_multibase(value, _ED25519_PRIV, "secretKeyMultibase"))

    @classmethod
    def _from_private(cls, private: Ed25519PrivateKey) -> Ed25519KeyPair:
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return cls(private, Ed25519PublicKey(raw))

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``message``."""
        return self._private.sign(message)

    def secret_seed(self) -> bytes:
        """Return the 32-byte secret seed (for key stores; never log it)."""
        return self._private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def secret_multibase(self) -> str:
        """Return the ``secretKeyMultibase`` encoding (for export; never log it)."""
        return "z" + base58btc_encode(_ED25519_PRIV + self.secret_seed())

    def __repr__(self) -> str:
        return f"Ed25519KeyPair(public_key={self.public_key.multibase!r})"

    __str__ = __repr__
