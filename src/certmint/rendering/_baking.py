"""Baked badges: the signed credential inside the PNG and SVG, as Open Badges 3.0 § 5.3 says.

https://www.imsglobal.org/spec/ob/v3p0/#baked-badge. Why: badge wallets, 1EdTech's validator and
backpacks read a credential out of the image itself, as ``certmint verify`` reads it out of the
PDF. Our credentials carry an embedded proof, so the baked text is the credential's JSON:

* PNG (§ 5.3.1): one ``iTXt`` chunk with keyword ``openbadgecredential``, not compressed, empty
  language tag and translated keyword, placed right after ``IHDR`` so a reader that stops at
  the first one finds it early;
* SVG (§ 5.3.2): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the root
  ``<svg>`` and, directly after that tag, ``<openbadges:credential>`` with the JSON in CDATA.

A file may hold one credential only: baking an image that already holds one raises. Extraction
reads the first one, as the spec says, and never anything else (a VC-JWT baked by another
issuer is reported as such, not guessed at).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any

from certmint.rendering._svg import parse_svg
from certmint.rendering.errors import AttachmentError, UnsafeSvg

__all__ = [
    "OB3_BAKING_KEYWORD",
    "OB3_BAKING_NAMESPACE",
    "bake_png",
    "bake_svg",
    "extract_baked_credential",
]

OB3_BAKING_KEYWORD = "openbadgecredential"
OB3_BAKING_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MAX_CREDENTIAL = 4 * 1024 * 1024  # inflated iTXt text: a credential is far smaller
_ROOT_TAG = re.compile(rb"<svg\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def _json(credential: dict[str, Any]) -> str:
    return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _chunks(png: bytes) -> list[tuple[int, bytes, bytes]]:
    """``(offset, type, data)`` of every chunk; raises ``AttachmentError`` on a broken file."""
    if not png.startswith(PNG_SIGNATURE):
        raise AttachmentError("not a PNG file")
    found = []
    offset = len(PNG_SIGNATURE)
    while offset < len(png):
        if offset + 12 > len(png):
            raise AttachmentError("the PNG ends inside a chunk")
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(png):
            raise AttachmentError("the PNG ends inside a chunk")
        data = png[offset + 8 : offset + 8 + length]
        if zlib.crc32(kind + data) & 0xFFFFFFFF != struct.unpack(">I", png[end - 4 : end])[0]:
            raise AttachmentError(f"the PNG's {kind.decode('latin-1')} chunk fails its CRC")
        found.append((offset, kind, data))
        offset = end
        if kind == b"IEND":
            break
    if not found or found[0][1] != b"IHDR":
        raise AttachmentError("the PNG does not start with IHDR")
    return found


def _itxt(data: bytes) -> tuple[str, str] | None:
    """``(keyword, text)`` of an iTXt chunk, or None when it is not one we can read."""
    keyword, sep, rest = data.partition(b"\0")
    if not sep or len(rest) < 2:
        return None
    compressed, method, rest = rest[0], rest[1], rest[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    if compressed:
        if method != 0:
            return None
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, _MAX_CREDENTIAL)
        except zlib.error:
            return None
        if inflater.unconsumed_tail:
            raise AttachmentError(f"the baked credential is larger than {_MAX_CREDENTIAL} bytes")
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError:
        return None


def bake_png(png: bytes, credential: dict[str, Any]) -> bytes:
    """``png`` with ``credential`` in an ``openbadgecredential`` iTXt chunk after ``IHDR``.

    Raises ``AttachmentError`` for a broken PNG or one that already holds a credential.
    """
    chunks = _chunks(png)
    for _, kind, data in chunks:
        if kind == b"iTXt" and (found := _itxt(data)) and found[0] == OB3_BAKING_KEYWORD:
            raise AttachmentError("the PNG already holds a baked credential")
    header_end = chunks[1][0] if len(chunks) > 1 else len(png)
    # keyword, NUL, compression flag 0 and method 0 (MUST NOT be compressed), empty language
    # tag and translated keyword (each NUL-terminated), then the UTF-8 text
    fields = OB3_BAKING_KEYWORD.encode("latin-1") + b"\0" + b"\0\0" + b"\0" + b"\0"
    itxt = _chunk(b"iTXt", fields + _json(credential).encode())
    return png[:header_end] + itxt + png[header_end:]


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: end the section before its ">" and open another
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: bytes, credential: dict[str, Any]) -> bytes:
    """``svg`` (UTF-8) with the ``openbadges`` namespace on its root and the credential in
    ``<openbadges:credential>`` directly after the root tag. Raises ``AttachmentError``."""
    match = _ROOT_TAG.search(svg)
    if match is None or match.group().endswith(b"/>"):
        raise AttachmentError("no <svg> root element to bake into")
    if re.search(rb"<openbadges:credential\b", svg):
        raise AttachmentError("the SVG already holds a baked credential")
    tag = match.group()
    if b"xmlns:openbadges=" not in tag:
        tag = tag[:-1] + f' xmlns:openbadges="{OB3_BAKING_NAMESPACE}">'.encode()
    element = f"<openbadges:credential>{_cdata(_json(credential))}</openbadges:credential>"
    return svg[: match.start()] + tag + element.encode() + svg[match.end() :]


def _credential_from_text(text: str, where: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise AttachmentError(f"the credential baked in the {where} is not JSON") from exc
    if not isinstance(document, dict):
        raise AttachmentError(f"the credential baked in the {where} is not a JSON object")
    return document


def _from_png(png: bytes) -> dict[str, Any]:
    for _, kind, data in _chunks(png):
        if kind == b"iTXt" and (found := _itxt(data)) and found[0] == OB3_BAKING_KEYWORD:
            return _credential_from_text(found[1], "PNG")
    raise AttachmentError("the PNG has no baked credential (iTXt openbadgecredential)")


def _from_svg(svg: bytes) -> dict[str, Any]:
    try:
        root = parse_svg(svg)
    except UnsafeSvg as exc:
        raise AttachmentError(f"unreadable SVG: {exc.reason}") from exc
    element = next(root.iter(f"{{{OB3_BAKING_NAMESPACE}}}credential"), None)
    if element is None:
        raise AttachmentError("the SVG has no baked credential (openbadges:credential)")
    if element.get("verify"):
        raise AttachmentError("the SVG holds a VC-JWT credential, which Certmint does not read")
    return _credential_from_text(element.text or "", "SVG")


def extract_baked_credential(data: bytes) -> dict[str, Any]:
    """The first credential baked in a PNG or SVG file, parsed.

    Raises ``AttachmentError`` when the file is neither, or holds none.
    """
    if data.startswith(PNG_SIGNATURE):
        return _from_png(data)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!")):  # <!-- a comment or <!DOCTYPE
        return _from_svg(data)
    raise AttachmentError("not a PNG or SVG file")
