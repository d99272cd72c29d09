"""The built-in layouts: named slots on a page, and the frame (borders, rules, seal) around them.

Why geometry apart from content: a layout is a design decision (where the name goes, how big
the title is, which border), a ``Design`` is the admin's content. Keeping slots as data means
the designer, the previews and the tests all agree on where each thing is, and every layout
works for A4 and US Letter because positions are derived from the page size.

Styles: ``classic`` (double border with corner ornaments, the four layouts admins know:
1 or 2 logos x 1 or 2 signatures), ``modern`` (landscape with a colour band, up to 4
signatures) and ``portrait`` (formal portrait page with the QR code inside a seal ring).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, NamedTuple

from certmint.rendering.errors import DesignError

__all__ = [
    "GALLERY",
    "PAPER_SIZES",
    "Box",
    "Frame",
    "Layout",
    "Paper",
    "SignatureSlot",
    "TextSlot",
    "get_layout",
    "layout_frame",
]


class Paper(StrEnum):
    """Paper sizes every layout supports."""

    A4 = "a4"
    LETTER = "letter"


PAPER_SIZES: dict[Paper, tuple[float, float]] = {
    Paper.A4: (841.89, 595.28),  # 297 x 210 mm, landscape, in points
    Paper.LETTER: (792.0, 612.0),  # 11 x 8.5 in
}


class Box(NamedTuple):
    """A rectangle in points: left, top, width, height."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class TextSlot:
    """One line of text (two when ``lines=2`` and it does not fit), fitted to ``width``."""

    x: float
    y: float
    width: float
    size: float
    family: str = "Noto Serif, serif"
    weight: int = 400
    colour: str = "text"  # a Colours field name, resolved by the designer
    anchor: Literal["start", "middle", "end"] = "middle"
    lines: int = 1


@dataclass(frozen=True)
class SignatureSlot:
    """A signature image above a rule, with the signatory's name and designation below."""

    image: Box
    rule_y: float
    name: TextSlot
    designation: TextSlot


@dataclass(frozen=True)
class Frame:
    """A layout placed on a page: its decoration style and its named slots."""

    width: float
    height: float
    style: str
    texts: dict[str, TextSlot]
    logos: tuple[Box, ...]
    signatures: tuple[SignatureSlot, ...]
    qr: Box
    extras: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Layout:
    """A gallery entry: what admins see when picking a design (``name`` and ``description``
    are English; the admin pages show them translated)."""

    id: str
    name: str
    description: str
    style: Literal["classic", "modern", "portrait"]
    orientation: Literal["landscape", "portrait"]
    max_logos: int
    max_signatures: int


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name for "mark, don't translate")
    """``message`` unchanged: marks it for the pages' catalogues (``web/locale/babel.cfg``)."""
    return message


GALLERY: tuple[Layout, ...] = (
    Layout(
        "classic-1-1",
        N_("Classic"),
        N_("Double border; one logo, one signature"),
        "classic",
        "landscape",
        1,
        1,
    ),
    Layout(
        "classic-2-1",
        N_("Classic, two logos"),
        N_("Partner logos left and right; one signature"),
        "classic",
        "landscape",
        2,
        1,
    ),
    Layout(
        "classic-1-2",
        N_("Classic, two signatures"),
        N_("One logo; two signatures"),
        "classic",
        "landscape",
        1,
        2,
    ),
    Layout(
        "classic-2-2",
        N_("Classic, two and two"),
        N_("Two logos; two signatures"),
        "classic",
        "landscape",
        2,
        2,
    ),
    Layout(
        "modern",
        N_("Modern band"),
        N_("Colour band with logos and QR; up to four signatures"),
        "modern",
        "landscape",
        2,
        4,
    ),
    Layout(
        "portrait",
        N_("Formal portrait"),
        N_("Portrait page, QR in a seal; up to four signatures"),
        "portrait",
        "portrait",
        2,
        4,
    ),
)


def get_layout(layout_id: str) -> Layout:
    """The gallery entry with this id. Raises ``DesignError`` listing the valid ids."""
    for layout in GALLERY:
        if layout.id == layout_id:
            return layout
    raise DesignError(
        "layout", f"unknown {layout_id!r}; choose one of {', '.join(lay.id for lay in GALLERY)}"
    )


def _row(count: int, left: float, right: float) -> list[float]:
    """Centres of ``count`` equal columns spread between ``left`` and ``right``."""
    span = (right - left) / count
    return [left + span * (i + 0.5) for i in range(count)]


def _signatures(
    centres: list[float],
    column: float,
    rule_y: float,
    *,
    size: float = 12.5,
) -> tuple[SignatureSlot, ...]:
    width = column * 0.86
    return tuple(
        SignatureSlot(
            image=Box(cx - width / 2, rule_y - 52, width, 46),
            rule_y=rule_y,
            name=TextSlot(cx, rule_y + 17, width, size, "Noto Sans, sans-serif", 700),
            designation=TextSlot(
                cx, rule_y + 32, width, size * 0.84, "Noto Sans, sans-serif", colour="muted"
            ),
        )
        for cx in centres
    )


