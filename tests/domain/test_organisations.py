"""Branding colours: only ``#rrggbb``, since pages and e-mails write them into ``style``."""

from __future__ import annotations

import pytest

from certmint.domain.organisations import Branding, is_colour

HOSTILE_COLOURS = [
    "#123456\n",  # a trailing newline: what a ``$``-anchored pattern lets through
    "#fff;background:url(https://evil.example/x)",
    '#123456"><script>alert(1)</script>',
    "#123456;}</style><img src=x onerror=alert(1)>",
    "red",
    "#1234567",
    "#12345",
    "#ABCDEF",  # kept lower case: the use case lowers what is typed
    " #123456",
]


def test_a_colour_is_seven_characters_and_nothing_else() -> None:
    assert is_colour("#0b6e4f")
    assert not any(is_colour(colour) for colour in HOSTILE_COLOURS)


@pytest.mark.parametrize("colour", HOSTILE_COLOURS)
def test_branding_refuses_what_is_not_a_colour(colour: str) -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        Branding(primary_colour=colour)
    with pytest.raises(ValueError, match="#rrggbb"):
        Branding(accent_colour=colour)


def test_no_colour_is_the_instances_own() -> None:
    assert Branding(primary_colour="", accent_colour="#0b6e4f").primary_colour == ""
