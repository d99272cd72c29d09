"""Shared SVG/XML plumbing: namespaces, safe parsing and serialising.

Why one place: every module that reads SVG must parse it the same safe way (defusedxml: no
DOCTYPE, no entities, no external fetches) and write it with the same namespace prefixes, or
a template that passed the sanitiser could be read differently by the filler.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError, register_namespace, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from certmint.rendering.errors import UnsafeSvg

__all__ = ["SVG_NS", "XLINK_NS", "XML_NS", "inline_svg", "parse_svg", "q", "serialise", "xlink"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

register_namespace("", SVG_NS)
register_namespace("xlink", XLINK_NS)


def q(tag: str) -> str:
    """Qualified SVG name: ``q("text")`` is ``{http://www.w3.org/2000/svg}text``."""
    return f"{{{SVG_NS}}}{tag}"


def xlink(attr: str) -> str:
    """Qualified XLink attribute name (``xlink:href`` in SVG 1.1 files)."""
    return f"{{{XLINK_NS}}}{attr}"


def parse_svg(data: bytes) -> Element:
    """Parse with DOCTYPE and entities forbidden. Raises ``UnsafeSvg``."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except DefusedXmlException as exc:
        raise UnsafeSvg(
            f"DOCTYPE or entity declarations are not allowed ({type(exc).__name__})"
        ) from exc
    except ParseError as exc:
        raise UnsafeSvg(f"not well-formed XML: {exc}") from exc
    if not isinstance(root, Element):
        raise UnsafeSvg("not an XML document")
    return root


def serialise(root: Element) -> bytes:
    """UTF-8 bytes with an XML declaration; text and attributes are escaped by ElementTree."""
    data: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return data


_URL_REF = re.compile(r"url\(\s*#")


def inline_svg(data: bytes, box: tuple[float, float, float, float], prefix: str) -> Element:
    """A sanitised SVG document as a nested ``<svg>`` element placed in ``box``.

    Why inline: librsvg rasterises an SVG referenced by ``<image>``, so a signature would print
    as pixels and cost a nested document per render; nested, it stays vector. Ids and the
    references to them get ``prefix`` so two embedded files cannot collide.
    """
    root = parse_svg(data)
    x, y, w, h = box
    nested = Element(
        q("svg"),
        {
            "x": f"{x:.2f}",
            "y": f"{y:.2f}",
            "width": f"{w:.2f}",
            "height": f"{h:.2f}",
            "id": prefix,
        },
    )
    for name in ("viewBox", "preserveAspectRatio"):
        if root.get(name):
            nested.set(name, root.get(name, ""))
    if not root.get("viewBox"):
        width = re.sub(r"[a-z]+$", "", root.get("width", "0"))
        height = re.sub(r"[a-z]+$", "", root.get("height", "0"))
        nested.set("viewBox", f"0 0 {width} {height}")
    for element in root.iter():
        for attr, value in list(element.attrib.items()):
            if attr == "id":
                element.set(attr, f"{prefix}-{value}")
            elif attr in ("href", f"{{{XLINK_NS}}}href") and value.startswith("#"):
                element.set(attr, f"#{prefix}-{value[1:]}")
            elif "url(" in value:
                element.set(attr, _URL_REF.sub(f"url(#{prefix}-", value))
    nested.extend(list(root))
    return nested
