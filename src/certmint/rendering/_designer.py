"""The designer model: what an admin fills in, turned into a template SVG with placeholders.

Why a model and not an editor: most organisations want "our logo, our title, two signatures"
on a good-looking certificate. ``Design`` holds exactly that; ``build_template`` places it in a
gallery layout and returns an ordinary template SVG (the same kind an upload produces), so
rendering, sanitising and versioning have one path. Design text may itself contain
placeholders ("for completing {{course.name}}"); every text slot carries ``data-fit-width`` so
long titles and names shrink or wrap when filled. Images are checked and embedded as data URIs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal
from xml.etree.ElementTree import Element, SubElement

from certmint.rendering._fill import FIT_LINES, FIT_WIDTH
from certmint.rendering._gallery import Box, Frame, Paper, TextSlot, get_layout, layout_frame
from certmint.rendering._images import ImageLimits, fit_into
from certmint.rendering._placeholders import check_placeholders, find_placeholders
from certmint.rendering._svg import XML_NS, inline_svg, q, serialise
from certmint.rendering._uploads import prepare_image
from certmint.rendering.errors import DesignError

__all__ = ["Colours", "Design", "Signatory", "build_template"]

_HEX = frozenset("0123456789abcdefABCDEF")
_PRINT_DPI = 300


@dataclass(frozen=True)
class _ImageOptions:
    limits: ImageLimits
    background: str  # what the image sits on, for flattening transparency


@dataclass(frozen=True)
class Colours:
    """The palette: ``primary`` for titles and borders, ``accent`` for rules and ornaments."""

    primary: str = "#1d3557"
    accent: str = "#b08d57"
    text: str = "#222222"
    muted: str = "#5c6370"
    background: str = "#fffdf8"
    on_primary: str = "#ffffff"

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not (len(value) in (4, 7) and value[0] == "#" and set(value[1:]) <= _HEX):
                raise DesignError(f"colours.{name}", f"{value!r} is not #rgb or #rrggbb")


@dataclass(frozen=True)
class Signatory:
    """A person who signs: printed name, designation, and an optional signature image."""

    name: str
    designation: str
    image: bytes | None = None


@dataclass(frozen=True)
class Design:
    """Everything an admin chooses for a certificate made from a gallery layout."""

    layout: str
    paper: Paper = Paper.A4
    # Follows the achievement: "Certificate of Merit" for a batch's merit achievement.
    title: str = "Certificate of {{achievement.name}}"
    subtitle: str = "This is to certify that"
    description: str = "has successfully completed {{course.name}}"
    details: str = "{{batch.name}} · Issued on {{issued_on}}"
    issuer_name: str = "{{issuer.name}}"
    date_label: str = "Date of issue"
    number_label: str = "Certificate No."
    logos: tuple[bytes, ...] = ()
    signatories: tuple[Signatory, ...] = field(
        default_factory=lambda: (Signatory("{{signatory.1.name}}", "{{signatory.1.designation}}"),)
    )
    colours: Colours = field(default_factory=Colours)
    language: str = "en"
    direction: Literal["ltr", "rtl"] = "ltr"


def _text(parent: Element, slot: TextSlot, content: str, colours: Colours, rtl: bool) -> None:
    # In right-to-left text "start" is the right edge, so a start-anchored slot moves there.
    x = slot.x + slot.width if rtl and slot.anchor == "start" else slot.x
    attrs = {
        "x": f"{x:.2f}",
        "y": f"{slot.y:.2f}",
        "font-family": slot.family,
        "font-size": f"{slot.size:g}",
        "font-weight": str(slot.weight),
        "fill": getattr(colours, slot.colour),
        "text-anchor": slot.anchor,
    }
    attrs[FIT_WIDTH] = f"{slot.width:.2f}"
    attrs[FIT_LINES] = str(slot.lines)
    SubElement(parent, q("text"), attrs).text = content


def _image(parent: Element, data: bytes, box: Box, what: str, options: _ImageOptions) -> None:
    """Embed an upload in ``box``: SVG inline as vectors, rasters as a flattened JPEG.

    Rasters are shrunk to 300 dpi at the slot's size: more pixels only cost render time.
    """
    side = math.ceil(max(box.w, box.h) * _PRINT_DPI / 72)
    limits = replace(options.limits, max_side_px=min(options.limits.max_side_px, side))
    image = prepare_image(data, limits, flatten_on=options.background)
    x, y, w, h = fit_into(image.width, image.height, box)
    if image.mime == "image/svg+xml":
        parent.append(inline_svg(image.data, (x, y, w, h), what))
        return
    SubElement(
        parent,
        q("image"),
        {
            "x": f"{x:.2f}",
            "y": f"{y:.2f}",
            "width": f"{w:.2f}",
            "height": f"{h:.2f}",
            "href": image.data_uri,
            "id": what,
        },
    )


def _line(
    parent: Element, ends: tuple[float, float, float, float], colour: str, width: float
) -> None:
    x1, y1, x2, y2 = ends
    SubElement(
        parent,
        q("line"),
        {
            "x1": f"{x1:.2f}",
            "y1": f"{y1:.2f}",
            "x2": f"{x2:.2f}",
            "y2": f"{y2:.2f}",
            "stroke": colour,
            "stroke-width": f"{width:g}",
        },
    )


def _rect(parent: Element, box: Box, **attrs: str) -> None:
    base = {
        "x": f"{box.x:.2f}",
        "y": f"{box.y:.2f}",
        "width": f"{box.w:.2f}",
        "height": f"{box.h:.2f}",
    }
    SubElement(parent, q("rect"), {**base, **{k.replace("_", "-"): v for k, v in attrs.items()}})


def _diamond(parent: Element, cx: float, cy: float, r: float, colour: str) -> None:
    points = (
        f"{cx:.2f},{cy - r:.2f} {cx + r:.2f},{cy:.2f} {cx:.2f},{cy + r:.2f} {cx - r:.2f},{cy:.2f}"
    )
    SubElement(parent, q("polygon"), {"points": points, "fill": colour})


def _rule(parent: Element, cx: float, y: float, half: float, c: Colours) -> None:
    _line(parent, (cx - half, y, cx - 8, y), c.accent, 1.2)
    _line(parent, (cx + 8, y, cx + half, y), c.accent, 1.2)
    _diamond(parent, cx, y, 4, c.accent)


def _borders(parent: Element, frame: Frame, c: Colours, insets: tuple[float, float, float]) -> None:
    w, h = frame.width, frame.height
    outer, middle, inner = insets
    _rect(
        parent,
        Box(outer, outer, w - 2 * outer, h - 2 * outer),
        fill="none",
        stroke=c.primary,
        stroke_width="5",
    )
    _rect(
        parent,
        Box(middle, middle, w - 2 * middle, h - 2 * middle),
        fill="none",
        stroke=c.accent,
        stroke_width="1.4",
    )
    _rect(
        parent,
        Box(inner, inner, w - 2 * inner, h - 2 * inner),
        fill="none",
        stroke=c.primary,
        stroke_width="0.6",
    )
    for x, y in (
        (middle, middle),
        (w - middle, middle),
        (middle, h - middle),
        (w - middle, h - middle),
    ):
        _diamond(parent, x, y, 9, c.accent)
        _diamond(parent, x, y, 4, c.background)


def _decorate(root: Element, frame: Frame, c: Colours, *, rtl: bool) -> None:
    w, h = frame.width, frame.height
    _rect(root, Box(0, 0, w, h), fill=c.background)
    if frame.style == "classic":
        _borders(root, frame, c, (16, 27, 33))
        _rule(root, w / 2, frame.texts["title"].y + 22, 90, c)
        _line(
            root,
            (
                w / 2 - 240,
                frame.texts["recipient"].y + 34,
                w / 2 + 240,
                frame.texts["recipient"].y + 34,
            ),
            c.accent,
            0.8,
        )
    elif frame.style == "modern":
        band = frame.extras["band"]
        _rect(root, Box(0, 0, band, h), fill=c.primary)
        _rect(root, Box(band, 0, 6, h), fill=c.accent)
        _rect(root, Box(band + 6, h - 14, w - band - 6, 14), fill=c.primary)
        qr = frame.qr
        _rect(root, Box(qr.x - 8, qr.y - 8, qr.w + 16, qr.h + 16), fill="#ffffff", rx="6")
        title = frame.texts["title"]
        bar_x = title.x + title.width - 70 if rtl else title.x  # under where the title starts
        _rect(root, Box(bar_x, title.y + 16, 70, 4), fill=c.accent)
    else:
        _borders(root, frame, c, (18, 28, 34))
        _rule(root, w / 2, frame.texts["issuer"].y + 20, 120, c)
        _rule(root, w / 2, frame.texts["recipient"].y + 40, 150, c)
        cy = frame.extras["seal_y"]
        SubElement(
            root,
            q("circle"),
            {
                "cx": f"{w / 2:.2f}",
                "cy": f"{cy}",
                "r": "66",
                "fill": "none",
                "stroke": c.accent,
                "stroke-width": "3",
            },
        )
        SubElement(
            root,
            q("circle"),
            {
                "cx": f"{w / 2:.2f}",
                "cy": f"{cy}",
                "r": "61",
                "fill": "none",
                "stroke": c.accent,
                "stroke-width": "0.8",
                "stroke-dasharray": "2 3",
            },
        )


def _check_text(field_name: str, value: str) -> None:
    if len(value) > 500:
        raise DesignError(field_name, "longer than 500 characters")
    check_placeholders(find_placeholders(value))


def build_template(design: Design, *, image_limits: ImageLimits = ImageLimits()) -> bytes:
    """The template SVG for ``design``: decoration, design text and placeholders.

    Raises ``DesignError`` (unknown layout, too many logos or signatories, bad colours),
    ``UnknownPlaceholder`` for a misspelt placeholder in design text, and ``ImageError`` or
    ``UnsafeSvg`` for a bad logo or signature image.
    """
    layout = get_layout(design.layout)
    frame = layout_frame(layout, design.paper, len(design.logos), len(design.signatories))
    texts = {
        "title": design.title,
        "subtitle": design.subtitle,
        "recipient": "{{recipient.name}}",
        "description": design.description,
        "details": design.details,
        "issuer": design.issuer_name,
        "date_label": design.date_label,
    }
    for name, value in texts.items():
        _check_text(name, value)
    c = design.colours
    rtl = design.direction == "rtl"
    root = Element(
        q("svg"),
        {
            "width": f"{frame.width:g}pt",
            "height": f"{frame.height:g}pt",
            "viewBox": f"0 0 {frame.width:g} {frame.height:g}",
            "version": "1.1",
            "direction": design.direction,
            f"{{{XML_NS}}}lang": design.language,
        },
    )
    SubElement(root, q("title")).text = design.title
    _decorate(root, frame, c, rtl=rtl)
    for name, content in texts.items():
        if name in frame.texts and content:
            _text(root, frame.texts[name], content, c, rtl)
    if "date" in frame.texts:
        _text(root, frame.texts["date"], "{{issued_on}}", c, rtl)
    number = frame.texts["number"]
    _text(root, number, f"{design.number_label} {{{{certificate.number}}}}", c, rtl)
    qr = frame.qr
    SubElement(
        root,
        q("image"),
        {
            "x": f"{qr.x:.2f}",
            "y": f"{qr.y:.2f}",
            "width": f"{qr.w:.2f}",
            "height": f"{qr.h:.2f}",
            "href": "{{qr}}",
        },
    )
    page_options = _ImageOptions(image_limits, c.background)
    # modern layouts put logos on the colour band
    logo_options = _ImageOptions(
        image_limits, c.primary if frame.style == "modern" else c.background
    )
    for index, (data, box) in enumerate(zip(design.logos, frame.logos, strict=True), start=1):
        _image(root, data, box, f"logo-{index}", logo_options)
    ordered = list(zip(design.signatories, frame.signatures, strict=True))
    if design.direction == "rtl":  # the first signatory sits on the reading side
        ordered = list(zip(design.signatories, reversed(frame.signatures), strict=True))
    for index, (person, slot) in enumerate(ordered, start=1):
        _check_text(f"signatories[{index}]", person.name + person.designation)
        if person.image is not None:
            _image(root, person.image, slot.image, f"signature-{index}", page_options)
        half = slot.image.w / 2
        centre = slot.image.x + half
        _line(root, (centre - half, slot.rule_y, centre + half, slot.rule_y), c.muted, 0.8)
        _text(root, slot.name, person.name, c, rtl)
        _text(root, slot.designation, person.designation, c, rtl)
    if "rule_y" in frame.extras and "date" in frame.texts:
        date = frame.texts["date"]
        _line(
            root,
            (date.x - 90, frame.extras["rule_y"], date.x + 90, frame.extras["rule_y"]),
            c.muted,
            0.8,
        )
    return serialise(root)
