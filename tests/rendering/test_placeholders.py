"""The placeholder vocabulary: closed, documented, and values checked before printing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from certmint.rendering import (
    PLACEHOLDERS,
    InvalidValue,
    MissingValue,
    UnknownPlaceholder,
    check_placeholders,
    check_values,
    find_placeholders,
    sample_values,
)

DOCS = Path(__file__).parents[2] / "docs" / "templates.md"


def test_find_placeholders_strips_spaces() -> None:
    assert find_placeholders("Dear {{ recipient.name }}, {{course.name}}") == (
        "recipient.name",
        "course.name",
    )


def test_unknown_placeholder_lists_the_known_ones() -> None:
    with pytest.raises(UnknownPlaceholder) as caught:
        check_placeholders(["recipient.name", "recipient.nmae", "student"])
    assert caught.value.names == ("recipient.nmae", "student")
    assert set(caught.value.known) == set(PLACEHOLDERS)


def test_missing_values_are_named() -> None:
    with pytest.raises(MissingValue) as caught:
        check_values(["recipient.name", "course.name", "qr"], {"course.name": "Maths"})
    assert caught.value.names == ("recipient.name",)


@pytest.mark.parametrize("value", ["Ann\x00a", "Ann\x1ba", "Ann\x7fa", "A\ufffe"])
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        check_values(["recipient.name"], {"recipient.name": value})
    assert caught.value.name == "recipient.name"


def test_values_are_nfc_normalised() -> None:
    decomposed = "Rene\u0301e"
    assert check_values(["recipient.name"], {"recipient.name": decomposed}) == {
        "recipient.name": "Renée"
    }


def test_sample_values_cover_every_placeholder() -> None:
    assert set(sample_values()) == set(PLACEHOLDERS) - {"qr"}


def test_docs_list_exactly_the_placeholders() -> None:
    documented = set(re.findall(r"^\| `\{\{([a-z0-9_.]+)\}\}`", DOCS.read_text(), re.MULTILINE))
    assert documented == set(PLACEHOLDERS)
