"""The hostile SVG corpus: each attack is rejected or neutralised, one test per case."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from certmint.rendering import (
    FontSet,
    PdfMetadata,
    SvgLimits,
    SvgRejected,
    UnknownPlaceholder,
    UnsafeSvg,
    render_pdf,
    sanitise_svg,
)

HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="200pt" height="100pt" viewBox="0 0 200 100"'
)


def doc(body: str, attrs: str = "") -> bytes:
    return f"{HEAD}{attrs}>{body}</svg>".encode()


def png_uri() -> str:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def clean(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    result = sanitise_svg(data)
    return result.svg, result.removed


# --- rejected outright -------------------------------------------------------------------


def test_xxe_external_entity_is_rejected() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + doc(
        "<text>&x;</text>"
    )
    with pytest.raises(UnsafeSvg, match="DOCTYPE"):
        sanitise_svg(xxe)


def test_billion_laughs_is_rejected() -> None:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    lol = "".join(entities)
    bomb = f'<?xml version="1.0"?><!DOCTYPE svg [{lol}]>'.encode() + doc("<text>&l9;</text>")
    with pytest.raises(UnsafeSvg):
        sanitise_svg(bomb)


def test_plain_doctype_is_rejected() -> None:
    with pytest.raises(UnsafeSvg):
        sanitise_svg(b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">' + doc(""))


def test_enormous_dimensions_are_rejected() -> None:
    huge = b'<svg xmlns="http://www.w3.org/2000/svg" width="100000000" height="100000000"/>'
    with pytest.raises(UnsafeSvg, match="outside"):
        sanitise_svg(huge)


def test_relative_dimensions_are_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="absolute"):
        sanitise_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%"/>')


def test_too_many_bytes_are_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="bytes"):
        sanitise_svg(doc("<g/>" * 1000), limits=SvgLimits(max_bytes=1000))


def test_too_many_elements_are_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="elements"):
        sanitise_svg(doc("<g/>" * 10_001))


def test_deep_nesting_is_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="deeper"):
        sanitise_svg(doc("<g>" * 100 + "</g>" * 100))


def test_malformed_xml_is_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="well-formed"):
        sanitise_svg(doc("<g>"))


def test_non_svg_root_is_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="root"):
        sanitise_svg(b'<html xmlns="http://www.w3.org/1999/xhtml" width="1" height="1"/>')


def test_fit_slot_that_cannot_be_measured_is_rejected_at_upload() -> None:
    body = '<text font-size="2em" data-fit-width="100">{{recipient.name}}</text>'
    with pytest.raises(UnsafeSvg, match="font-size"):
        sanitise_svg(doc(body))
    with pytest.raises(UnsafeSvg, match="only allowed on <text>"):
        sanitise_svg(doc('<rect width="5" height="5" data-fit-width="100"/>'))
    with pytest.raises(UnsafeSvg, match="1 or 2"):
        sanitise_svg(doc('<text data-fit-width="100" data-fit-lines="9">x</text>'))


def test_qr_placeholder_in_text_is_rejected() -> None:
    with pytest.raises(UnsafeSvg, match="qr"):
        sanitise_svg(doc("<text>{{qr}}</text>"))


def test_unknown_placeholder_is_rejected() -> None:
    with pytest.raises(UnknownPlaceholder):
        sanitise_svg(doc("<text>{{recipient.nmae}}</text>"))


# --- neutralised ---------------------------------------------------------------------------


def test_script_element_is_removed() -> None:
    svg, removed = clean(doc("<script>alert(1)</script><rect width='5' height='5'/>"))
    assert b"script" not in svg and b"alert" not in svg
    assert b"<rect" in svg
    assert removed == ("element <script>",)


def test_onload_handler_is_removed() -> None:
    svg, removed = clean(doc("<rect width='5' height='5' onclick='x()'/>", ' onload="alert(1)"'))
    assert b"onload" not in svg and b"onclick" not in svg and b"alert" not in svg
    assert len(removed) == 2


def test_external_image_href_is_removed() -> None:
    svg, removed = clean(doc('<image href="https://evil.example/x.png" width="10" height="10"/>'))
    assert b"evil" not in svg
    assert any("href" in item for item in removed)


def test_file_href_is_removed() -> None:
    svg, _ = clean(doc('<image xlink:href="file:///etc/passwd" width="10" height="10"/>'))
    assert b"passwd" not in svg


def test_use_of_external_file_is_removed() -> None:
    svg, removed = clean(doc('<use href="other.svg#logo"/><use xlink:href="/etc/x.svg#a"/>'))
    assert b"other.svg" not in svg and b"/etc/x.svg" not in svg
    assert len(removed) == 2


def test_use_bomb_is_defused(fonts: FontSet) -> None:
    levels = ['<g id="l0"><rect width="1" height="1"/></g>']
    for i in range(1, 10):
        copies = "".join(f'<use href="#l{i - 1}" x="{k}"/>' for k in range(10))
        levels.append(f'<g id="l{i}">{copies}</g>')
    bomb = doc("<defs>" + "".join(levels) + '</defs><use href="#l9"/>')
    result = sanitise_svg(bomb)
    assert result.svg.count(b"<use") == 10  # only the first level, which copies a plain <g>
    assert render_pdf(result.svg, fonts, PdfMetadata("t", "a")).startswith(b"%PDF-")


def test_use_of_missing_fragment_is_removed() -> None:
    svg, removed = clean(doc('<use href="#nowhere"/>'))
    assert b"<use" not in svg and removed


def test_use_of_internal_fragment_is_kept() -> None:
    svg, removed = clean(doc('<defs><rect id="r" width="5" height="5"/></defs><use href="#r"/>'))
    assert b'href="#r"' in svg
    assert removed == ()


def test_foreign_object_is_removed() -> None:
    body = '<foreignObject width="100" height="100"><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'
    svg, removed = clean(doc(body))
    assert b"foreignObject" not in svg and b"xhtml" not in svg
    assert removed == ("element <foreignObject>",)


def test_data_text_html_href_is_removed() -> None:
    payload = base64.b64encode(b"<script>alert(1)</script>").decode()
    svg, _ = clean(doc(f'<image href="data:text/html;base64,{payload}" width="9" height="9"/>'))
    assert b"text/html" not in svg


def test_javascript_link_is_removed() -> None:
    svg, removed = clean(doc('<a href="javascript:alert(1)"><text>x</text></a>'))
    assert b"javascript" not in svg
    assert removed == ("element <a>",)


def test_css_url_in_style_is_removed() -> None:
    svg, removed = clean(
        doc('<rect width="5" height="5" style="fill:url(https://evil.example/x);stroke:red"/>')
    )
    assert b"evil" not in svg
    assert b"stroke:red" in svg
    assert any("style fill" in item for item in removed)


def test_css_url_in_presentation_attribute_is_removed() -> None:
    svg, _ = clean(doc('<rect width="5" height="5" fill="url(https://evil.example/p#g)"/>'))
    assert b"evil" not in svg


def test_css_escaped_url_is_removed() -> None:
    svg, removed = clean(doc(r'<rect width="5" height="5" fill="u\72l(https://evil.example/x)"/>'))
    assert b"evil" not in svg and removed


def test_font_names_containing_url_are_kept() -> None:
    svg, removed = clean(doc('<text font-family="Curlz MT">x</text>'))
    assert b"Curlz MT" in svg and removed == ()


def test_internal_gradient_url_is_kept() -> None:
    body = '<defs><linearGradient id="g"/></defs><rect width="5" height="5" fill="url(#g)"/>'
    svg, removed = clean(doc(body))
    assert b'fill="url(#g)"' in svg and removed == ()


def test_style_element_with_import_is_removed() -> None:
    svg, _ = clean(doc("<style>@import url(https://evil.example/x.css);</style>"))
    assert b"evil" not in svg


def test_css_expression_is_removed() -> None:
    svg, _ = clean(doc('<rect width="5" height="5" style="fill:expression(alert(1))"/>'))
    assert b"expression" not in svg


def test_animation_that_sets_href_is_removed() -> None:
    body = '<a><set attributeName="href" to="javascript:alert(1)"/></a><animate attributeName="x"/>'
    svg, _ = clean(doc(body))
    assert b"javascript" not in svg and b"animate" not in svg


def test_xml_base_and_foreign_namespaces_are_removed() -> None:
    body = '<g xml:base="https://evil.example/" xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load"/>'
    svg, removed = clean(doc(body))
    assert b"evil" not in svg and b"load" not in svg
    assert len(removed) == 2


def test_placeholder_in_attribute_other_than_qr_is_removed() -> None:
    svg, removed = clean(doc('<rect width="{{recipient.name}}" height="5"/>'))
    assert b"{{" not in svg
    assert removed


def test_qr_placeholder_only_exactly() -> None:
    svg, removed = clean(doc('<image href="javascript:{{qr}}" width="9" height="9"/>'))
    assert b"javascript" not in svg and removed
    kept = sanitise_svg(doc('<image href="{{qr}}" width="9" height="9"/>'))
    assert kept.placeholders == frozenset({"qr"}) and kept.removed == ()


def test_embedded_png_is_reencoded() -> None:
    uri = png_uri()
    result = sanitise_svg(doc(f'<image href="{uri}" width="9" height="9"/>'))
    assert b"data:image/png;base64," in result.svg and result.removed == ()


def test_png_bomb_in_data_uri_is_removed() -> None:
    header = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(header, "PNG")  # 100 Mpx, a few kB
    uri = "data:image/png;base64," + base64.b64encode(header.getvalue()).decode()
    svg, removed = clean(doc(f'<image href="{uri}" width="9" height="9"/>'))
    assert b"data:image/png" not in svg
    assert any("pixels" in item for item in removed)


def test_nested_svg_image_is_sanitised_recursively() -> None:
    inner = base64.b64encode(doc("<script>alert(1)</script><circle r='4'/>")).decode()
    result = sanitise_svg(
        doc(f'<image href="data:image/svg+xml;base64,{inner}" width="9" height="9"/>')
    )
    nested = result.svg.split(b"base64,")[1].split(b'"')[0]
    assert b"script" not in base64.b64decode(nested)
    assert result.removed == ("in nested SVG: element <script>",)


def test_strict_mode_refuses_instead_of_cleaning() -> None:
    with pytest.raises(SvgRejected) as caught:
        sanitise_svg(doc("<script>alert(1)</script>"), strict=True)
    assert caught.value.removed == ("element <script>",)


def test_comments_and_processing_instructions_are_dropped() -> None:
    svg, _ = clean(doc('<!-- <script>x</script> --><?xml-stylesheet href="evil.css"?><g/>'))
    assert b"evil" not in svg and b"script" not in svg


def test_clean_output_renders(fonts: FontSet) -> None:
    body = '<script>x</script><rect width="50" height="50" fill="#123"/><text x="5" y="90">{{recipient.name}}</text>'
    result = sanitise_svg(doc(body))
    assert (result.width_pt, result.height_pt) == (200, 100)
    assert result.placeholders == frozenset({"recipient.name"})
    assert render_pdf(result.svg, fonts, PdfMetadata("t", "a")).startswith(b"%PDF-")


def test_sanitising_is_idempotent() -> None:
    first = sanitise_svg(doc('<script/><rect width="5" height="5" style="fill:red;x:url(a)"/>'))
    second = sanitise_svg(first.svg)
    assert second.svg == first.svg and second.removed == ()


def test_a_bom_decides_and_a_declaration_behind_it_is_checked_too() -> None:
    body = doc('<text x="1" y="9">\u0915\u0943\u0937\u094d\u0923</text>').decode()
    for data in (b"\xef\xbb\xbf" + body.encode(), body.encode("utf-16")):
        assert "\u0915\u0943\u0937\u094d\u0923".encode() in sanitise_svg(data).svg
    behind_bom = ('<?xml version="1.0" encoding="UTF-7"?>' + body).encode("utf-16")
    with pytest.raises(UnsafeSvg, match="declared encoding 'UTF-7' is not accepted"):
        sanitise_svg(behind_bom)
