"""The allow-list itself: nothing that runs, fetches or animates can ever be added by mistake."""

from __future__ import annotations

import pytest

from certmint.rendering._allowlist import ATTRIBUTES, ELEMENTS, PRESENTATION

DANGEROUS_ELEMENTS = [
    "script", "foreignObject", "style", "a", "iframe", "object", "embed", "animate", "set",
    "animateTransform", "animateMotion", "filter", "feImage", "font", "font-face", "handler",
    "listener", "discard", "switch", "cursor", "audio", "video",
]  # fmt: skip
DANGEROUS_ATTRIBUTES = [
    "onload", "onclick", "onbegin", "onerror", "xml:base", "xlink:href", "externalResourcesRequired",
    "requiredExtensions", "filter", "cursor", "begin", "to", "values", "attributeName",
]  # fmt: skip


@pytest.mark.parametrize("name", DANGEROUS_ELEMENTS)
def test_dangerous_element_is_not_allowed(name: str) -> None:
    assert name not in ELEMENTS


@pytest.mark.parametrize("name", DANGEROUS_ATTRIBUTES)
def test_dangerous_attribute_is_not_allowed(name: str) -> None:
    # xlink:href is handled by its qualified name and checked value by value, like href
    assert name not in ATTRIBUTES


def test_no_event_handlers_at_all() -> None:
    assert not [name for name in ATTRIBUTES if name.lower().startswith("on")]


def test_presentation_properties_are_attributes_too() -> None:
    assert PRESENTATION <= ATTRIBUTES
