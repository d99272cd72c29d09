"""Pango measurement and the shrink-then-wrap rule: exact fit, nothing ever truncated."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certmint.rendering import (
    FontSet,
    FontSpec,
    base_direction,
    fit_text,
    line_breaks,
    measure_text,
)

SERIF = FontSpec("Noto Serif, serif", 40, 700)


def test_width_grows_with_text_and_scales_with_size(fonts: FontSet) -> None:
    short = measure_text(fonts, "Anna", SERIF)
    longer = measure_text(fonts, "Anna Karenina", SERIF)
    assert 0 < short < longer
    half = measure_text(fonts, "Anna Karenina", SERIF.at(20))
    assert half == pytest.approx(longer / 2, rel=0.01)


def test_bold_is_wider_than_regular(fonts: FontSet) -> None:
    regular = FontSpec("Noto Serif, serif", 40, 400)
    assert measure_text(fonts, "Wolfgang", SERIF) > measure_text(fonts, "Wolfgang", regular)


def test_short_text_keeps_its_design_size(fonts: FontSet) -> None:
    fitted = fit_text(fonts, "Anna", SERIF, max_width=500)
    assert fitted == fitted.__class__(("Anna",), 40)


def test_slightly_long_text_shrinks_on_one_line(fonts: FontSet) -> None:
    text = "Alexandra Konstantinopoulou"
    width = measure_text(fonts, text, SERIF) * 0.9
    fitted = fit_text(fonts, text, SERIF, max_width=width)
    assert fitted.lines == (text,)
    assert 0.65 * 40 <= fitted.size < 40
    assert measure_text(fonts, text, SERIF.at(fitted.size)) <= width


def test_long_text_wraps_before_shrinking_further(fonts: FontSet) -> None:
    text = "Sri Venkata Lakshmi Narasimha Satya Prasad Subrahmanya Chakravarthy"
    width = measure_text(fonts, text, SERIF) * 0.55
    fitted = fit_text(fonts, text, SERIF, max_width=width)
    assert len(fitted.lines) == 2
    assert " ".join(fitted.lines) == text
    one_line = 40 * width / measure_text(fonts, text, SERIF)
    assert fitted.size > one_line
    for line in fitted.lines:
        assert measure_text(fonts, line, SERIF.at(fitted.size)) <= width


def test_two_hundred_characters_are_never_truncated(fonts: FontSet) -> None:
    text = " ".join(["Bartholomew-Maximilian"] * 9)[:200]
    assert len(text) == 200
    fitted = fit_text(fonts, text, SERIF, max_width=600)
    assert "".join(fitted.lines).replace(" ", "") == text.replace(" ", "")
    assert all(measure_text(fonts, ln, SERIF.at(fitted.size)) <= 600 for ln in fitted.lines)


def test_single_line_slots_never_wrap(fonts: FontSet) -> None:
    text = "Certificate of Outstanding Achievement in Advanced Studies"
    fitted = fit_text(fonts, text, SERIF, max_width=300, max_lines=1)
    assert fitted.lines == (text,)
    assert measure_text(fonts, text, SERIF.at(fitted.size)) <= 300


def test_cjk_breaks_between_ideographs(fonts: FontSet) -> None:
    text = "欧阳修远司马相如诸葛亮孔明"
    assert len(line_breaks(fonts, text)) >= len(text) - 2
    fitted = fit_text(fonts, text, SERIF, max_width=measure_text(fonts, text, SERIF) * 0.5)
    assert len(fitted.lines) == 2
    assert "".join(fitted.lines) == text


def test_indic_breaks_only_between_words(fonts: FontSet) -> None:
    # A break inside "क्षत्रिय" would split a conjunct; Pango only offers the space.
    assert line_breaks(fonts, "अनुष्का क्षत्रिय") == (len("अनुष्का "),)


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("محمد علی", "rtl"),
        ("123 محمد", "rtl"),
        ("Anna محمد", "ltr"),
        ("שלום", "rtl"),
        ("42", "ltr"),
    ],
)
def test_base_direction(text: str, direction: str) -> None:
    assert base_direction(text) == direction


NAME_TEXT = st.text(
    alphabet=st.characters(
        categories=("Lu", "Ll", "Lo", "Mn", "Mc", "Nd", "Zs", "Pd", "Po"),
        include_characters="अआक्षत्रिয়ணஸ்ரீ中文한국محمد ",
    ),
    min_size=1,
    max_size=120,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=NAME_TEXT, width=st.floats(min_value=60, max_value=700))
def test_fit_never_drops_a_character_and_always_fits(
    fonts: FontSet, text: str, width: float
) -> None:
    fitted = fit_text(fonts, text, SERIF, max_width=width)
    assert 1 <= len(fitted.lines) <= 2
    assert "".join("".join(fitted.lines).split()) == "".join(text.split())
    assert 0 < fitted.size <= SERIF.size
    for line in fitted.lines:
        assert measure_text(fonts, line, SERIF.at(fitted.size)) <= width
