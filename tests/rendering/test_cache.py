"""Cache keys change with every input that changes the output, and only with those."""

from __future__ import annotations

from pathlib import Path

import pytest

from certmint.rendering import FileCache, cache_key

BASE = {
    "template": b"<svg/>",
    "values": {"recipient.name": "Anna", "course.name": "Maths"},
    "output": "pdf",
    "qr_url": "https://x/v/1",
    "credential": b"{}",
    "options": {"width": 1600},
    "library_versions": {"librsvg": "2.54.7"},
}


def test_key_is_stable_and_order_independent() -> None:
    reordered = {**BASE, "values": {"course.name": "Maths", "recipient.name": "Anna"}}
    assert cache_key(**BASE) == cache_key(**reordered)  # type: ignore[arg-type]
    assert len(cache_key(**BASE)) == 64  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("template", b"<svg />"),
        ("values", {"recipient.name": "Anna ", "course.name": "Maths"}),
        ("output", "png"),
        ("qr_url", "https://x/v/2"),
        ("credential", b"{ }"),
        ("options", {"width": 1601}),
        ("library_versions", {"librsvg": "2.58.0"}),
    ],
)
def test_every_input_changes_the_key(field: str, value: object) -> None:
    assert cache_key(**{**BASE, field: value}) != cache_key(**BASE)  # type: ignore[arg-type]


def test_file_cache_round_trip(tmp_path: Path) -> None:
    cache = FileCache(tmp_path)
    key = cache_key(**BASE)  # type: ignore[arg-type]
    assert cache.get(key, ".pdf") is None
    path = cache.put(key, ".pdf", b"%PDF-1.5")
    assert path.parent.name == key[:2]
    assert cache.get(key, ".pdf") == b"%PDF-1.5"
    assert not list(path.parent.glob(".tmp-*"))


@pytest.mark.parametrize(("key", "suffix"), [("../../etc/passwd", ".pdf"), ("a" * 64, "/x")])
def test_file_cache_refuses_paths(tmp_path: Path, key: str, suffix: str) -> None:
    with pytest.raises(ValueError, match="not a"):
        FileCache(tmp_path).get(key, suffix)
