"""An uploaded image of any supported kind: rasters re-encoded (``_images``), SVG sanitised
(``_sanitise``, which itself re-encodes the rasters an SVG embeds). Kept apart from both so
neither has to import the other."""

from __future__ import annotations

from certmint.rendering._images import ImageLimits, PreparedImage, prepare_raster, sniff_image_type
from certmint.rendering._sanitise import sanitise_svg
from certmint.rendering.errors import ImageError

__all__ = ["prepare_image"]


def prepare_image(
    data: bytes, limits: ImageLimits = ImageLimits(), *, flatten_on: str | None = None
) -> PreparedImage:
    """Check any supported upload: rasters are re-encoded, SVG is sanitised.

    Raises ``ImageError`` (or ``UnsafeSvg`` for an SVG that cannot be cleaned).
    """
    if len(data) > limits.max_bytes:
        raise ImageError(f"larger than {limits.max_bytes} bytes")
    if sniff_image_type(data) != "svg":
        return prepare_raster(data, limits, flatten_on=flatten_on)
    clean = sanitise_svg(data, allow_placeholders=False)
    return PreparedImage("image/svg+xml", clean.svg, clean.width_pt, clean.height_pt)
