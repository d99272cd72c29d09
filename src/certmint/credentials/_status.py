"""W3C Bitstring Status List v1.0: https://www.w3.org/TR/vc-bitstring-status-list/.

A status list is a bitstring published inside a signed ``BitstringStatusListCredential``; a
credential points at one bit with a ``BitstringStatusListEntry``. Index 0 is the left-most bit
(the most significant bit of the first byte, § 3.2 "Bitstring Generation Algorithm"). The
``encodedList`` is ``u`` + base64url without padding of the GZIP-compressed bitstring, and a
list holds at least 131,072 entries (16 KiB), so that one bit reveals little about who is checked
(§ 6.1 "Herd Privacy").
"""

from __future__ import annotations

import base64
import gzip
import random
import zlib
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from certmint.credentials._builder import VC2_CONTEXT, check_iri
from certmint.credentials._proofs import format_datetime
from certmint.credentials.errors import StatusListError, StatusListFullError
from certmint.domain.messages import Message

__all__ = [
    "MIN_STATUS_LIST_SIZE",
    "BitstringStatusList",
    "BitstringStatusListChecker",
    "StatusChecker",
    "StatusResult",
    "choose_status_index",
    "read_status_list_credential",
    "status_list_credential",
]

MIN_STATUS_LIST_SIZE = 131_072
_MAX_STATUS_LIST_BYTES = 16 * 1024 * 1024  # decompression bound: a gzip bomb stops here
_RANDOM_TRIES = 64


