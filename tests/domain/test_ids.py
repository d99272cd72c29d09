from __future__ import annotations

import time

from certmint.domain.ids import time_ordered_id


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
