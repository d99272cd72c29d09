"""librsvg and cairo in process: metadata, determinism, sizes, errors, threads."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from PIL import Image
from pypdf import PdfReader

from certmint.rendering import (
    FontSet,
    PdfMetadata,
    RasterError,
    library_versions,
    render_pdf,
    render_png,
    svg_size,
)

PAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 595 842">'
    '<rect x="50" y="50" width="100" height="100" fill="#000"/>'
    '<text x="50" y="300" font-family="serif" font-size="30">{name}</text></svg>'
)
CREATED = datetime(2026, 5, 15, 9, 30, tzinfo=UTC)


def page(name: str = "Aanya Sharma") -> bytes:
    return PAGE.format(name=name).encode()


def test_library_versions() -> None:
    assert set(library_versions()) == {"librsvg", "cairo", "pango", "fontconfig"}


def test_svg_size_is_in_points(fonts: FontSet) -> None:
    assert svg_size(page(), fonts) == pytest.approx((595.28, 841.89), abs=0.01)


def test_pdf_metadata(fonts: FontSet) -> None:
    metadata = PdfMetadata("Certificate: Aanya Sharma", "Certmint Academy", subject="Completion")
    reader = PdfReader(io.BytesIO(render_pdf(page(), fonts, metadata)))
    info = reader.metadata
    assert info is not None
    assert (info.title, info.author, info.subject) == (
        "Certificate: Aanya Sharma",
        "Certmint Academy",
        "Completion",
    )
    assert info.creator == "Certmint"
    assert "Aanya Sharma" in reader.pages[0].extract_text()


def test_fixed_creation_date_gives_identical_bytes(fonts: FontSet) -> None:
    metadata = PdfMetadata("T", "A", created=CREATED)
    first = render_pdf(page(), fonts, metadata)
    assert render_pdf(page(), fonts, metadata) == first
    info = PdfReader(io.BytesIO(first)).metadata
    assert info is not None
    assert info.creation_date == CREATED
    assert render_pdf(page("Other Name"), fonts, metadata) != first


def test_png_size_and_white_background(fonts: FontSet) -> None:
    png = render_png(page(), fonts, width_px=300)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (300, 424)
        assert image.mode == "RGB"
        assert image.getpixel((5, 5)) == (255, 255, 255)
        assert image.getpixel((50, 50)) == (0, 0, 0)


def test_png_at_a_resolution_records_it(fonts: FontSet) -> None:
    png = render_png(page(), fonts, dpi=150)
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (1240, 1754)  # A4 at 150 dpi
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.5)


def test_png_needs_exactly_one_size(fonts: FontSet) -> None:
    with pytest.raises(TypeError):
        render_png(page(), fonts)
    with pytest.raises(TypeError):
        render_png(page(), fonts, width_px=100, dpi=72)


@pytest.mark.parametrize("width", [0, -5, 100_000])
def test_png_width_out_of_range(fonts: FontSet, width: int) -> None:
    with pytest.raises(RasterError) as caught:
        render_png(page(), fonts, width_px=width)
    assert caught.value.stage == "sizing PNG"


def test_not_svg_is_a_raster_error(fonts: FontSet) -> None:
    with pytest.raises(RasterError) as caught:
        render_pdf(b"<html>not svg", fonts, PdfMetadata("t", "a"))
    assert caught.value.stage == "loading SVG"


def test_relative_size_is_a_raster_error(fonts: FontSet) -> None:
    relative = b'<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%"/>'
    with pytest.raises(RasterError):
        render_pdf(relative, fonts, PdfMetadata("t", "a"))


def test_external_files_are_never_read(fonts: FontSet) -> None:
    # Defence in depth under the sanitiser: no base URL, so librsvg cannot resolve files.
    sneaky = page().replace(
        b"</svg>", b'<image href="file:///etc/passwd" width="10" height="10"/></svg>'
    )
    assert render_pdf(sneaky, fonts, PdfMetadata("t", "a")).startswith(b"%PDF-")


def test_threads_render_concurrently(fonts: FontSet) -> None:
    metadata = PdfMetadata("T", "A", created=CREATED)
    expected = {name: render_pdf(page(name), fonts, metadata) for name in ("Ann", "Bo", "Cy")}
    names = ["Ann", "Bo", "Cy"] * 8
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda n: render_pdf(page(n), fonts, metadata), names))
    assert results == [expected[name] for name in names]


def test_unicode_metadata_survives(fonts: FontSet) -> None:
    metadata = PdfMetadata("प्रमाणपत्र: अनुष्का क्षत्रिय", "محمد عبداللہ (Certmint)")
    info = PdfReader(io.BytesIO(render_pdf(page(), fonts, metadata))).metadata
    assert info is not None
    assert (info.title, info.author) == (metadata.title, metadata.author)