def _classic(w: float, h: float, logos: int, signatures: int) -> Frame:
    cx = w / 2
    logo_boxes = (
        (Box(cx - 45, 52, 90, 58),)
        if logos == 1
        else (Box(70, 54, 110, 58), Box(w - 180, 54, 110, 58))
    )
    issuer_y = 132 if logos == 1 else 90
    texts = {
        "issuer": TextSlot(
            cx,
            issuer_y,
            w - 420 if logos == 2 else w - 200,
            13,
            "Noto Sans, sans-serif",
            700,
            "primary",
        ),
        "title": TextSlot(
            cx, 182, w - 200, 38, "Noto Serif Display, Noto Serif, serif", 600, "primary"
        ),
        "subtitle": TextSlot(cx, 232, w - 240, 15, colour="muted"),
        "recipient": TextSlot(
            cx, 290, w - 220, 42, "Noto Serif Display, Noto Serif, serif", 600, "primary", lines=2
        ),
        "description": TextSlot(cx, 356, w - 240, 15, lines=2),
        "details": TextSlot(cx, 398, w - 260, 12, "Noto Sans, sans-serif", colour="muted"),
        "number": TextSlot(cx, h - 64, 160, 8.5, "Noto Sans, sans-serif", colour="muted"),
    }
    rule_y = h - 104
    qr = Box(cx - 38, h - 150, 76, 76)
    if signatures == 1:
        sigs = _signatures([w * 0.77], 200, rule_y)
        texts["date"] = TextSlot(w * 0.23, rule_y - 8, 180, 13, "Noto Sans, sans-serif")
        texts["date_label"] = TextSlot(
            w * 0.23, rule_y + 17, 180, 11, "Noto Sans, sans-serif", colour="muted"
        )
    else:
        sigs = _signatures([w * 0.23, w * 0.77], 200, rule_y)
    return Frame(
        w, h, "classic", texts, logo_boxes[:logos] if logos else (), sigs, qr, {"rule_y": rule_y}
    )


def _modern(w: float, h: float, logos: int, signatures: int) -> Frame:
    band = round(w * 0.29)
    bx = band / 2
    logo_boxes = (Box(bx - 70, 50, 140, 70), Box(bx - 70, 140, 140, 70))[:logos]
    issuer_y = 250 if logos == 2 else (160 if logos == 1 else 90)
    x0, x1 = band + 48, w - 44
    width = x1 - x0
    texts = {
        "issuer": TextSlot(
            bx, issuer_y, band - 50, 16, "Noto Sans, sans-serif", 700, "on_primary", lines=2
        ),
        "title": TextSlot(x0, 112, width, 34, "Noto Sans, sans-serif", 700, "primary", "start"),
        "subtitle": TextSlot(
            x0, 178, width, 14, "Noto Sans, sans-serif", colour="muted", anchor="start"
        ),
        "recipient": TextSlot(
            x0, 238, width, 44, "Noto Serif Display, Noto Serif, serif", 700, "primary", "start", 2
        ),
        "description": TextSlot(
            x0, 300, width, 15, "Noto Sans, sans-serif", anchor="start", lines=2
        ),
        "details": TextSlot(
            x0, 350, width, 12, "Noto Sans, sans-serif", colour="muted", anchor="start"
        ),
        "number": TextSlot(bx, h - 46, band - 50, 9.5, "Noto Sans, sans-serif", 700, "on_primary"),
    }
    qr = Box(bx - 46, h - 160, 92, 92)
    count = max(signatures, 1)
    sigs = _signatures(_row(count, x0 - 10, x1 + 10), (width + 20) / count, h - 84, size=12)
    return Frame(w, h, "modern", texts, logo_boxes, sigs, qr, {"band": band})


def _portrait(w: float, h: float, logos: int, signatures: int) -> Frame:
    cx = w / 2
    logo_boxes = (
        (Box(cx - 45, 62, 90, 64),)
        if logos == 1
        else (Box(62, 62, 100, 64), Box(w - 162, 62, 100, 64))
    )
    texts = {
        "issuer": TextSlot(cx, 158, w - 160, 14, "Noto Sans, sans-serif", 700, "primary"),
        "title": TextSlot(
            cx, 222, w - 140, 36, "Noto Serif Display, Noto Serif, serif", 600, "primary", lines=2
        ),
        "subtitle": TextSlot(cx, 300, w - 160, 15, colour="muted"),
        "recipient": TextSlot(
            cx, 360, w - 150, 40, "Noto Serif Display, Noto Serif, serif", 600, "primary", lines=2
        ),
        "description": TextSlot(cx, 432, w - 170, 15, lines=2),
        "details": TextSlot(cx, 482, w - 180, 12, "Noto Sans, sans-serif", colour="muted"),
        "number": TextSlot(cx, 668, 200, 9, "Noto Sans, sans-serif", colour="muted"),
    }
    qr = Box(cx - 40, 548, 80, 80)
    count = max(signatures, 1)
    sigs = _signatures(
        _row(count, 50, w - 50), (w - 100) / count, h - 96, size=12 if count < 4 else 10.5
    )
    return Frame(
        w, h, "portrait", texts, logo_boxes[:logos] if logos else (), sigs, qr, {"seal_y": 588}
    )


def layout_frame(layout: Layout, paper: Paper, logos: int, signatures: int) -> Frame:
    """Place ``layout`` on ``paper`` for this many logos and signatures.

    Raises ``DesignError`` when there are more logos or signatures than the layout has slots.
    """
    if not 0 <= logos <= layout.max_logos:
        raise DesignError("logos", f"{layout.id} holds at most {layout.max_logos}, got {logos}")
    if not 1 <= signatures <= layout.max_signatures:
        raise DesignError(
            "signatures", f"{layout.id} holds 1 to {layout.max_signatures}, got {signatures}"
        )
    width, height = PAPER_SIZES[paper]
    if layout.orientation == "portrait":
        width, height = height, width
    builders = {"classic": _classic, "modern": _modern, "portrait": _portrait}
    return builders[layout.style](width, height, logos, signatures)
