from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from certmint.rendering import (
    Design,
    FontSet,
    ImageError,
    ImageLimits,
    PdfMetadata,
    build_template,
    certificate_pdf,
    certificate_png,
    read_qr_codes,
    sample_values,
)
from certmint.rendering._gallery import GALLERY

URL = "https://certs.example.org/v/q7Hc2bLxR4mWn9TzVk3pYa"


def test_reads_the_qr_of_a_rendered_certificate(fonts: FontSet) -> None:
    template = build_template(Design(layout=GALLERY[0].id))
    png = certificate_png(template, sample_values(), fonts=fonts, qr_url=URL)
    assert read_qr_codes(png) == (URL,)


def test_reads_a_qr_from_a_scanned_pdf() -> None:
    photo = io.BytesIO()
    segno.make_qr(URL, error="M").save(photo, kind="png", scale=8)
    scan = io.BytesIO()
    Image.open(io.BytesIO(photo.getvalue())).convert("RGB").save(scan, "PDF")
    assert read_qr_codes(scan.getvalue()) == (URL,)


def test_nothing_to_read_and_hostile_inputs() -> None:
    blank = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(blank, "PNG")
    assert read_qr_codes(blank.getvalue()) == ()
    with pytest.raises(ImageError):
        read_qr_codes(b"not an image")
    big = io.BytesIO()
    Image.new("1", (5000, 5000)).save(big, "PNG")
    with pytest.raises(ImageError, match="pixels"):
        read_qr_codes(big.getvalue(), limits=ImageLimits(max_pixels=1_000_000))


def test_our_vector_pdf_has_the_credential_instead(fonts: FontSet) -> None:
    template = build_template(Design(layout=GALLERY[0].id))
    pdf = certificate_pdf(
        template,
        sample_values(),
        fonts=fonts,
        qr_url=URL,
        metadata=PdfMetadata(title="t", author="a"),
    )
    assert read_qr_codes(pdf) == ()  # the QR is vector art: verify reads the attachment
