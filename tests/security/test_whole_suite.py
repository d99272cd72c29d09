"""Finding 14: ``make test`` on a fresh machine skipped 44 tests (no Node.js, Redis or
PostgreSQL) and failed by chance (the Hindi crawl read fragments of random certificate numbers as
English words). Under ``make test`` and CI a test whose service is missing fails instead of
skipping, and the crawl takes the values a test made out whole."""

from __future__ import annotations

import random

import pytest

import tests.conftest as suite
from certmint.domain.certificates import certificate_number
from tests.web.pages.admin.test_hindi import _english_left


def test_a_missing_service_fails_under_make_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suite, "EVERY_SERVICE", True)
    with pytest.raises(pytest.fail.Exception, match="provide every service"):
        suite.require_service("no Redis here")
    monkeypatch.setattr(suite, "EVERY_SERVICE", False)
    with pytest.raises(pytest.skip.Exception):  # run by hand, a missing service is a skip
        suite.require_service("no Redis here")


def test_random_certificate_numbers_are_never_read_as_words() -> None:
    """Whatever the random bits, a number the pages print is data: short data values inside it
    (the crawl's country codes) never cut it into word-like pieces ("HQ", "D") that the crawl
    would report as English."""
    short = {"IN", "NP", "LK", "BT", "final", "quiz", "country"}
    generator = random.Random(14)
    for _ in range(2_000):
        number = certificate_number(2026, generator.getrandbits(50))
        page = f"प्रमाणपत्र {number} · देश NP · IN"
        assert _english_left(page, short | {number}) == set(), number
