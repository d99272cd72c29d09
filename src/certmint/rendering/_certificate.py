"""One call per output format: fill a template and render it as a certificate.

Why: services should not have to know the order of steps (fill, rasterise, attach or bake) or
that the credential goes inside the PDF (an attachment) and the PNG and SVG (baked, Open Badges
3.0 § 5.3); these three functions are the rendering library's verbs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from certmint.rendering._baking import bake_png, bake_svg
from certmint.rendering._fill import fill_template
from certmint.rendering._fonts import FontSet
from certmint.rendering._pdf import attach_credential
from certmint.rendering._raster import PdfMetadata, render_pdf, render_png

__all__ = ["certificate_pdf", "certificate_png", "certificate_svg"]


def certificate_svg(
    template: bytes,
    values: Mapping[str, str],
    *,
    fonts: FontSet,
    qr_url: str,
    credential: dict[str, Any] | None = None,
    language: str | None = None,
) -> bytes:
    """The filled SVG (placeholders replaced, text fitted, QR drawn), the signed credential
    baked in when given."""
    svg = fill_template(template, values, fonts=fonts, qr_url=qr_url, language=language)
    return bake_svg(svg, credential) if credential is not None else svg


def certificate_pdf(
    template: bytes,
    values: Mapping[str, str],
    *,
    fonts: FontSet,
    qr_url: str,
    metadata: PdfMetadata,
    credential: dict[str, Any] | bytes | None = None,
    language: str | None = None,
) -> bytes:
    """The certificate PDF, with the signed credential attached when given."""
    svg = fill_template(template, values, fonts=fonts, qr_url=qr_url, language=language)
    pdf = render_pdf(svg, fonts, metadata)
    return attach_credential(pdf, credential) if credential is not None else pdf


def certificate_png(
    template: bytes,
    values: Mapping[str, str],
    *,
    fonts: FontSet,
    qr_url: str,
    width_px: int | None = None,
    dpi: float | None = None,
    credential: dict[str, Any] | None = None,
    language: str | None = None,
) -> bytes:
    """The certificate as a PNG, ``width_px`` wide or at ``dpi`` (default 1600 px wide), the
    signed credential baked in when given.

    A PNG costs 5-10x a PDF: make it only on request.
    """
    svg = fill_template(template, values, fonts=fonts, qr_url=qr_url, language=language)
    if width_px is None and dpi is None:
        width_px = 1600
    png = render_png(svg, fonts, width_px=width_px, dpi=dpi)
    return bake_png(png, credential) if credential is not None else png
