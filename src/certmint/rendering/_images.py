"""Logos and signature images: sniffed, bounded, re-encoded, placed.

Why re-encode: an uploaded file is untrusted in three ways. Its name and declared type lie (we
sniff the bytes), its header can promise gigapixels that decompress from a few kilobytes (we
check width x height before decoding), and its metadata can carry GPS positions or a
photographer's name (we copy pixels into a fresh image, so EXIF, XMP, ICC and text chunks stay
behind). Images are shrunk to at most ``max_side_px`` (print resolution for a logo slot) so a
20-megapixel phone photo of a signature does not make every PDF 8 MB. SVG images are ``_uploads``'s
business (the template sanitiser, placeholders forbidden).
"""

from __future__ import annotations

import base64
import io
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from certmint.rendering.errors import ImageError

__all__ = [
    "ImageLimits",
    "PreparedImage",
    "fit_into",
    "prepare_raster",
    "sniff_image_type",
]

ImageType = Literal["png", "jpeg", "svg"]


@dataclass(frozen=True)
class ImageLimits:
    """Upload bounds: bytes on the wire, pixels in the header, and the re-encoded size."""

    max_bytes: int = 10_000_000
    max_pixels: int = 40_000_000
    max_side_px: int = 1200


@dataclass(frozen=True)
class PreparedImage:
    """A safe image ready to embed; ``width``/``height`` in pixels (raster) or points (SVG)."""

    mime: str
    data: bytes
    width: float
    height: float

    @property
    def data_uri(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode()}"


def sniff_image_type(data: bytes) -> ImageType:
    """PNG, JPEG or SVG from the first bytes; the file name is never consulted."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in head:
        return "svg"
    raise ImageError("not a PNG, JPEG or SVG file")


def prepare_raster(
    data: bytes, limits: ImageLimits = ImageLimits(), *, flatten_on: str | None = None
) -> PreparedImage:
    """Check and re-encode a PNG or JPEG. Raises ``ImageError``.

    With ``flatten_on`` (a ``#rrggbb`` colour: what the image will sit on), transparency is
    composited onto that colour and the result is a JPEG (quality 92, no chroma subsampling):
    cairo embeds JPEG bytes in a PDF as they are, while a PNG with alpha is decoded and
    deflated again on every render, which made logos the most expensive part of a PDF.
    """
    if len(data) > limits.max_bytes:
        raise ImageError(f"larger than {limits.max_bytes} bytes")
    kind = sniff_image_type(data)
    if kind == "svg":
        raise ImageError("expected a PNG or JPEG")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["PNG", "JPEG"]) as opened:
                width, height = opened.size
                if width * height > limits.max_pixels or width <= 0 or height <= 0:
                    raise ImageError(f"{width}x{height} exceeds {limits.max_pixels} pixels")
                if kind == "jpeg":
                    opened.draft("RGB", (limits.max_side_px, limits.max_side_px))
                image = ImageOps.exif_transpose(opened)
                has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
                image = image.convert("RGBA" if has_alpha else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"cannot decode {kind}: {exc}") from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"decompression bomb: {exc}") from exc
    image.thumbnail((limits.max_side_px, limits.max_side_px), Image.Resampling.LANCZOS)
    clean = Image.frombytes(image.mode, image.size, image.tobytes())  # no info, no metadata
    out = io.BytesIO()
    if flatten_on is not None:
        backdrop = Image.new("RGB", clean.size, flatten_on)
        if clean.mode == "RGBA":
            backdrop.paste(clean, mask=clean.getchannel("A"))
        else:
            backdrop.paste(clean)
        backdrop.save(out, format="JPEG", quality=92, subsampling=0)
        return PreparedImage("image/jpeg", out.getvalue(), float(clean.width), float(clean.height))
    if kind == "jpeg" and clean.mode == "RGB":
        clean.save(out, format="JPEG", quality=90, optimize=True)
        mime = "image/jpeg"
    else:
        clean.save(out, format="PNG", optimize=False)
        mime = "image/png"
    return PreparedImage(mime, out.getvalue(), float(clean.width), float(clean.height))


def fit_into(
    width: float, height: float, box: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """Scale ``width x height`` to fit ``box`` (x, y, w, h), keeping its shape, centred.

    Small images are scaled up too: a slot's size is the design, whatever was uploaded.
    """
    bx, by, bw, bh = box
    scale = min(bw / width, bh / height)
    w, h = width * scale, height * scale
    return bx + (bw - w) / 2, by + (bh - h) / 2, w, h
