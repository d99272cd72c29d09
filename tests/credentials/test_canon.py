"""Canonicalization bounds and error translation."""

from __future__ import annotations

import math
from typing import Any

import pytest

from certmint.credentials import (
    BundledDocumentLoader,
    CanonicalizationError,
    LimitExceededError,
    Limits,
    UnknownDocumentError,
    canonicalize_jcs,
    canonicalize_rdfc,
    check_json_bounds,
    work_budget,
)


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def test_json_bounds() -> None:
    check_json_bounds(_nested(10), Limits(max_depth=11))
    with pytest.raises(LimitExceededError) as info:
        check_json_bounds(_nested(10_000), Limits(max_depth=64))
    assert info.value.limit == "JSON depth"
    with pytest.raises(LimitExceededError, match="JSON values"):
        check_json_bounds(list(range(100)), Limits(max_values=50))


def test_unknown_context_surfaces_as_the_loader_error(loader: BundledDocumentLoader) -> None:
    with pytest.raises(UnknownDocumentError):
        canonicalize_rdfc({"@context": "https://example.org/nope", "@id": "urn:x"}, loader)


def test_pyld_errors_are_translated(loader: BundledDocumentLoader) -> None:
    with pytest.raises(CanonicalizationError, match="JSON-LD"):
        canonicalize_rdfc({"@context": {"@version": 2.0}, "@id": "urn:x"}, loader)


def test_quad_limit(loader: BundledDocumentLoader) -> None:
    document = {"@context": {"p": "urn:p"}, "@id": "urn:s", "p": [str(i) for i in range(20)]}
    assert canonicalize_rdfc(document, loader).count("\n") == 20
    with pytest.raises(LimitExceededError, match="quads"):
        canonicalize_rdfc(document, loader, Limits(max_quads=10))


@pytest.mark.parametrize("value", [math.nan, math.inf, 2**60, {"k": object()}])
def test_jcs_refuses_what_json_cannot_say_exactly(value: Any) -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize_jcs(value)


def test_jcs_sorts_keys_by_utf16_and_formats_numbers() -> None:
    value = {"\u20ac": 1, "\U0001f600": 2, "a": [1.0, 1e21, -0.0, "\u2028"]}
    # RFC 8785 § 3.2.3: keys sort by UTF-16 code units, so U+20AC precedes U+1F600 (D83D DE00)
    expected = '{"a":[1,1e+21,0,"\u2028"],"\u20ac":1,"\U0001f600":2}'.encode()
    assert canonicalize_jcs(value) == expected


def test_a_request_budget_spans_every_document_and_cannot_be_extended(
    loader: BundledDocumentLoader,
) -> None:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    with work_budget(60.0) as budget:
        canonicalize_rdfc(document, loader)  # within the budget: done
        with work_budget(3600.0) as inner:
            assert inner is budget  # a nested call shares the outer budget
        budget.seconds = 0.0  # as if every second were spent
        with pytest.raises(LimitExceededError, match="seconds of work for the request"):
            canonicalize_rdfc(document, loader)
    canonicalize_rdfc(document, loader)  # outside: only the per-document limits apply
