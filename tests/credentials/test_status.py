"""Bitstring Status List v1.0: bits, encoding, index choice and status list credentials."""

from __future__ import annotations

import base64
import gzip
import random
from collections.abc import Callable
from typing import Any

import pytest

from certmint.credentials import (
    MIN_STATUS_LIST_SIZE,
    BitstringStatusList,
    BitstringStatusListChecker,
    StatusListError,
    StatusListFullError,
    choose_status_index,
    read_status_list_credential,
    status_list_credential,
)
from tests.credentials.conftest import ISSUER_DID, NOW

# The all-zero 16 KiB list of the spec's example BitstringStatusListCredential.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def test_decodes_the_spec_example() -> None:
    bits = BitstringStatusList.decode(SPEC_EXAMPLE)
    assert bits.size == MIN_STATUS_LIST_SIZE
    assert bits.to_bytes() == bytes(MIN_STATUS_LIST_SIZE // 8)


def test_index_zero_is_the_left_most_bit() -> None:
    bits = BitstringStatusList()
    bits.set(0)
    bits.set(9)
    assert bits.to_bytes()[:2] == b"\x80\x40"
    bits.set(MIN_STATUS_LIST_SIZE - 1)
    assert bits.to_bytes()[-1] == 0x01
    assert [bits.get(i) for i in (0, 1, 9, MIN_STATUS_LIST_SIZE - 1)] == [True, False, True, True]
    bits.set(9, False)
    assert not bits.get(9)


def test_encoding_round_trips_and_is_multibase_base64url_gzip() -> None:
    bits = BitstringStatusList()
    for index in (0, 7, 94_567, MIN_STATUS_LIST_SIZE - 1):
        bits.set(index)
    encoded = bits.encode()
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=="))
    assert raw == bits.to_bytes()
    assert BitstringStatusList.decode(encoded).to_bytes() == bits.to_bytes()
    assert bits.encode() == encoded  # deterministic


@pytest.mark.parametrize("size", [8, MIN_STATUS_LIST_SIZE - 8, MIN_STATUS_LIST_SIZE + 1])
def test_sizes_below_the_minimum_or_unaligned_are_refused(size: int) -> None:
    with pytest.raises(StatusListError):
        BitstringStatusList(size)


@pytest.mark.parametrize("index", [-1, MIN_STATUS_LIST_SIZE])
def test_out_of_range_index(index: int) -> None:
    with pytest.raises(StatusListError):
        BitstringStatusList().get(index)


@pytest.mark.parametrize(
    "encoded", ["zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"nogzip").decode()]
)
def test_malformed_encodings(encoded: str) -> None:
    with pytest.raises(StatusListError):
        BitstringStatusList.decode(encoded)


def test_decompression_is_bounded() -> None:
    bomb = gzip.compress(bytes(4 * 1024 * 1024))
    encoded = "u" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    with pytest.raises(StatusListError, match="larger"):
        BitstringStatusList.decode(encoded, max_bytes=1024 * 1024)


def test_choose_status_index_avoids_taken_indexes() -> None:
    rng = random.Random(7)
    taken: set[int] = set()
    for _ in range(1000):
        index = choose_status_index(rng, taken, MIN_STATUS_LIST_SIZE)
        assert index not in taken
        taken.add(index)
    assert max(taken) > MIN_STATUS_LIST_SIZE // 2  # spread over the list, not sequential


def test_choose_status_index_finds_the_last_free_index_and_then_reports_full() -> None:
    size = 64
    taken = set(range(size)) - {37}
    assert choose_status_index(random.Random(1), taken, size) == 37
    with pytest.raises(StatusListFullError) as info:
        choose_status_index(random.Random(1), set(range(size)), size)
    assert info.value.size == size


def _list_credential(
    sign: Callable[..., dict[str, Any]], revoked: set[int], purpose: str = "revocation"
) -> dict[str, Any]:
    bits = BitstringStatusList()
    for index in revoked:
        bits.set(index)
    unsigned = status_list_credential(
        list_url="https://certs.example.org/status/1",
        issuer=ISSUER_DID,
        purpose=purpose,
        status_list=bits,
        valid_from=NOW,
    )
    return sign(unsigned)


def test_status_list_credential_reads_back(sign: Callable[..., dict[str, Any]]) -> None:
    document = _list_credential(sign, {4242})
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    purpose, bits = read_status_list_credential(document)
    assert purpose == "revocation"
    assert bits.get(4242) and not bits.get(4243)


@pytest.mark.parametrize(
    "document",
    [
        {"type": ["VerifiableCredential"]},
        {"type": ["BitstringStatusListCredential"], "credentialSubject": {}},
    ],
)
def test_read_rejects_other_documents(document: dict[str, Any]) -> None:
    with pytest.raises(StatusListError):
        read_status_list_credential(document)


ENTRY = {
    "id": "https://certs.example.org/status/1#4242",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "4242",
    "statusListCredential": "https://certs.example.org/status/1",
}
CREDENTIAL = {"issuer": {"id": ISSUER_DID}}


def test_checker_reads_the_bit(sign: Callable[..., dict[str, Any]]) -> None:
    revoked = _list_credential(sign, {4242})
    checker = BitstringStatusListChecker(lambda url: revoked, lambda doc: True)
    assert checker(ENTRY, CREDENTIAL).is_set
    assert not checker(ENTRY | {"statusListIndex": "4241"}, CREDENTIAL).is_set


@pytest.mark.parametrize(
    ("entry", "credential", "verifies", "purpose", "message"),
    [
        (ENTRY, CREDENTIAL, False, "revocation", "does not verify"),
        (ENTRY, {"issuer": "did:web:other.example"}, True, "revocation", "not issued by"),
        (ENTRY, CREDENTIAL, True, "suspension", "purpose"),
        (ENTRY | {"statusListIndex": "-1"}, CREDENTIAL, True, "revocation", "non-negative"),
        (ENTRY | {"type": "StatusList2021Entry"}, CREDENTIAL, True, "revocation", "unsupported"),
        (ENTRY | {"statusSize": 2}, CREDENTIAL, True, "revocation", "statusSize"),
    ],
    ids=[
        "unsigned-list",
        "other-issuer",
        "wrong-purpose",
        "bad-index",
        "other-type",
        "status-size",
    ],
)
def test_checker_refuses_to_answer_when_it_cannot_trust_the_list(
    sign: Callable[..., dict[str, Any]],
    entry: dict[str, Any],
    credential: dict[str, Any],
    verifies: bool,
    purpose: str,
    message: str,
) -> None:
    document = _list_credential(sign, set(), purpose)
    checker = BitstringStatusListChecker(lambda url: document, lambda doc: verifies)
    with pytest.raises(StatusListError, match=message):
        checker(entry, credential)
