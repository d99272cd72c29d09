"""Filling templates: escaping, QR replacement, fitting, RTL mirroring, missing values."""

from __future__ import annotations

import io
import unicodedata
from xml.etree.ElementTree import fromstring

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from certmint.rendering import (
    FontSet,
    FontSpec,
    MissingValue,
    UnknownPlaceholder,
    UnsafeSvg,
    fill_template,
    measure_text,
    render_png,
    sample_values,
)

from .conftest import QR_URL, decode_qr, ink_box

SVG = "http://www.w3.org/2000/svg"


def template(body: str, width: int = 842, height: int = 595) -> bytes:
    return (
        f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}pt" '
        f'height="{height}pt" viewBox="0 0 {width} {height}">{body}</svg>'
    ).encode()


NAME_SLOT = (
    '<text x="421" y="300" text-anchor="middle" font-family="Noto Serif, serif" font-size="48" '
    'font-weight="700" data-fit-width="500" data-fit-lines="2">{{recipient.name}}</text>'
)


def test_values_are_escaped(fonts: FontSet) -> None:
    hostile = '</text><script>alert(1)</script>&amp;"'
    values = {"recipient.name": hostile}
    out = fill_template(template(NAME_SLOT), values, fonts=fonts)
    assert b"<script>" not in out
    texts = ["".join(el.itertext()) for el in fromstring(out).iter(f"{{{SVG}}}text")]
    assert texts == [hostile]


def test_placeholders_in_running_text_and_tails(fonts: FontSet) -> None:
    body = (
        '<text x="10" y="20">No. {{certificate.number}}<tspan> of {{ issuer.name }}</tspan>!</text>'
    )
    out = fill_template(template(body), sample_values(), fonts=fonts)
    assert "".join(fromstring(out).itertext()) == "No. CM-2026-000123 of Certmint Academy!"


def test_unknown_placeholder_in_template(fonts: FontSet) -> None:
    with pytest.raises(UnknownPlaceholder):
        fill_template(template('<text x="1" y="1">{{recipient.nmae}}</text>'), {}, fonts=fonts)


def test_missing_value_and_missing_qr_url(fonts: FontSet) -> None:
    with pytest.raises(MissingValue) as caught:
        fill_template(template(NAME_SLOT), {}, fonts=fonts)
    assert caught.value.names == ("recipient.name",)
    qr_only = template('<image x="10" y="10" width="100" height="100" href="{{qr}}"/>')
    with pytest.raises(MissingValue) as caught:
        fill_template(qr_only, {}, fonts=fonts)
    assert caught.value.names == ("qr",)


@pytest.mark.parametrize("attribute", ["href", "xlink:href"])
def test_qr_image_becomes_vector_paths_that_decode(fonts: FontSet, attribute: str) -> None:
    body = f'<image x="300" y="150" width="240" height="240" {attribute}="{{{{qr}}}}"/>'
    out = fill_template(template(body), {}, fonts=fonts, qr_url=QR_URL)
    assert b"<image" not in out
    assert b"<path" in out
    with Image.open(io.BytesIO(render_png(out, fonts, width_px=842))) as image:
        assert decode_qr(image.convert("L")) == [QR_URL]


def test_long_name_wraps_and_stays_in_its_slot(fonts: FontSet) -> None:
    name = "Sri Venkata Lakshmi Narasimha Satya Prasad Subrahmanya Chakravarthy Annapragada"
    out = fill_template(template(NAME_SLOT), {"recipient.name": name}, fonts=fonts)
    text = next(fromstring(out).iter(f"{{{SVG}}}text"))
    lines = [tspan.text or "" for tspan in text]
    assert " ".join(lines) == name
    size = float(text.get("font-size", "0"))
    assert 18 < size <= 48 * 0.8
    font = FontSpec("Noto Serif, serif", size, 700)
    assert all(measure_text(fonts, line, font) <= 500 for line in lines)
    assert "data-fit-width" not in text.attrib
    box = ink_box(render_png(out, fonts, width_px=842))
    assert box is not None
    left, _, right, _ = box
    assert left >= 421 - 250 - 1 and right <= 421 + 250 + 1


def test_rtl_value_in_start_anchored_slot_is_mirrored(fonts: FontSet) -> None:
    body = (
        '<text x="100" y="300" text-anchor="start" font-family="serif" font-size="40" '
        'data-fit-width="600">{{recipient.name}}</text>'
    )
    out = fill_template(template(body), {"recipient.name": "محمد عبدالله"}, fonts=fonts)
    text = next(fromstring(out).iter(f"{{{SVG}}}text"))
    assert text.get("direction") == "rtl"
    assert text.get("x") == "700"
    box = ink_box(render_png(out, fonts, width_px=842))
    assert box is not None
    assert 690 <= box[2] <= 702  # right-aligned at the slot's right edge
    assert box[0] >= 100


def test_language_sets_xml_lang(fonts: FontSet) -> None:
    out = fill_template(
        template(NAME_SLOT), {"recipient.name": "李小龍"}, fonts=fonts, language="zh-Hant"
    )
    assert fromstring(out).get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hant"


def test_qr_placeholder_as_text_is_refused(fonts: FontSet) -> None:
    with pytest.raises(UnsafeSvg, match="qr"):
        fill_template(template('<text x="1" y="1">{{qr}}</text>'), {}, fonts=fonts, qr_url=QR_URL)


def test_rtl_value_in_rtl_document_is_not_mirrored_twice(fonts: FontSet) -> None:
    body = (
        '<text x="700" y="300" text-anchor="start" font-family="serif" font-size="40" '
        'data-fit-width="600">{{recipient.name}}</text>'
    )
    rtl_doc = template(body).replace(b"<svg ", b'<svg direction="rtl" ', 1)
    out = fill_template(rtl_doc, {"recipient.name": "محمد عبدالله"}, fonts=fonts)
    text = next(fromstring(out).iter(f"{{{SVG}}}text"))
    assert text.get("x") == "700"
    box = ink_box(render_png(out, fonts, width_px=842))
    assert box is not None
    assert box[0] >= 100 and box[2] <= 702


@pytest.mark.parametrize(
    ("attribute", "value"), [("font-size", "2em"), ("font-size", "large"), ("font-weight", "heavy")]
)
def test_unmeasurable_fit_slot_is_refused(fonts: FontSet, attribute: str, value: str) -> None:
    body = (
        f'<text x="10" y="50" font-family="serif" font-size="20" {attribute}="{value}" '
        'data-fit-width="300">{{recipient.name}}</text>'
    ).replace('font-size="20" font-size', "font-size")
    with pytest.raises(UnsafeSvg, match="fitted text"):
        fill_template(template(body), {"recipient.name": "Ann"}, fonts=fonts)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.text(
        alphabet=st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn")),
        min_size=1,
        max_size=80,
    )
)
def test_any_printable_value_is_printed_literally(fonts: FontSet, value: str) -> None:
    body = '<text x="10" y="20">[{{course.name}}]</text>'
    out = fill_template(template(body), {"course.name": value}, fonts=fonts)
    text = next(fromstring(out).iter(f"{{{SVG}}}text"))
    assert text.text == f"[{unicodedata.normalize('NFC', value)}]"
