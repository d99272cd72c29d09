"""Messages: English as it was always written, and any language's words and numbers."""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from certmint.domain.messages import ENGLISH, Joined, Message, Sentence, cut_decimal


class Shouting:
    """A language whose translations are upper case and whose numbers are bracketed: what
    shows that each part of a message went through the language given."""

    def gettext(self, message: str) -> str:
        return re.sub(r"%\(\w+\)S", lambda m: m[0].lower(), message.upper())

    def number(self, value: int | float | Decimal) -> str:
        return f"[{value}]"


def test_english_is_the_text_filled_in() -> None:
    message = Message(
        "score %(actual)s < %(required)s in %(assessment)s",
        actual=Fraction(54),
        required=60,
        assessment="final",
    )
    assert str(message) == message.render(ENGLISH) == "score 54 < 60 in final"
    assert str(Message("no scores")) == "no scores"
    assert str(Message("at least %(percent)s%%", percent=72.5)) == "at least 72.5%"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(54), "54"),
        (Fraction(145, 2), "72.5"),
        (Fraction(2, 3) * 100, "66.666…"),  # cut, never rounded up to 66.667
        (Fraction(59999, 1000), "59.999"),
        (Fraction(599999, 10000), "59.999…"),  # 59.9999 does not read as 60
    ],
)
def test_fractions_are_cut_not_rounded(value: Fraction, shown: str) -> None:
    assert str(Message("%(n)s", n=value)) == shown


def test_cut_decimal_says_whether_it_cut() -> None:
    assert cut_decimal(Fraction(1, 8)) == (Decimal("0.125"), False)
    assert cut_decimal(Fraction(1, 3)) == (Decimal("0.333"), True)


def test_every_part_is_written_in_the_language_given() -> None:
    inner = Message("at least %(percent)s%%", percent=60)
    message = Message("scored %(amount)s in %(assessment)s", amount=inner, assessment="final")
    shouting = Shouting()
    assert message.render(shouting) == "SCORED AT LEAST [60]% IN final"  # data stays as typed
    listing = Joined((Message("completed"), "IN", Fraction(1, 3)), "; ")
    assert listing.render(shouting) == "COMPLETED; IN; [0.333]…"
    assert str(listing) == "completed; IN; 0.333…"


def test_a_sentence_starts_with_a_capital_and_ends_the_language_s_way() -> None:
    phrase = Message("completed the course")
    assert str(Sentence(phrase)) == "Completed the course."
    assert Sentence(phrase).render(Shouting()) == "COMPLETED THE COURSE."


def test_messages_compare_by_text_and_values() -> None:
    assert Message("no %(key)s attribute", key="country") == Message(
        "no %(key)s attribute", key="country"
    )
    assert Message("no %(key)s attribute", key="country") != Message(
        "no %(key)s attribute", key="city"
    )
    assert len({Message("a"), Message("a"), Message("b")}) == 2
