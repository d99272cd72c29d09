"""The placeholder vocabulary of certificate templates, and the checks against it.

Why a closed list: a typo like ``{{recipient.nmae}}`` must fail when the template is uploaded,
not print an empty line on ten thousand certificates. ``docs/templates.md`` documents every
name here (a test keeps the two in step).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from certmint.rendering.errors import InvalidValue, MissingValue, UnknownPlaceholder

__all__ = [
    "MAX_SIGNATORIES",
    "PLACEHOLDERS",
    "PLACEHOLDER_PATTERN",
    "QR_PLACEHOLDER",
    "check_placeholders",
    "check_values",
    "find_placeholders",
    "sample_values",
]

MAX_SIGNATORIES = 4
QR_PLACEHOLDER = "qr"
PLACEHOLDER_PATTERN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)

_BASE: dict[str, str] = {
    "recipient.name": "the learner's name as it should be printed",
    "course.name": "the course title",
    "course.code": "the course code",
    "batch.name": "the batch (cohort) name",
    "batch.start_date": "first day of the batch, formatted",
    "batch.end_date": "last day of the batch, formatted",
    "achievement.name": 'what is awarded, e.g. "Completion" or "Merit"',
    "achievement.description": "one line describing the achievement",
    "issued_on": "issue date, formatted",
    "valid_until": "expiry date, formatted (only for achievements with a validity period)",
    "certificate.number": "the human-readable certificate number",
    "certificate.id": "the unguessable certificate id used in the verification URL",
    "issuer.name": "the issuing organisation's name",
    "issuer.url": "the issuing organisation's web address",
    "verification.url": "BASE/v/<certificate id>, the URL the QR code holds",
    QR_PLACEHOLDER: 'the QR code; only as <image href="{{qr}}" x= y= width= height=>',
}
_SIGNATORIES: dict[str, str] = {
    f"signatory.{n}.{field}": f"signatory {n}'s {label}"
    for n in range(1, MAX_SIGNATORIES + 1)
    for field, label in (("name", "name"), ("designation", "designation or title"))
}
PLACEHOLDERS: Mapping[str, str] = {**_BASE, **_SIGNATORIES}
"""Every placeholder name, with what it prints."""

# Characters XML 1.0 cannot carry and that would corrupt a PDF text layer or a signature.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_MAX_VALUE_CHARS = 1000


def find_placeholders(text: str) -> tuple[str, ...]:
    """Names inside ``{{ }}`` in ``text``, stripped of spaces, in order of appearance."""
    return tuple(match.group(1).strip() for match in PLACEHOLDER_PATTERN.finditer(text))


def check_placeholders(names: Iterable[str]) -> frozenset[str]:
    """Return the names as a set, or raise ``UnknownPlaceholder`` listing the known ones."""
    found = frozenset(names)
    unknown = sorted(found - PLACEHOLDERS.keys())
    if unknown:
        raise UnknownPlaceholder(tuple(unknown), tuple(sorted(PLACEHOLDERS)))
    return found


def check_values(needed: Iterable[str], values: Mapping[str, str]) -> dict[str, str]:
    """The values for ``needed`` names, NFC-normalised.

    Raises ``MissingValue`` for absent names and ``InvalidValue`` for control characters or
    values over 1000 characters (no name is that long; it would be an injection attempt).
    """
    wanted = sorted(set(needed) - {QR_PLACEHOLDER})
    missing = tuple(name for name in wanted if name not in values)
    if missing:
        raise MissingValue(missing)
    clean = {}
    for name in wanted:
        value = values[name]
        if not isinstance(value, str):
            raise InvalidValue(name, f"expected text, got {type(value).__name__}")
        if _FORBIDDEN.search(value):
            raise InvalidValue(name, "contains control characters")
        if len(value) > _MAX_VALUE_CHARS:
            raise InvalidValue(name, f"longer than {_MAX_VALUE_CHARS} characters")
        clean[name] = unicodedata.normalize("NFC", value)
    return clean


def sample_values(recipient_name: str = "Aanya Sharma") -> dict[str, str]:
    """Plausible values for every placeholder, for previews and tests."""
    values = {
        "recipient.name": recipient_name,
        "course.name": "Foundations of Data Science",
        "course.code": "DS-101",
        "batch.name": "Spring 2026",
        "batch.start_date": "12 January 2026",
        "batch.end_date": "30 April 2026",
        "achievement.name": "Completion",
        "achievement.description": "for successfully completing all modules and assessments",
        "issued_on": "15 May 2026",
        "valid_until": "15 May 2029",
        "certificate.number": "CM-2026-000123",
        "certificate.id": "q7Hc2bLxR4mWn9TzVk3pYa",
        "issuer.name": "Certmint Academy",
        "issuer.url": "https://academy.example.org",
        "verification.url": "https://certs.example.org/v/q7Hc2bLxR4mWn9TzVk3pYa",
    }
    names = ("Dr. Meera Iyer", "Rahul Verma", "Sofia Lindqvist", "Kwame Mensah")
    titles = ("Director", "Course Lead", "Dean of Studies", "Registrar")
    for n in range(1, MAX_SIGNATORIES + 1):
        values[f"signatory.{n}.name"] = names[n - 1]
        values[f"signatory.{n}.designation"] = titles[n - 1]
    return values
