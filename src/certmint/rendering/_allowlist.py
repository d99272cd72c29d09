"""What an SVG may contain: the sanitiser's allow-lists, kept apart so they read as a policy.

Why these: everything a certificate needs to draw (shapes, text, gradients, clipping, masks,
images, reuse with ``<use>``) and the presentation attributes that style it. Not here, so
dropped: ``script``, ``foreignObject``, ``style`` sheets, links, animation, filters (costly
and rarely needed), fonts, and every event handler and namespace extension.
"""

from __future__ import annotations

__all__ = ["ATTRIBUTES", "ELEMENTS", "PRESENTATION"]

ELEMENTS = frozenset(
    "svg g defs title desc symbol use path rect circle ellipse line polyline polygon text tspan "  # noqa: SIM905
    "textPath image linearGradient radialGradient stop clipPath mask pattern marker".split()
)
PRESENTATION = frozenset(
    "fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap "  # noqa: SIM905
    "stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color "
    "font-family font-size font-weight font-style font-variant font-stretch text-anchor "
    "dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing "
    "text-decoration direction unicode-bidi writing-mode stop-color stop-opacity clip-path "
    "clip-rule mask visibility display shape-rendering text-rendering image-rendering "
    "marker-start marker-mid marker-end paint-order vector-effect".split()
)
"""Styling properties, allowed both as attributes and inside ``style``."""
ATTRIBUTES = PRESENTATION | frozenset(
    "id class x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points transform viewBox "  # noqa: SIM905
    "preserveAspectRatio version dx dy rotate lengthAdjust textLength offset gradientUnits "
    "gradientTransform spreadMethod patternUnits patternContentUnits patternTransform "
    "clipPathUnits maskUnits maskContentUnits markerWidth markerHeight refX refY orient "
    "markerUnits startOffset method spacing href style lang data-fit-width data-fit-lines".split()
)
"""Every attribute kept (``href`` and ``style`` are then checked value by value)."""
