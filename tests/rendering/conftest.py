"""Rendering fixtures: one font set per session, sample images, raster helpers.

The session-wide font set comes from the root conftest; every test still renders through the
real librsvg, cairo and Pango.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import zxingcpp
from PIL import Image, ImageDraw

QR_URL = "https://certs.example.org/v/q7Hc2bLxR4mWn9TzVk3pYa"
SIGNATURE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
    b'<path d="M5 45 C 30 5, 50 60, 80 30 S 130 10, 150 40 S 180 50, 195 20" fill="none"'
    b' stroke="#123" stroke-width="3"/></svg>'
)


def logo_png(colour: tuple[int, int, int, int] = (200, 60, 60, 255)) -> bytes:
    """A 300x200 logo with transparency: a disc and a bar."""
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 180, 180), fill=colour)
    draw.rectangle((150, 60, 290, 140), fill=(40, 40, 40, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def rasterise_pdf(pdf: bytes, tmp_path: Path, dpi: int = 150) -> Image.Image:
    """First page of ``pdf`` through poppler's pdftoppm (an independent PDF reader)."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: apt-get install poppler-utils"
    source = tmp_path / "in.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", "-singlefile", str(source), str(tmp_path / "page")],
        check=True,
    )
    with Image.open(tmp_path / "page.png") as page:
        return page.convert("L")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text layer through poppler's pdftotext."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext missing: apt-get install poppler-utils"
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    done = subprocess.run([pdftotext, "-raw", str(source), "-"], check=True, capture_output=True)
    return done.stdout.decode()


def decode_qr(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def ink_box(png: bytes, threshold: int = 128) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of dark pixels."""
    with Image.open(io.BytesIO(png)) as image:
        gray = image.convert("L")
    return gray.point(lambda v: 255 if v < threshold else 0).getbbox()


def full_design(layout_id: str, paper: str = "a4", **changes: object) -> object:
    """A design using every logo and signature slot of the layout (sample text otherwise)."""
    from certmint.rendering import GALLERY, Design, Paper, Signatory  # noqa: PLC0415

    layout = next(lay for lay in GALLERY if lay.id == layout_id)
    colours = ((200, 60, 60, 255), (60, 120, 200, 255))
    signatories = tuple(
        Signatory(
            f"{{{{signatory.{n}.name}}}}", f"{{{{signatory.{n}.designation}}}}", SIGNATURE_SVG
        )
        for n in range(1, layout.max_signatures + 1)
    )
    fields: dict[str, object] = {
        "layout": layout_id,
        "paper": Paper(paper),
        "logos": tuple(logo_png(colours[i]) for i in range(layout.max_logos)),
        "signatories": signatories,
    }
    fields.update(changes)
    return Design(**fields)  # type: ignore[arg-type]
