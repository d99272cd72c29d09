"""Baked badges (Open Badges 3.0 § 5.3): the credential in a PNG iTXt chunk and an SVG element."""

from __future__ import annotations

import io
import json
import struct
import zlib
from xml.etree.ElementTree import fromstring

import pytest
from PIL import Image

from certmint.rendering import (
    OB3_BAKING_NAMESPACE,
    AttachmentError,
    FontSet,
    bake_png,
    bake_svg,
    build_template,
    certificate_png,
    certificate_svg,
    extract_baked_credential,
    sample_values,
)

from .conftest import QR_URL, full_design, logo_png

CREDENTIAL = {
    "id": "urn:uuid:0f0e0d0c-0b0a-4998-8776-655443322110",
    "name": "Zoë ]]> <script>&amp; 李小龍 🎓",
}
SVG_DOC = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" a=">"><g/></svg>'
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data)
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _chunk_types(png: bytes) -> list[bytes]:
    types, offset = [], 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        types.append(png[offset + 4 : offset + 8])
        offset += 12 + length
    return types


def test_png_round_trip_keeps_the_image() -> None:
    png = logo_png()
    baked = bake_png(png, CREDENTIAL)
    assert extract_baked_credential(baked) == CREDENTIAL
    assert _chunk_types(baked)[:2] == [b"IHDR", b"iTXt"]  # first after the header
    assert Image.open(io.BytesIO(baked)).tobytes() == Image.open(io.BytesIO(png)).tobytes()
    # keyword, no compression, empty language tag and translated keyword, then the JSON
    start = baked.index(b"iTXt") + 4
    assert baked[start:].startswith(b"openbadgecredential\0\0\0\0\0{")
    with pytest.raises(AttachmentError, match="already holds"):
        bake_png(baked, CREDENTIAL)  # one credential per image


def test_png_reading_is_strict_about_the_file_and_lenient_about_compression() -> None:
    png = logo_png()
    with pytest.raises(AttachmentError, match="no baked credential"):
        extract_baked_credential(png)
    baked = bake_png(png, CREDENTIAL)
    corrupted = bytearray(baked)
    corrupted[baked.index(b"openbadgecredential") + 30] ^= 1
    with pytest.raises(AttachmentError, match="CRC"):
        extract_baked_credential(bytes(corrupted))
    with pytest.raises(AttachmentError, match="ends inside"):
        extract_baked_credential(baked[:60])
    # another baker's compressed chunk (the spec says MUST NOT, readers cope)
    text = zlib.compress(json.dumps(CREDENTIAL).encode())
    chunk = _chunk(b"iTXt", b"openbadgecredential\0\1\0\0\0" + text)
    other = png[:33] + chunk + png[33:]
    assert extract_baked_credential(other) == CREDENTIAL
    not_json = png[:33] + _chunk(b"iTXt", b"openbadgecredential\0\0\0\0\0eyJ.a.b") + png[33:]
    with pytest.raises(AttachmentError, match="not JSON"):
        extract_baked_credential(not_json)


def test_svg_round_trip_per_the_spec() -> None:
    baked = bake_svg(SVG_DOC, CREDENTIAL)
    assert extract_baked_credential(baked) == CREDENTIAL
    root = fromstring(baked)
    first = root[0]
    assert first.tag == f"{{{OB3_BAKING_NAMESPACE}}}credential"  # directly after <svg>
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert b"<![CDATA[" in baked and b"]]]]><![CDATA[>" in baked  # "]]>" split, not broken
    assert root.get("a") == ">"  # the root tag's attributes are kept
    with pytest.raises(AttachmentError, match="already holds"):
        bake_svg(baked, CREDENTIAL)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"GIF89a", "not a PNG or SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>', "no baked credential"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="'
            + OB3_BAKING_NAMESPACE.encode()
            + b'"><openbadges:credential verify="a.b.c"/></svg>',
            "VC-JWT",
        ),
        (b'<!DOCTYPE svg [<!ENTITY a "b">]><svg/>', "unreadable SVG"),
    ],
    ids=["gif", "unbaked", "vc-jwt", "entities"],
)
def test_what_cannot_be_read(data: bytes, error: str) -> None:
    with pytest.raises(AttachmentError, match=error):
        extract_baked_credential(data)


def test_an_svg_without_a_root_tag_to_open_is_not_baked() -> None:
    with pytest.raises(AttachmentError, match="no <svg> root"):
        bake_svg(b'<svg xmlns="http://www.w3.org/2000/svg"/>', CREDENTIAL)


def test_certificates_are_baked_when_given_the_credential(fonts: FontSet) -> None:
    template = build_template(full_design("classic-1-1"))  # type: ignore[arg-type]
    values = sample_values()
    png = certificate_png(
        template, values, fonts=fonts, qr_url=QR_URL, width_px=400, credential=CREDENTIAL
    )
    svg = certificate_svg(template, values, fonts=fonts, qr_url=QR_URL, credential=CREDENTIAL)
    assert extract_baked_credential(png) == extract_baked_credential(svg) == CREDENTIAL
    plain = certificate_png(template, values, fonts=fonts, qr_url=QR_URL, width_px=400)
    with pytest.raises(AttachmentError):
        extract_baked_credential(plain)
