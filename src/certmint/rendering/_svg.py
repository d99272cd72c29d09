"""Shared SVG/XML plumbing: namespaces, safe parsing and serialising.

Why one place: every module that reads SVG must parse it the same safe way (defusedxml: no
DOCTYPE, no entities, no external fetches) and write it with the same namespace prefixes, or
a template that passed the sanitiser could be read differently by the filler.
"""

from __future__ import annotations

import codecs
import re
from xml.etree.ElementTree import Element, ParseError, register_namespace, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from certmint.rendering.errors import UnsafeSvg

__all__ = [
    "ENCODINGS",
    "SVG_NS",
    "XLINK_NS",
    "XML_NS",
    "inline_svg",
    "parse_svg",
    "q",
    "serialise",
    "xlink",
]

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


#: The encodings an SVG may be written in, by their ``codecs`` names. Python's XML parser reads
#: other multi-byte ones wrongly or not at all (UTF-7, Shift JIS: a ``ValueError``), so the file
#: is decoded here, by the BOM or the XML declaration, and the parser is given text.
ENCODINGS = {"utf-8": "UTF-8", "utf-16": "UTF-16", "ascii": "US-ASCII", "iso8859-1": "ISO-8859-1"}
_DECLARATION = re.compile(r"""<\?xml[^>]*?\sencoding\s*=\s*["']([^"']{0,40})["']""")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _declared_codec(head: str) -> str | None:
    """The ``codecs`` name of the encoding the XML declaration names, if any; ``UnsafeSvg``
    naming it when it is not one of :data:`ENCODINGS`."""
    found = _DECLARATION.match(head.lstrip("\ufeff \t\r\n"))
    if found is None:
        return None
    declared = found.group(1)
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        name = ""
    if name.removesuffix("-le").removesuffix("-be") not in ENCODINGS:
        raise UnsafeSvg(
            f"the declared encoding {declared!r} is not accepted: "
            f"save the file as {', '.join(ENCODINGS.values())}"
        )
    return name


def _decode(data: bytes) -> str:
    """The document's text: a BOM decides, else the declaration, else UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        codec = "utf-8-sig"
    elif data.startswith(_UTF16_BOMS):
        codec = "utf-16"
    elif data.startswith((b"\x00<", b"<\x00")):  # UTF-16 without a BOM: "<" is the first byte
        codec = "utf-16-be" if data[0] == 0 else "utf-16-le"
    else:
        codec = _declared_codec(data[:200].decode("latin-1")) or "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise UnsafeSvg(
            f"not valid {exc.encoding.upper()}: byte 0x{data[exc.start]:02X} at offset {exc.start}"
        ) from None
    _declared_codec(text[:200])  # a declaration behind a BOM must name an accepted one too
    return text


def parse_svg(data: bytes) -> Element:
    """Parse with DOCTYPE and entities forbidden. Raises ``UnsafeSvg``."""
    text = _decode(data)
    try:
        root = SafeET.fromstring(text, forbid_dtd=True, forbid_entities=True)
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
