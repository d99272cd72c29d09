"""Text measurement with Pango and the shrink-and-wrap rule for long names.

Why Pango: librsvg lays SVG text out with Pango and HarfBuzz, so measuring with the same font
map, resolution (72 dpi) and unrounded glyph positions gives the widths librsvg will draw,
conjuncts and ligatures included; a font-metrics estimate would be wrong for every Indic
script. SVG text cannot wrap, so ``fit_text`` decides the lines and size and the caller writes
them as separate lines.

The rule (issue 4): a name that is too wide first shrinks a little on one line; below
``wrap_below`` of its design size it wraps to two lines at the best break Pango allows (UAX
#14: spaces for most scripts, between ideographs for CJK) and only then shrinks further. No
character is ever dropped.
"""

from __future__ import annotations

import ctypes
import threading
import unicodedata
from dataclasses import dataclass

from certmint.rendering._fonts import FontSet
from certmint.rendering._native import PANGO_SCALE, PangoRectangle, native

__all__ = [
    "FittedText",
    "FontSpec",
    "base_direction",
    "fit_text",
    "line_breaks",
    "measure_text",
    "unknown_glyphs",
]

_STYLE_ITALIC = 2
_SAFETY = 0.995  # keep half a percent spare for the ink that overhangs the advance width


@dataclass(frozen=True)
class FontSpec:
    """What the SVG says about the font: ``family`` may be a CSS list ("Noto Serif, serif")."""

    family: str
    size: float
    weight: int = 400
    italic: bool = False

    def at(self, size: float) -> FontSpec:
        return FontSpec(self.family, size, self.weight, self.italic)


@dataclass(frozen=True)
class FittedText:
    """The lines to draw and their font size; ``"".join`` of the lines loses only spaces."""

    lines: tuple[str, ...]
    size: float


_local = threading.local()


def _layout(fonts: FontSet, text: str, font: FontSpec) -> int:
    """A per-thread PangoLayout holding ``text`` in ``font`` (reused: creating one is slow)."""
    lib = native().pango
    context = fonts.activate()
    state = getattr(_local, "layout", None)
    if state is None or state[0] != context:
        layout = lib.pango_layout_new(context)
        _local.layout = state = (context, layout)
    layout = state[1]
    desc = lib.pango_font_description_new()
    lib.pango_font_description_set_family(desc, font.family.encode())
    lib.pango_font_description_set_weight(desc, font.weight)
    lib.pango_font_description_set_style(desc, _STYLE_ITALIC if font.italic else 0)
    lib.pango_font_description_set_absolute_size(desc, font.size * PANGO_SCALE)
    lib.pango_layout_set_font_description(layout, desc)
    lib.pango_font_description_free(desc)
    encoded = text.encode()
    lib.pango_layout_set_text(layout, encoded, len(encoded))
    return int(layout)


def measure_text(fonts: FontSet, text: str, font: FontSpec) -> float:
    """The advance width of ``text`` on one line, in points (user units)."""
    layout = _layout(fonts, text, font)
    logical = PangoRectangle()
    native().pango.pango_layout_get_extents(layout, None, ctypes.byref(logical))
    return float(logical.width) / PANGO_SCALE


def unknown_glyphs(fonts: FontSet, text: str, font: FontSpec) -> int:
    """How many characters no registered font can draw (each would print as a box)."""
    return int(native().pango.pango_layout_get_unknown_glyphs_count(_layout(fonts, text, font)))


def line_breaks(fonts: FontSet, text: str) -> tuple[int, ...]:
    """Character offsets where a line may break, by Pango's (UAX #14) rules."""
    layout = _layout(fonts, text, FontSpec("sans-serif", 10))
    count = ctypes.c_int()
    attrs = native().pango.pango_layout_get_log_attrs_readonly(layout, ctypes.byref(count))
    return tuple(i for i in range(1, min(count.value, len(text))) if attrs[i].is_line_break)


def base_direction(text: str) -> str:
    """``"rtl"`` when the first strong character is right-to-left (Unicode bidi rule P2)."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def _two_lines(fonts: FontSet, text: str, font: FontSpec) -> tuple[tuple[str, str], float] | None:
    """The break giving the narrowest two-line block, and that block's width at ``font``."""
    best: tuple[tuple[str, str], float] | None = None
    for offset in line_breaks(fonts, text):
        first, second = text[:offset].rstrip(), text[offset:].lstrip()
        if not first or not second:
            continue
        width = max(measure_text(fonts, first, font), measure_text(fonts, second, font))
        if best is None or width < best[1]:
            best = ((first, second), width)
    return best


def _shrink_until_fits(
    fonts: FontSet, lines: tuple[str, ...], font: FontSpec, size: float, max_width: float
) -> float:
    """Widths scale linearly with size (unhinted), but re-measure so the fit is exact."""
    for _ in range(50):
        widest = max(measure_text(fonts, line, font.at(size)) for line in lines)
        if widest <= max_width * _SAFETY:
            return size
        size *= min(0.99, max_width * _SAFETY / widest)
    return size


def fit_text(
    fonts: FontSet,
    text: str,
    font: FontSpec,
    *,
    max_width: float,
    max_lines: int = 2,
    wrap_below: float = 0.65,
) -> FittedText:
    """Choose lines and a size so ``text`` fits ``max_width`` without losing a character.

    ``font.size`` is the design size and is never exceeded. With ``max_lines=2`` the text
    wraps once its one-line size would fall below ``wrap_below * font.size``, and the
    two-line block, at most ``wrap_below * font.size`` so it stays about as tall as the
    design line allows, is kept only when it prints larger than one line would.
    """
    single = measure_text(fonts, text, font)
    if single <= max_width * _SAFETY or not text:
        return FittedText((text,), font.size)
    one_line = font.size * max_width * _SAFETY / single
    cap = font.size * wrap_below  # two lines never print larger: the block must stay compact
    if max_lines >= 2 and one_line < cap:
        split = _two_lines(fonts, text, font)
        if split is not None:
            lines, width = split
            two_line = min(cap, font.size * max_width * _SAFETY / width)
            if two_line > one_line:
                return FittedText(
                    lines, _shrink_until_fits(fonts, lines, font, two_line, max_width)
                )
    lines1 = (text,)
    return FittedText(lines1, _shrink_until_fits(fonts, lines1, font, one_line, max_width))
