"""The allow-list sanitiser for uploaded SVG templates and SVG images.

Why an allow-list: an SVG is a program for a renderer that can fetch URLs, read files, run
script in browsers and blow up memory. We keep only drawing elements and presentation
attributes we know, and only references that stay inside the document (``#id``) or embed a
checked image (``data:image/png|jpeg`` re-encoded by ``images``, ``data:image/svg+xml``
sanitised recursively). Whatever else is found is dropped and listed in ``removed``; with
``strict=True`` it is refused instead. Things that cannot be cleaned (DOCTYPE, entities,
malformed XML, size and count limits, absurd page dimensions) always raise ``UnsafeSvg``.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from certmint.rendering._allowlist import ATTRIBUTES, ELEMENTS, PRESENTATION
from certmint.rendering._fill import check_fit_slots, template_placeholders
from certmint.rendering._images import prepare_raster
from certmint.rendering._placeholders import (
    PLACEHOLDER_PATTERN,
    QR_PLACEHOLDER,
    check_placeholders,
)
from certmint.rendering._svg import SVG_NS, XLINK_NS, XML_NS, parse_svg, serialise
from certmint.rendering.errors import ImageError, SvgRejected, UnsafeSvg

__all__ = ["SanitisedSvg", "SvgLimits", "sanitise_svg"]

_XML_ATTRIBUTES = frozenset({f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"})
_XLINK_HREF = f"{{{XLINK_NS}}}href"
_URL = re.compile(r"url\(\s*['\"]?([^)'\"]*)['\"]?\s*\)", re.IGNORECASE)
_URL_START = re.compile(r"url\s*\(", re.IGNORECASE)
_FRAGMENT = re.compile(r"#[A-Za-z_][\w.:-]*")
_DATA_URI = re.compile(
    r"data:image/(png|jpeg|svg\+xml);base64,([A-Za-z0-9+/=\s]+)", re.IGNORECASE | re.DOTALL
)
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*")
_POINTS_PER = {
    None: 1.0,
    "px": 1.0,
    "pt": 1.0,
    "pc": 12.0,
    "mm": 72 / 25.4,
    "cm": 72 / 2.54,
    "in": 72.0,
}
_CSS_DANGER = re.compile(r"expression|javascript:|@import|\\|behavior|-moz-binding", re.IGNORECASE)


@dataclass(frozen=True)
class SvgLimits:
    """Bounds that keep parsing and rendering cheap; the defaults fit any real certificate."""

    max_bytes: int = 5_000_000
    max_elements: int = 10_000
    max_depth: int = 64
    max_side_pt: float = 5000.0  # about 1.76 m: posters fit, 10^8 pt pages do not
    max_nested_svg: int = 2


@dataclass(frozen=True)
class SanitisedSvg:
    """The cleaned document, its page size in points, placeholders used and what was removed."""

    svg: bytes
    width_pt: float
    height_pt: float
    placeholders: frozenset[str]
    removed: tuple[str, ...] = field(default=())


def _length_pt(value: str | None, limits: SvgLimits, what: str) -> float:
    match = _LENGTH.fullmatch(value or "")
    if not match:
        raise UnsafeSvg(f"{what} must be an absolute length, got {value!r}")
    points = float(match.group(1)) * _POINTS_PER[match.group(2)]
    if not 0 < points <= limits.max_side_pt:
        raise UnsafeSvg(f"{what} of {points:g}pt is outside 0..{limits.max_side_pt:g}pt")
    return points


class _Cleaner:
    def __init__(self, limits: SvgLimits, depth: int, allow_qr: bool) -> None:
        self.limits = limits
        self.depth = depth
        self.allow_qr = allow_qr
        self.removed: list[str] = []

    def clean_url_value(self, value: str) -> str | None:
        """Values may reference only ``url(#id)``; other url(), and CSS escapes, are dropped.

        Backslashes are refused because CSS resolves escapes before it recognises ``url(``:
        ``u\\72l(http://x)`` is a URL to librsvg's CSS parser.
        """
        if "\\" in value:
            return None
        targets = _URL.findall(value)
        if len(targets) != len(_URL_START.findall(value)):
            return None  # an url( that _URL could not parse, e.g. unbalanced quotes
        if not all(_FRAGMENT.fullmatch(target.strip()) for target in targets):
            return None
        return value

    def clean_style(self, style: str, tag: str) -> str:
        kept = []
        for declaration in style.split(";"):
            name, sep, value = declaration.partition(":")
            name, value = name.strip().lower(), value.strip()
            if not sep or not name:
                continue
            if (
                name not in PRESENTATION
                or _CSS_DANGER.search(value)
                or self.clean_url_value(value) is None
            ):
                self.removed.append(f"style {name}: {value[:60]} on <{tag}>")
                continue
            kept.append(f"{name}:{value}")
        return ";".join(kept)

    def clean_href(self, value: str, tag: str) -> str | None:
        stripped = value.strip()
        qr = PLACEHOLDER_PATTERN.fullmatch(stripped)
        if qr and qr.group(1).strip() == QR_PLACEHOLDER and tag == "image" and self.allow_qr:
            return stripped
        if _FRAGMENT.fullmatch(stripped) and tag != "image":
            return stripped
        match = _DATA_URI.fullmatch(stripped)
        if match is None or tag != "image":
            return None
        kind, payload = match.group(1).lower(), re.sub(r"\s+", "", match.group(2))
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            return None
        if kind == "svg+xml":
            if self.depth >= self.limits.max_nested_svg:
                return None
            inner = sanitise_svg(data, limits=self.limits, _depth=self.depth + 1)
            self.removed.extend(f"in nested SVG: {item}" for item in inner.removed)
            return "data:image/svg+xml;base64," + base64.b64encode(inner.svg).decode()
        try:
            image = prepare_raster(data)
        except ImageError as exc:
            self.removed.append(f"embedded image: {exc.reason}")
            return None
        return image.data_uri

    def clean_attributes(self, element: Element, tag: str) -> None:
        for name, value in list(element.attrib.items()):
            new: str | None = value
            if name in ("href", _XLINK_HREF):
                new = self.clean_href(value, tag)
            elif name in _XML_ATTRIBUTES:
                pass
            elif name not in ATTRIBUTES or name.lower().startswith("on"):
                new = None
            elif name == "style":
                new = self.clean_style(value, tag)
            elif "{{" in value:
                new = None
            else:
                new = self.clean_url_value(value)
            if new is None:
                del element.attrib[name]
                self.removed.append(f"attribute {_short(name)}={value[:60]!r} on <{tag}>")
            elif new != value:
                element.set(name, new)

    def clean(self, element: Element) -> None:
        for child in list(element):
            tag = _local_svg_name(child.tag)
            if tag not in ELEMENTS:
                element.remove(child)
                self.removed.append(f"element <{_short(str(child.tag))}>")
                continue
            self.clean_attributes(child, tag)
            self.clean(child)


def _defuse_use_chains(root: Element, removed: list[str]) -> None:
    """Drop ``<use>`` elements that reference content holding another ``<use>``.

    Nested ``<use>`` multiplies: ten levels of ten copies is 10^10 shapes from a few
    kilobytes, the SVG cousin of billion laughs. One level covers every real design.
    """
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    parents = {child: parent for parent in root.iter() for child in parent}
    use = f"{{{SVG_NS}}}use"
    doomed = []  # decided on the whole tree first: removing as we go would change answers
    for element in root.iter(use):
        href = element.get("href", element.get(_XLINK_HREF, ""))
        target = by_id.get(href[1:]) if href.startswith("#") else None
        if target is None or any(True for _ in target.iter(use)):
            doomed.append((element, href))
    for element, href in doomed:
        if element in parents:
            parents[element].remove(element)
        if href:  # an external href was already reported when the attribute went
            removed.append(f"<use> of {href[:60]!r} (missing, or it holds a <use> itself)")


def _local_svg_name(tag: object) -> str | None:
    if isinstance(tag, str) and tag.startswith(f"{{{SVG_NS}}}"):
        return tag[len(SVG_NS) + 2 :]
    return None


def _short(name: str) -> str:
    return name.replace(f"{{{XLINK_NS}}}", "xlink:").replace(f"{{{SVG_NS}}}", "")


def _check_shape(root: Element, limits: SvgLimits) -> None:
    count = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > limits.max_elements:
            raise UnsafeSvg(f"more than {limits.max_elements} elements")
        if depth > limits.max_depth:
            raise UnsafeSvg(f"nested deeper than {limits.max_depth} levels")
        stack.extend((child, depth + 1) for child in node)


def sanitise_svg(
    data: bytes,
    *,
    limits: SvgLimits = SvgLimits(),
    strict: bool = False,
    allow_placeholders: bool = True,
    _depth: int = 0,
) -> SanitisedSvg:
    """Clean an uploaded SVG (a template, or a logo/signature when ``allow_placeholders=False``).

    Raises ``UnsafeSvg`` for what cannot be cleaned, ``SvgRejected`` in strict mode when
    something would be removed, and ``UnknownPlaceholder`` for names outside the vocabulary.
    """
    if len(data) > limits.max_bytes:
        raise UnsafeSvg(f"larger than {limits.max_bytes} bytes")
    root = parse_svg(data)
    if _local_svg_name(root.tag) != "svg":
        raise UnsafeSvg("the root element must be <svg> in the SVG namespace")
    _check_shape(root, limits)
    width = _length_pt(root.get("width"), limits, "width")
    height = _length_pt(root.get("height"), limits, "height")
    cleaner = _Cleaner(limits, _depth, allow_qr=allow_placeholders)
    cleaner.clean_attributes(root, "svg")
    cleaner.clean(root)
    _defuse_use_chains(root, cleaner.removed)
    names = list(template_placeholders(root))
    check_fit_slots(root)
    if names and not allow_placeholders:
        cleaner.removed.append("placeholders in an image")
        raise SvgRejected(tuple(cleaner.removed))
    placeholders = check_placeholders(names)
    if strict and cleaner.removed:
        raise SvgRejected(tuple(cleaner.removed))
    return SanitisedSvg(
        svg=serialise(root),
        width_pt=width,
        height_pt=height,
        placeholders=placeholders,
        removed=tuple(cleaner.removed),
    )
