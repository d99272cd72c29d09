"""Words for people, kept as data until they are shown, so each reader gets them in their own
language: a message is its English text (with ``%(name)s`` placeholders; it is also the gettext
message id) and the values that fill it.

The domain and the services return messages (the criteria's sentence, the dry run's reasons,
the problems of a CSV file) instead of English sentences. ``str(message)`` is the English text,
exactly as it was always written, which the CLI, the API and signed credentials use; the pages
render the same message with their request's ``Language`` (gettext and Babel's number format,
``web/i18n.py``). So there is one place that builds each sentence, and no copy per language.

Values are shown by kind: text as it is (data: names, ids, what was typed), numbers by the
language (``int``, ``float``, ``Decimal``; a ``Fraction`` as ``cut_decimal`` writes it), and
other messages in the same language. ``scripts/update-translations.sh`` finds the texts of
``Message("...")`` calls (``locale/babel.cfg`` lists the files), like ``_()`` in templates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol, TypeAlias

__all__ = [
    "ENGLISH",
    "N_",
    "Joined",
    "Language",
    "Message",
    "Said",
    "Sentence",
    "Value",
    "cut_decimal",
]


class Language(Protocol):
    """How one language writes: a message's translation, and a number."""

    def gettext(self, message: str) -> str: ...

    def number(self, value: int | float | Decimal) -> str: ...


class _English:
    """The messages as written (the source language), numbers in Python's plain form."""

    def gettext(self, message: str) -> str:
        return message

    def number(self, value: int | float | Decimal) -> str:
        return format(value, "f") if isinstance(value, Decimal) else str(value)


ENGLISH: Language = _English()


class Said(Protocol):
    """Anything that can be shown in a language: a message, a sentence, a list."""

    def render(self, language: Language = ENGLISH) -> str: ...


Value: TypeAlias = "str | int | float | Decimal | Fraction | Said"


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name for "mark, don't translate")
    """``message`` unchanged: marks text for the catalogues where it is written; it is
    translated where it is shown."""
    return message


class Message:
    """An English text with ``%(name)s`` placeholders and the values that fill them."""

    __slots__ = ("text", "values")

    def __init__(self, text: str, /, **values: Value) -> None:
        self.text = text
        self.values = values

    def render(self, language: Language = ENGLISH) -> str:
        template = language.gettext(self.text)
        if not self.values:
            return template
        return template % {name: _show(value, language) for name, value in self.values.items()}

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.text!r}, **{self.values!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.text == other.text and self.values == other.values

    def __hash__(self) -> int:
        return hash((self.text, tuple(sorted(self.values.items(), key=lambda kv: kv[0]))))


@dataclass(frozen=True, slots=True)
class Joined:
    """Several values shown one after another with ``separator`` between them (a list of
    conditions, of problems); punctuation is the same in every language Certmint speaks."""

    items: tuple[Value, ...]
    separator: str = ", "

    @classmethod
    def of(cls, items: Iterable[Value], separator: str = ", ") -> Joined:
        return cls(tuple(items), separator)

    def render(self, language: Language = ENGLISH) -> str:
        return self.separator.join(_show(item, language) for item in self.items)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True, slots=True)
class Sentence:
    """A phrase made a sentence: its first letter a capital (where the script has capitals),
    ended the language's way (``%(sentence)s.``; Hindi ends with ``।``)."""

    phrase: Said

    def render(self, language: Language = ENGLISH) -> str:
        text = self.phrase.render(language)
        return Message("%(sentence)s.", sentence=text[:1].upper() + text[1:]).render(language)

    def __str__(self) -> str:
        return self.render()


def cut_decimal(value: Fraction, places: int = 3) -> tuple[Decimal, bool]:
    """``value`` cut (never rounded) to ``places`` decimals, and whether anything was cut.

    Shown as people write it (54, 72.5, and 66.666… for 2/3 of the marks): never rounded up,
    so a shown fail never looks like a pass.
    """
    scaled = value * 10**places
    return (Decimal(math.floor(scaled)) / 10**places).normalize(), scaled.denominator != 1


def _show(value: Value, language: Language) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Fraction):
        digits, cut = cut_decimal(value)
        return language.number(digits) + ("…" if cut else "")
    if isinstance(value, int | float | Decimal):
        return language.number(value)
    return value.render(language)
