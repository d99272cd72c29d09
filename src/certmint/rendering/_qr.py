"""The verification QR code, drawn as one SVG path.

Why a fixed mask: segno spends about 70% of its time trying the eight masks to pick the one
with the lowest penalty; any mask decodes, so we fix it and keep rendering cheap. Error
correction is M by default (Q allowed): the code is printed, not worn, and a smaller version
keeps modules large. Vector modules stay sharp at any print size, unlike an embedded PNG.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal
from xml.etree.ElementTree import Element, SubElement

import segno

__all__ = ["QR_MASK", "qr_element", "qr_matrix"]

QR_MASK = 4
_QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 asks
_SVG = "http://www.w3.org/2000/svg"


def _code(url: str, error: Literal["M", "Q"]) -> segno.QRCode:
    return segno.make_qr(url, error=error, mask=QR_MASK, boost_error=False)


def qr_matrix(url: str, *, error: Literal["M", "Q"] = "M") -> tuple[tuple[bool, ...], ...]:
    """The module matrix (True is dark), without the quiet zone."""
    return tuple(tuple(bool(cell) for cell in row) for row in _code(url, error).matrix)


_RUN = re.compile(rb"[^\x00]+")


def _path_data(rows: Iterable[bytes]) -> str:
    """One stroked segment per horizontal run of dark modules, offset by the quiet zone.

    A 1-unit stroke along the middle of the row draws the same squares as a filled
    rectangle with a fifth of the path commands, which is most of the QR's render cost.
    """
    parts = []
    for y, row in enumerate(rows, start=_QUIET_ZONE):
        for run in _RUN.finditer(row):
            parts.append(f"M{run.start() + _QUIET_ZONE} {y}.5h{run.end() - run.start()}")
    return "".join(parts)


def qr_element(
    url: str,
    *,
    x: float,
    y: float,
    size: float,
    colour: str = "#000000",
    error: Literal["M", "Q"] = "M",
) -> Element:
    """A ``<g>`` drawing the code (with its quiet zone) in the square ``x, y, size``."""
    rows = [bytes(row) for row in _code(url, error).matrix]
    modules = len(rows) + 2 * _QUIET_ZONE
    scale = size / modules
    group = Element(
        f"{{{_SVG}}}g",
        {
            "transform": f"translate({x:g} {y:g}) scale({scale:.6g})",
            "shape-rendering": "crispEdges",
        },
    )
    SubElement(
        group,
        f"{{{_SVG}}}rect",
        {"width": str(modules), "height": str(modules), "fill": "#ffffff"},
    )
    SubElement(
        group,
        f"{{{_SVG}}}path",
        {"d": _path_data(rows), "fill": "none", "stroke": colour, "stroke-width": "1"},
    )
    return group
