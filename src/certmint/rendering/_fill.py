"""Fill a template: placeholders become text, ``{{qr}}`` becomes a QR code, long text is fitted.

Why a tree, not string replacement: values go in as XML text nodes, so ElementTree escapes
``<``, ``&`` and quotes and a learner named ``</text><script>`` prints literally. Text slots
marked with ``data-fit-width`` are measured with Pango after filling and get a smaller size or
two lines (``text.fit_text``); right-to-left values get ``direction="rtl"`` with the slot's
alignment mirrored, so Arabic and Urdu names read and align as they should.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from xml.etree.ElementTree import Element

from certmint.rendering._fonts import FontSet
from certmint.rendering._placeholders import (
    PLACEHOLDER_PATTERN,
    QR_PLACEHOLDER,
    check_placeholders,
    check_values,
    find_placeholders,
)
from certmint.rendering._qr import qr_element
from certmint.rendering._svg import XML_NS, parse_svg, q, serialise, xlink
from certmint.rendering._text import FontSpec, base_direction, fit_text
from certmint.rendering.errors import MissingValue, UnsafeSvg

__all__ = ["FIT_ATTRIBUTES", "check_fit_slots", "fill_template", "template_placeholders"]

FIT_WIDTH = "data-fit-width"
FIT_LINES = "data-fit-lines"
FIT_ATTRIBUTES = (FIT_WIDTH, FIT_LINES)
_LINE_HEIGHT = 1.2
_X_HEIGHT = 0.35  # a line's visual centre sits this many ems above its baseline


def _is_qr_image(element: Element) -> bool:
    if element.tag != q("image"):
        return False
    href = element.get("href", element.get(xlink("href"), ""))
    return find_placeholders(href) == (QR_PLACEHOLDER,)


def template_placeholders(root: Element) -> frozenset[str]:
    """Every placeholder a parsed template uses (text nodes and the QR image).

    Raises ``UnsafeSvg`` when ``{{qr}}`` appears as text: it can only be an image.
    """
    names: list[str] = []
    for element in root.iter():
        names.extend(find_placeholders(element.text or ""))
        names.extend(find_placeholders(element.tail or ""))
    if QR_PLACEHOLDER in names:
        raise UnsafeSvg('{{qr}} is only allowed as <image href="{{qr}}" .../>')
    if any(_is_qr_image(element) for element in root.iter(q("image"))):
        names.append(QR_PLACEHOLDER)
    return frozenset(names)


_ABSOLUTE = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(px|pt)?\s*")
_WEIGHTS = {"normal": 400, "bold": 700, "bolder": 700, "lighter": 300}


def check_fit_slots(root: Element) -> None:
    """Every ``data-fit-width`` text can be measured. Raises ``UnsafeSvg`` saying why not.

    Called by the sanitiser, so a template that could not be fitted fails at upload.
    """
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in root.iter():
        if FIT_WIDTH not in element.attrib:
            continue
        if element.tag != q("text"):
            raise UnsafeSvg(f"{FIT_WIDTH} is only allowed on <text>")
        width = _ABSOLUTE.fullmatch(element.get(FIT_WIDTH, ""))
        if width is None or float(width.group(1)) <= 0:
            raise UnsafeSvg(f"{FIT_WIDTH} must be a positive number")
        if element.get(FIT_LINES, "2") not in ("1", "2"):
            raise UnsafeSvg(f"{FIT_LINES} must be 1 or 2")
        _font_of(element, parents)


def _substitute(text: str | None, values: Mapping[str, str]) -> str | None:
    if not text or "{{" not in text:
        return text
    return PLACEHOLDER_PATTERN.sub(lambda m: values[m.group(1).strip()], text)


def _inherited(element: Element, parents: Mapping[Element, Element], name: str) -> str | None:
    node: Element | None = element
    while node is not None:
        value = node.get(name)
        if value is not None:
            return value
        node = parents.get(node)
    return None


def _font_of(element: Element, parents: Mapping[Element, Element]) -> FontSpec:
    """The font a fitted text is drawn in, from presentation attributes (user units = pt)."""
    size_text = _inherited(element, parents, "font-size") or "16"
    size = _ABSOLUTE.fullmatch(size_text)
    if size is None or float(size.group(1)) <= 0:
        raise UnsafeSvg(f"a fitted text needs an absolute font-size, not {size_text!r}")
    weight_text = (_inherited(element, parents, "font-weight") or "normal").strip()
    weight = _WEIGHTS.get(weight_text) or (int(weight_text) if weight_text.isdigit() else None)
    if weight is None or not 1 <= weight <= 1000:
        raise UnsafeSvg(f"a fitted text needs a numeric or named font-weight, not {weight_text!r}")
    return FontSpec(
        family=_inherited(element, parents, "font-family") or "serif",
        size=float(size.group(1)),
        weight=weight,
        italic=(_inherited(element, parents, "font-style") or "normal") in ("italic", "oblique"),
    )


def _mirror(element: Element, anchor: str, x: float, width: float) -> None:
    """For RTL text, a start-anchored slot [x, x+w] starts at its right edge, and vice versa."""
    if anchor == "start":
        element.set("x", f"{x + width:g}")
    elif anchor == "end":
        element.set("x", f"{x - width:g}")


def _fit(element: Element, parents: Mapping[Element, Element], fonts: FontSet) -> None:
    """Rewrite a filled ``data-fit-width`` text element as one or two fitted lines."""
    text = " ".join("".join(element.itertext()).split())
    for child in list(element):
        element.remove(child)
    width = float(element.attrib.pop(FIT_WIDTH))
    max_lines = int(element.attrib.pop(FIT_LINES, "2"))
    font = _font_of(element, parents)
    x = float(element.get("x", "0"))
    y = float(element.get("y", "0"))
    inherited_direction = _inherited(element, parents, "direction") or "ltr"
    if base_direction(text) == "rtl" and inherited_direction != "rtl":
        element.set("direction", "rtl")
        element.set("unicode-bidi", "embed")
        _mirror(element, _inherited(element, parents, "text-anchor") or "start", x, width)
    fitted = fit_text(fonts, text, font, max_width=width, max_lines=max_lines)
    element.set("font-size", f"{fitted.size:.2f}")
    if len(fitted.lines) == 1:
        element.text = text
        return
    element.text = None
    line_gap = fitted.size * _LINE_HEIGHT
    centre = y - _X_HEIGHT * font.size
    first = centre + _X_HEIGHT * fitted.size - line_gap * (len(fitted.lines) - 1) / 2
    for index, line in enumerate(fitted.lines):
        tspan = Element(
            q("tspan"), {"x": element.get("x", "0"), "y": f"{first + index * line_gap:.2f}"}
        )
        tspan.text = line
        element.append(tspan)


def fill_template(
    template: bytes,
    values: Mapping[str, str],
    *,
    fonts: FontSet,
    qr_url: str | None = None,
    qr_error: Literal["M", "Q"] = "M",
    language: str | None = None,
) -> bytes:
    """The final SVG: ``template`` (already sanitised) with every placeholder filled.

    ``values`` maps placeholder names to text; ``qr_url`` is required when the template has a
    ``{{qr}}`` image. ``language`` (BCP 47, e.g. "hi") sets ``xml:lang`` for font choice.
    Raises ``UnknownPlaceholder``, ``MissingValue``, ``InvalidValue`` or ``UnsafeSvg``.
    """
    root = parse_svg(template)
    used = check_placeholders(template_placeholders(root))
    clean = check_values(used, values)
    if QR_PLACEHOLDER in used and not qr_url:
        raise MissingValue((QR_PLACEHOLDER,))
    if language:
        root.set(f"{{{XML_NS}}}lang", language)
    # Unhinted text: the widths Pango measured are the widths drawn, and librsvg skips
    # hinting every glyph (about a third of a PDF's text cost).
    root.set("text-rendering", "geometricPrecision")
    parents = {child: parent for parent in root.iter() for child in parent}
    fit: list[Element] = []
    for element in list(root.iter()):
        if _is_qr_image(element) and qr_url:
            size = min(float(element.get("width", "0")), float(element.get("height", "0")))
            code = qr_element(
                qr_url,
                x=float(element.get("x", "0")),
                y=float(element.get("y", "0")),
                size=size,
                error=qr_error,
            )
            parent = parents[element]
            parent.insert(list(parent).index(element), code)
            parent.remove(element)
            continue
        element.text = _substitute(element.text, clean)
        element.tail = _substitute(element.tail, clean)
        if FIT_WIDTH in element.attrib:
            fit.append(element)
    for element in fit:
        _fit(element, parents, fonts)
    return serialise(root)
