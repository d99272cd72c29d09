"""Uploaded images: sniffed by content, bounded, re-encoded without metadata, fitted."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from certmint.rendering import (
    ImageError,
    ImageLimits,
    UnsafeSvg,
    fit_into,
    prepare_image,
    prepare_raster,
    sniff_image_type,
)

from .conftest import SIGNATURE_SVG, logo_png


def jpeg_with_exif(size: tuple[int, int] = (64, 32), orientation: int = 1) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x013B] = "Jane Photographer"  # Artist
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    return out.getvalue()


def test_type_comes_from_content_not_name() -> None:
    assert sniff_image_type(logo_png()) == "png"
    assert sniff_image_type(jpeg_with_exif()) == "jpeg"
    assert sniff_image_type(b"\xef\xbb\xbf\n" + SIGNATURE_SVG) == "svg"
    for bad in (b"GIF89a....", b"%PDF-1.7", b"<html><body/></html>", b""):
        with pytest.raises(ImageError):
            sniff_image_type(bad)


def test_metadata_is_stripped() -> None:
    original = jpeg_with_exif()
    assert b"Jane Photographer" in original and b"secret note" in original
    prepared = prepare_raster(original)
    assert prepared.mime == "image/jpeg"
    assert b"Jane Photographer" not in prepared.data and b"secret note" not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert not image.getexif()
        assert "comment" not in image.info


def test_exif_orientation_is_applied_before_stripping() -> None:
    prepared = prepare_raster(jpeg_with_exif((64, 32), orientation=6))  # rotate 90
    assert (prepared.width, prepared.height) == (32, 64)


def test_png_text_chunks_are_dropped_and_alpha_kept() -> None:

    info = PngInfo()
    info.add_text("Author", "someone@example.org")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 128)).save(out, "PNG", pnginfo=info)
    prepared = prepare_raster(out.getvalue())
    assert b"someone@example.org" not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((5, 5)) == (255, 0, 0, 128)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")  # 400 Mpx in ~50 kB
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(ImageError, match="pixels"):
        prepare_raster(bomb.getvalue())


def test_byte_limit() -> None:
    with pytest.raises(ImageError, match="bytes"):
        prepare_image(logo_png(), ImageLimits(max_bytes=100))


def test_truncated_file_is_refused() -> None:
    with pytest.raises(ImageError, match="decode"):
        prepare_raster(logo_png()[:120])


def test_large_images_are_shrunk() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4000, 1000), "white").save(out, "PNG")
    prepared = prepare_raster(out.getvalue(), ImageLimits(max_side_px=800))
    assert (prepared.width, prepared.height) == (800, 200)


def test_svg_images_are_sanitised() -> None:
    hostile = SIGNATURE_SVG.replace(b"<path", b'<script>alert(1)</script><path onload="x()"')
    prepared = prepare_image(hostile)
    assert prepared.mime == "image/svg+xml"
    assert b"script" not in prepared.data and b"onload" not in prepared.data
    assert (prepared.width, prepared.height) == (200, 60)
    assert prepared.data_uri.startswith("data:image/svg+xml;base64,")


def test_svg_images_may_not_hold_placeholders() -> None:
    with pytest.raises(UnsafeSvg):
        prepare_image(SIGNATURE_SVG.replace(b"</svg>", b"<text>{{recipient.name}}</text></svg>"))


@pytest.mark.parametrize(
    ("size", "box", "expected"),
    [
        ((300, 100), (0, 0, 150, 150), (0, 50, 150, 50)),  # wide: full width, centred
        ((10, 40), (10, 10, 100, 100), (47.5, 10, 25, 100)),  # tall and tiny: scaled up
        ((5000, 5000), (0, 0, 80, 60), (10, 0, 60, 60)),  # huge: scaled down
    ],
)
def test_fit_into_keeps_shape_and_centres(
    size: tuple[int, int],
    box: tuple[float, float, float, float],
    expected: tuple[float, float, float, float],
) -> None:
    assert fit_into(*size, box) == pytest.approx(expected)


def test_flattening_composites_onto_the_backdrop_as_jpeg() -> None:
    image = Image.new("RGBA", (40, 20), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (20, 0, 40, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    prepared = prepare_raster(out.getvalue(), flatten_on="#1d3557")
    assert prepared.mime == "image/jpeg"
    with Image.open(io.BytesIO(prepared.data)) as flat:
        assert flat.mode == "RGB"
        backdrop, logo = flat.getpixel((5, 10)), flat.getpixel((35, 10))
    assert all(abs(a - b) <= 3 for a, b in zip(backdrop, (0x1D, 0x35, 0x57), strict=True))
    assert all(abs(a - b) <= 3 for a, b in zip(logo, (200, 0, 0), strict=True))
