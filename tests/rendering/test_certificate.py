"""End to end: template + values -> PDF/PNG/SVG; a 200-character name is printed in full."""

from __future__ import annotations

import io
from pathlib import Path
from xml.etree.ElementTree import fromstring

import pytest
from PIL import Image
from pypdf import PdfReader

from certmint.rendering import (
    GALLERY,
    FontSet,
    FontSpec,
    PdfMetadata,
    build_template,
    certificate_pdf,
    certificate_png,
    certificate_svg,
    extract_credential,
    measure_text,
    sample_values,
)

from .conftest import QR_URL, decode_qr, full_design, logo_png, pdf_text

LONG_NAME = (
    "Maximiliana Alexandrina Konstantina Wolfeschlegelsteinhausen Bergerdorff "
    "Hohenzollern-Sigmaringen Papadopoulou Venkatanarasimharajuvaripeta "
    "Oluwaseun Adebayo-Okonkwo Fitzgerald Montgomery de la Cruz Ybarra"
)[:200]
SVG = "{http://www.w3.org/2000/svg}"


def test_long_name_is_exactly_200_characters() -> None:
    assert len(LONG_NAME) == 200


@pytest.mark.parametrize("layout_id", [layout.id for layout in GALLERY])
def test_200_character_name_is_all_in_the_pdf_text_layer(
    fonts: FontSet, tmp_path: Path, layout_id: str
) -> None:
    template = build_template(full_design(layout_id))  # type: ignore[arg-type]
    values = {**sample_values(), "recipient.name": LONG_NAME}
    pdf = certificate_pdf(
        template, values, fonts=fonts, qr_url=QR_URL, metadata=PdfMetadata("Certificate", "Issuer")
    )
    words = " ".join(pdf_text(pdf, tmp_path).split())
    assert " ".join(LONG_NAME.split()) in words.replace("- ", "-")


@pytest.mark.parametrize("layout_id", [layout.id for layout in GALLERY])
def test_200_character_name_fits_its_slot(fonts: FontSet, layout_id: str) -> None:
    template = build_template(full_design(layout_id))  # type: ignore[arg-type]
    source = next(
        el for el in fromstring(template).iter(f"{SVG}text") if el.text == "{{recipient.name}}"
    )
    slot_width = float(source.get("data-fit-width", "0"))
    values = {**sample_values(), "recipient.name": LONG_NAME}
    filled = fromstring(certificate_svg(template, values, fonts=fonts, qr_url=QR_URL))
    name = next(el for el in filled.iter(f"{SVG}text") if "Maximiliana" in "".join(el.itertext()))
    lines = [tspan.text or "" for tspan in name] or [name.text or ""]
    assert len(lines) == 2
    assert "".join(lines).replace(" ", "") == LONG_NAME.replace(" ", "")
    font = FontSpec(source.get("font-family", ""), float(name.get("font-size", "0")), 600)
    assert all(measure_text(fonts, line, font) <= slot_width for line in lines)


def test_pdf_carries_credential_and_metadata(fonts: FontSet) -> None:
    template = build_template(full_design("portrait"))  # type: ignore[arg-type]
    credential = {"type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:1"}
    pdf = certificate_pdf(
        template,
        sample_values(),
        fonts=fonts,
        qr_url=QR_URL,
        metadata=PdfMetadata("Certificate of Completion: Aanya Sharma", "Certmint Academy"),
        credential=credential,
    )
    assert extract_credential(pdf) == credential
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert info.title == "Certificate of Completion: Aanya Sharma"
    assert info.author == "Certmint Academy"


def test_png_has_the_requested_width_and_a_scannable_code(fonts: FontSet) -> None:
    template = build_template(full_design("modern"))  # type: ignore[arg-type]
    png = certificate_png(template, sample_values(), fonts=fonts, qr_url=QR_URL, width_px=1400)
    with Image.open(io.BytesIO(png)) as image:
        assert image.width == 1400
        assert decode_qr(image.convert("L")) == [QR_URL]


def test_logos_and_signatures_are_drawn(fonts: FontSet) -> None:
    # A logo that failed to decode would vanish silently from the page; look for its pixels.
    red_logo = logo_png((255, 0, 0, 255))
    template = build_template(full_design("classic-2-2", logos=(red_logo, red_logo)))  # type: ignore[arg-type]
    png = certificate_png(template, sample_values(), fonts=fonts, qr_url=QR_URL, width_px=842)
    with Image.open(io.BytesIO(png)) as image:
        rgb = image.convert("RGB")
    left_logo = rgb.crop((70, 54, 180, 112))
    data = left_logo.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    reds = sum(1 for r, g, b in pixels if r > 200 and g < 60 and b < 60)
    assert reds > 500
    signature_row = rgb.crop((100, 440, 290, 484))  # above the signature rule
    assert min(signature_row.convert("L").tobytes()) < 80  # the inlined vector signature
