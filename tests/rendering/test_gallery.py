"""The gallery: six or more real layouts, both paper sizes, and a QR code that scans."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from certmint.rendering import (
    GALLERY,
    PAPER_SIZES,
    DesignError,
    FontSet,
    Paper,
    PdfMetadata,
    build_template,
    certificate_pdf,
    get_layout,
    layout_frame,
    sample_values,
)

from .conftest import QR_URL, decode_qr, full_design, rasterise_pdf

CASES = [(layout.id, paper) for layout in GALLERY for paper in Paper]


def test_gallery_has_the_classics_and_two_more_designs() -> None:
    assert len(GALLERY) >= 6
    assert len({layout.id for layout in GALLERY}) == len(GALLERY)
    classics = {(lay.max_logos, lay.max_signatures) for lay in GALLERY if lay.style == "classic"}
    assert classics == {(1, 1), (2, 1), (1, 2), (2, 2)}
    others = [lay for lay in GALLERY if lay.style != "classic"]
    assert len({lay.style for lay in others}) >= 2
    assert any(lay.orientation == "portrait" for lay in others)
    assert max(lay.max_signatures for lay in GALLERY) == 4


def test_unknown_layout_lists_the_valid_ones() -> None:
    with pytest.raises(DesignError) as caught:
        get_layout("fancy")
    assert "classic-1-1" in caught.value.reason


@pytest.mark.parametrize(("logos", "signatures"), [(3, 1), (1, 0), (1, 3)])
def test_slot_counts_are_enforced(logos: int, signatures: int) -> None:
    with pytest.raises(DesignError):
        layout_frame(get_layout("classic-1-2"), Paper.A4, logos, signatures)


@pytest.mark.parametrize(("layout_id", "paper"), CASES)
def test_every_slot_is_on_the_page(layout_id: str, paper: Paper) -> None:
    layout = get_layout(layout_id)
    frame = layout_frame(layout, paper, layout.max_logos, layout.max_signatures)
    margin = 24.0 if layout.style == "modern" else 34.0  # inside the borders
    for name, slot in frame.texts.items():
        left = {"middle": slot.x - slot.width / 2, "start": slot.x, "end": slot.x - slot.width}
        assert margin <= left[slot.anchor], name
        assert left[slot.anchor] + slot.width <= frame.width - margin, name
        assert margin < slot.y < frame.height - margin, name
    boxes = [*frame.logos, frame.qr, *(sig.image for sig in frame.signatures)]
    for box in boxes:
        assert box.x >= 0 and box.x + box.w <= frame.width
        assert box.y >= 0 and box.y + box.h <= frame.height


@pytest.mark.parametrize(("layout_id", "paper"), CASES)
def test_rendered_pdf_has_page_size_and_a_qr_that_scans(
    fonts: FontSet, tmp_path: Path, layout_id: str, paper: Paper
) -> None:
    template = build_template(full_design(layout_id, paper))  # type: ignore[arg-type]
    pdf = certificate_pdf(
        template,
        sample_values(),
        fonts=fonts,
        qr_url=QR_URL,
        metadata=PdfMetadata(title="Certificate of Completion", author="Certmint Academy"),
    )
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    width, height = PAPER_SIZES[paper]
    if get_layout(layout_id).orientation == "portrait":
        width, height = height, width
    assert (float(box.width), float(box.height)) == pytest.approx((width, height), abs=0.01)
    page = rasterise_pdf(pdf, tmp_path, dpi=150)
    assert decode_qr(page) == [QR_URL]
