"""The QR code: the verification URL, a fixed mask, and it decodes from a render."""

from __future__ import annotations

import io
from xml.etree.ElementTree import Element

import pytest
import segno
from PIL import Image

from certmint.rendering import (
    QR_MASK,
    FontSet,
    qr_element,
    qr_matrix,
    render_png,
)
from certmint.rendering._svg import q, serialise

from .conftest import decode_qr


def test_mask_is_fixed_and_error_level_kept() -> None:
    url = "https://certs.example.org/v/q7Hc2bLxR4mWn9TzVk3pYa"
    reference = segno.make_qr(url, error="m", mask=QR_MASK, boost_error=False)
    assert qr_matrix(url) == tuple(tuple(bool(c) for c in row) for row in reference.matrix)
    assert reference.mask == QR_MASK
    assert reference.error == "M"
    assert len(qr_matrix(url, error="Q")) >= len(qr_matrix(url))


@pytest.mark.parametrize("error", ["M", "Q"])
def test_rendered_code_decodes_to_the_url(fonts: FontSet, error: str) -> None:
    url = "https://certs.example.org/v/Zx81-_aaBBccDDeeFFggHH"
    root = Element(q("svg"), {"width": "200pt", "height": "200pt", "viewBox": "0 0 200 200"})
    root.append(qr_element(url, x=20, y=20, size=160, error=error))  # type: ignore[arg-type]
    png = render_png(serialise(root), fonts, width_px=400)
    with Image.open(io.BytesIO(png)) as image:
        assert decode_qr(image.convert("L")) == [url]