class BitstringStatusList:
    """A mutable bitstring of status bits (one bit per credential, ``statusSize`` 1).

    https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslist
    """

    def __init__(self, size: int = MIN_STATUS_LIST_SIZE, *, data: bytes | None = None) -> None:
        if data is not None:
            size = len(data) * 8
        if size < MIN_STATUS_LIST_SIZE or size % 8:
            raise StatusListError(
                f"a status list holds a multiple of 8 and at least {MIN_STATUS_LIST_SIZE} bits"
            )
        self._bits = bytearray(data if data is not None else size // 8)

    @property
    def size(self) -> int:
        """Number of entries (bits)."""
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise StatusListError(f"index {index} is outside the list of {self.size} entries")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        """Return whether the bit at ``index`` is set (e.g. revoked)."""
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        """Set (or with ``value=False`` clear) the bit at ``index``."""
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        """Return the raw bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """Return the ``encodedList`` value (deterministic: GZIP mtime is 0)."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")

    @classmethod
    def decode(
        cls, encoded: str, *, max_bytes: int = _MAX_STATUS_LIST_BYTES
    ) -> BitstringStatusList:
        """Parse an ``encodedList``; raises ``StatusListError`` (also for oversized lists)."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (start with 'u')")
        body = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=31)  # 31: gzip framing
            data = inflater.decompress(compressed, max_bytes)
        except (ValueError, zlib.error) as exc:
            raise StatusListError(f"encodedList is not base64url GZIP data: {exc}") from exc
        if inflater.unconsumed_tail:
            raise StatusListError(f"status list is larger than {max_bytes} bytes")
        return cls(data=data)


def choose_status_index(rng: random.Random, taken: Set[int], size: int) -> int:
    """Return a free index chosen uniformly at random (random indexes give herd privacy).

    ``rng`` should be ``random.SystemRandom()`` in production. Raises ``StatusListFullError``
    when every index is taken. Collisions between concurrent issuers are for the caller's
    storage to prevent (a unique constraint), this only avoids the ones it knows about.
    """
    if len(taken) >= size:
        raise StatusListFullError(size)
    for _ in range(_RANDOM_TRIES):
        index = rng.randrange(size)
        if index not in taken:
            return index
    start = rng.randrange(size)  # nearly full: scan from a random point
    for offset in range(size):
        index = (start + offset) % size
        if index not in taken:
            return index
    raise StatusListFullError(size)


def status_list_credential(
    *,
    list_url: str,
    issuer: str,
    purpose: str,
    status_list: BitstringStatusList,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """Return an unsigned ``BitstringStatusListCredential`` (§ 2.2), ready for ``sign_document``."""
    credential: dict[str, Any] = {
        "@context": [VC2_CONTEXT],
        "id": check_iri(list_url, "list_url"),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": check_iri(issuer, "issuer"),
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential


def read_status_list_credential(document: Mapping[str, Any]) -> tuple[str, BitstringStatusList]:
    """Return ``(statusPurpose, list)`` of a status list credential; raises ``StatusListError``.

    The signature is not checked here; see :class:`BitstringStatusListChecker`.
    """
    types = document.get("type")
    if not isinstance(types, list) or "BitstringStatusListCredential" not in types:
        raise StatusListError("not a BitstringStatusListCredential")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("credentialSubject is not a BitstringStatusList")
    purpose = subject.get("statusPurpose")
    if not isinstance(purpose, str):
        raise StatusListError("statusPurpose is missing")
    return purpose, BitstringStatusList.decode(subject.get("encodedList", ""))


@dataclass(frozen=True)
class StatusResult:
    """The answer of a status check: is the status bit of ``purpose`` set?

    https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """

    purpose: str
    is_set: bool
    detail: Message | None = None


# The purposes this checker's lists have, in words a reader's language can translate; any other
# purpose is shown as the list names it.
_PURPOSES = {
    "revocation": Message("revocation"),
    "suspension": Message("suspension"),
}


def status_purpose(purpose: str) -> Message | str:
    """A ``statusPurpose`` as shown to people."""
    return _PURPOSES.get(purpose, purpose)


#: ``check_status(entry, credential)``: looks up one ``credentialStatus`` entry.
#: Raises ``CredentialError`` when the status cannot be determined.
StatusChecker = Callable[[Mapping[str, Any], Mapping[str, Any]], StatusResult]


class BitstringStatusListChecker:
    """Checks ``BitstringStatusListEntry`` statuses (§ 3.2 "Validate Algorithm").

    ``fetch(url)`` returns the status list credential (from a database, a cache or HTTP: the
    caller decides). ``verify(document)`` must return whether that credential verifies; it is
    required, because an unsigned list would let anyone un-revoke a credential. The list must
    be issued by the credential's issuer and have the entry's purpose.
    """

    def __init__(
        self,
        fetch: Callable[[str], Mapping[str, Any]],
        verify: Callable[[Mapping[str, Any]], bool],
    ) -> None:
        self._fetch = fetch
        self._verify = verify

    def __call__(self, entry: Mapping[str, Any], credential: Mapping[str, Any]) -> StatusResult:
        if entry.get("type") != "BitstringStatusListEntry":
            raise StatusListError(f"unsupported status type {entry.get('type')!r}")
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        index = entry.get("statusListIndex")
        if not isinstance(url, str) or not isinstance(purpose, str) or not isinstance(index, str):
            raise StatusListError("the status entry is incomplete")
        if not index.isdigit() or len(index) > 12:
            raise StatusListError(f"statusListIndex {index!r} is not a non-negative integer")
        if entry.get("statusSize", 1) not in (1, "1"):
            raise StatusListError("only statusSize 1 is supported")
        document = self._fetch(url)
        if not self._verify(document):
            raise StatusListError(f"the status list credential {url} does not verify")
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        list_issuer = document.get("issuer")
        list_issuer_id = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
        if issuer_id != list_issuer_id:
            raise StatusListError("the status list is not issued by the credential's issuer")
        list_purpose, bits = read_status_list_credential(document)
        if list_purpose != purpose:
            raise StatusListError(f"the list's purpose is {list_purpose!r}, not {purpose!r}")
        is_set = bits.get(int(index))
        detail = Message(
            "%(purpose)s bit %(index)s of %(url)s is %(value)s",
            purpose=status_purpose(purpose),
            index=index,
            url=url,
            value=int(is_set),
        )
        return StatusResult(purpose, is_set, detail)
