"""The designer model: templates it builds are clean, complete and respect the admin's input."""

from __future__ import annotations

from xml.etree.ElementTree import fromstring

import pytest

from certmint.rendering import (
    GALLERY,
    Colours,
    DesignError,
    FontSet,
    ImageError,
    Signatory,
    UnknownPlaceholder,
    build_template,
    fill_template,
    sample_values,
    sanitise_svg,
)

from .conftest import QR_URL, full_design, logo_png

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("layout_id", [layout.id for layout in GALLERY])
def test_built_templates_pass_the_strict_sanitiser(layout_id: str) -> None:
    template = build_template(full_design(layout_id))  # type: ignore[arg-type]
    result = sanitise_svg(template, strict=True)
    assert result.removed == ()
    assert {"recipient.name", "qr", "certificate.number", "course.name"} <= result.placeholders


def test_design_text_is_escaped_and_kept(fonts: FontSet) -> None:
    design = full_design("classic-1-1", title='Prize <b>&</b> "Honour"')
    template = build_template(design)  # type: ignore[arg-type]
    assert b"<b>" not in template
    filled = fill_template(template, sample_values(), fonts=fonts, qr_url=QR_URL)
    assert 'Prize <b>&</b> "Honour"' in "".join(fromstring(filled).itertext())


@pytest.mark.parametrize("achievement", ["Completion", "Merit"])
def test_the_default_title_follows_the_achievement(fonts: FontSet, achievement: str) -> None:
    """One template, attached as Completion and as Merit, prints each achievement's title."""
    template = build_template(full_design("classic-1-1"))  # type: ignore[arg-type]
    values = {**sample_values(), "achievement.name": achievement}
    filled = fill_template(template, values, fonts=fonts, qr_url=QR_URL)
    texts = "".join(fromstring(filled).itertext())
    assert f"Certificate of {achievement}" in texts
    assert ("Certificate of Completion" in texts) == (achievement == "Completion")


def test_placeholders_in_design_text_are_checked() -> None:
    with pytest.raises(UnknownPlaceholder):
        build_template(full_design("modern", description="for {{course.titel}}"))  # type: ignore[arg-type]


def test_too_many_signatories() -> None:
    people = tuple(Signatory(f"P{n}", "Dean") for n in range(3))
    with pytest.raises(DesignError) as caught:
        build_template(full_design("classic-2-2", signatories=people))  # type: ignore[arg-type]
    assert caught.value.field == "signatures"


@pytest.mark.parametrize("colour", ["red", "#12345", "#gggggg", "url(#x)"])
def test_colours_must_be_hex(colour: str) -> None:
    with pytest.raises(DesignError) as caught:
        Colours(primary=colour)
    assert caught.value.field == "colours.primary"


def test_colours_are_used() -> None:
    template = build_template(full_design("modern", colours=Colours(primary="#7a1f5c")))  # type: ignore[arg-type]
    assert b"#7a1f5c" in template


def test_logos_and_signatures_are_embedded_as_checked_data() -> None:
    template = build_template(full_design("classic-2-2"))  # type: ignore[arg-type]
    root = fromstring(template)
    images = {el.get("id"): el.get("href", "") for el in root.iter(f"{SVG}image")}
    # flattened onto the page colour as JPEG: cairo embeds JPEG bytes without re-encoding
    assert images["logo-1"].startswith("data:image/jpeg;base64,")
    assert images[None] == "{{qr}}"
    # SVG signatures are inlined as vector graphics, not rasterised <image> documents
    nested = [el for el in root.iter(f"{SVG}svg") if el.get("id") == "signature-1"]
    assert len(nested) == 1 and nested[0].find(f"{SVG}path") is not None
    assert b"data:image/svg+xml" not in template


def test_inlined_svg_ids_are_prefixed() -> None:
    signature = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40">'
        b'<defs><linearGradient id="g"/></defs><rect id="r" width="9" height="9" fill="url(#g)"'
        b' stroke="#123"/><use href="#r"/></svg>'
    )
    people = (Signatory("A", "B", signature), Signatory("C", "D", signature))
    root = fromstring(build_template(full_design("classic-1-2", signatories=people)))  # type: ignore[arg-type]
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert {"signature-1-g", "signature-2-r"} <= set(ids)
    rect = next(el for el in root.iter(f"{SVG}rect") if el.get("id") == "signature-2-r")
    assert rect.get("fill") == "url(#signature-2-g)" and rect.get("stroke") == "#123"
    uses = [el.get("href") for el in root.iter(f"{SVG}use")]
    assert uses == ["#signature-1-r", "#signature-2-r"]


def test_bad_logo_is_refused() -> None:
    with pytest.raises(ImageError):
        build_template(full_design("classic-1-1", logos=(b"GIF89a not allowed",)))  # type: ignore[arg-type]


def test_logo_is_scaled_into_its_slot_whatever_its_size() -> None:
    template = build_template(full_design("classic-1-1", logos=(logo_png(),)))  # type: ignore[arg-type]
    logo = next(el for el in fromstring(template).iter(f"{SVG}image") if el.get("id") == "logo-1")
    assert float(logo.get("width", "0")) <= 90 and float(logo.get("height", "0")) <= 58


def test_rtl_design_reads_from_the_right() -> None:
    people = (Signatory("الأول", "مدير"), Signatory("الثاني", "عميد"))
    design = full_design("modern", direction="rtl", language="ar", signatories=people)
    root = fromstring(build_template(design))  # type: ignore[arg-type]
    assert root.get("direction") == "rtl"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "ar"
    texts = {el.text: float(el.get("x", "0")) for el in root.iter(f"{SVG}text")}
    assert texts["الأول"] > texts["الثاني"]  # first signatory on the right
    title_x = texts["Certificate of {{achievement.name}}"]  # the default title
    assert title_x > 700  # start-anchored slot begins at its right edge
