"""Reading a certificate back from a picture of it: the QR codes in a photo, scan or PDF.

``certmint verify`` uses this when it is given an image (or a PDF without the credential
attached): the QR code holds the verification URL. Pictures are untrusted input, so their
size and pixel count are bounded before anything is decoded.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from certmint.rendering._images import ImageLimits
from certmint.rendering.errors import ImageError

__all__ = ["read_qr_codes"]

MAX_PDF_IMAGES = 50
_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def _check(image: Image.Image, limits: ImageLimits) -> Image.Image:
    width, height = image.size
    if width * height > limits.max_pixels:
        raise ImageError(f"{width}x{height} pixels is more than {limits.max_pixels}")
    return image


def _images(data: bytes, limits: ImageLimits) -> Iterator[Image.Image]:
    if data.startswith(b"%PDF"):
        try:
            pages = PdfReader(io.BytesIO(data)).pages
            count = 0
            for page in pages:
                for embedded in page.images:
                    count += 1
                    if count > MAX_PDF_IMAGES:
                        return
                    yield _check(Image.open(io.BytesIO(embedded.data)), limits)
        except (PyPdfError, OSError, ValueError) as exc:
            raise ImageError(f"unreadable PDF: {exc}") from exc
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield _check(Image.open(io.BytesIO(data)), limits)
    except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageError(f"not a readable image: {exc}") from exc


def read_qr_codes(data: bytes, *, limits: ImageLimits = ImageLimits()) -> tuple[str, ...]:
    """The text of every QR code in an image (PNG, JPEG, ...) or in a PDF's embedded images."""
    if len(data) > limits.max_bytes:
        raise ImageError(f"larger than {limits.max_bytes} bytes")
    found: list[str] = []
    for image in _images(data, limits):
        rgb = image.convert("RGB")
        found.extend(
            result.text for result in zxingcpp.read_barcodes(rgb, formats=_QR_ONLY) if result.valid
        )
    return tuple(dict.fromkeys(found))
