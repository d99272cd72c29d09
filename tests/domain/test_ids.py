from __future__ import annotations

import time
import uuid

from certmint.domain.ids import parse_url_id, time_ordered_id, url_id


def test_version_variant_and_timestamp() -> None:
    before = time.time_ns() // 1_000_000
    value = time_ordered_id()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"
    assert before <= value.int >> 80 <= after


def test_ids_are_unique_and_roughly_ordered() -> None:
    ids = [time_ordered_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    prefixes = [i.int >> 80 for i in ids]
    assert prefixes == sorted(prefixes)


def test_url_ids_are_short_and_round_trip() -> None:
    value = uuid.uuid4()
    short = url_id(value)
    assert len(short) == 22
    assert set(short) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert parse_url_id(short) == value
    assert parse_url_id(str(value)) == value
    for junk in ("", "x" * 21, "!" * 22, "not-a-uuid", "ÿ" * 22):
        assert parse_url_id(junk) is None
