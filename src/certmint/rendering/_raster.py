"""SVG to PDF and PNG through librsvg and cairo, in process.

Why in process: ``rsvg-convert`` as a subprocess costs about 90 ms a page against about 17 ms
here (DESIGN.md). Documents are loaded without a base URL and without librsvg's "unlimited"
flag, so even an unsanitised SVG cannot make librsvg read files or build huge trees; the
sanitiser is still the real gate.

SVG user units are points: ``svg_size`` reads the document size at 72 dpi, which is exactly the
PDF page size in points.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from PIL import Image

from certmint.rendering._fonts import FontSet
from certmint.rendering._native import RsvgRectangle, WriteFunc, native, take_gerror
from certmint.rendering.errors import RasterError

__all__ = ["PdfMetadata", "library_versions", "render_pdf", "render_png", "svg_size"]

_FORMAT_ARGB32 = 0
_MAX_PNG_PIXELS = 40_000_000
# cairo_pdf_metadata_t
_TITLE, _AUTHOR, _SUBJECT, _KEYWORDS, _CREATOR, _CREATE_DATE = range(6)


@dataclass(frozen=True)
class PdfMetadata:
    """Document information written into the PDF (shown by viewers and search engines).

    ``created`` is given, not read from the clock, so the same certificate renders to the same
    bytes and stays cacheable by content hash.
    """

    title: str
    author: str
    subject: str = ""
    keywords: str = ""
    creator: str = "Certmint"
    created: datetime | None = None


class _Sink:
    """Collects what cairo writes through its stream callback."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.callback = WriteFunc(self._write)

    def _write(self, _closure: object, data: int, length: int) -> int:
        self.chunks.append(ctypes.string_at(data, length))
        return 0  # CAIRO_STATUS_SUCCESS

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def _load(svg: bytes) -> int:
    lib = native()
    error = ctypes.c_void_p()
    handle = lib.rsvg.rsvg_handle_new_from_data(svg, len(svg), ctypes.byref(error))
    if not handle:
        raise take_gerror(error, "loading SVG")
    lib.rsvg.rsvg_handle_set_dpi(handle, 72.0)
    return int(handle)


def _size(handle: int) -> tuple[float, float]:
    width, height = ctypes.c_double(), ctypes.c_double()
    ok = native().rsvg.rsvg_handle_get_intrinsic_size_in_pixels(
        handle, ctypes.byref(width), ctypes.byref(height)
    )
    if not ok or width.value <= 0 or height.value <= 0:
        raise RasterError("sizing SVG", "the root <svg> needs absolute width and height")
    return width.value, height.value


def library_versions() -> dict[str, str]:
    """librsvg, cairo, Pango and fontconfig versions (for cache keys and bug reports).

    Raises ``NativeLibraryMissing`` or ``NativeLibraryTooOld``.
    """
    return dict(native().versions)


def svg_size(svg: bytes, fonts: FontSet) -> tuple[float, float]:
    """Page width and height in points. Raises ``RasterError``."""
    fonts.activate()
    handle = _load(svg)
    try:
        return _size(handle)
    finally:
        native().gobject.g_object_unref(handle)


def _draw(
    svg: bytes,
    fonts: FontSet,
    make_surface: Callable[[float, float], tuple[int, float]],
    finish: Callable[[int], None],
) -> None:
    """Load ``svg``, let ``make_surface`` build a surface for its size, draw, ``finish``."""
    lib = native()
    fonts.activate()
    handle = _load(svg)
    surface = cr = 0
    try:
        width, height = _size(handle)
        surface, scale = make_surface(width, height)
        if lib.cairo.cairo_surface_status(surface):
            raise RasterError(
                "creating surface", _cairo_status(lib.cairo.cairo_surface_status(surface))
            )
        cr = lib.cairo.cairo_create(surface)
        if scale != 1.0:
            lib.cairo.cairo_scale(cr, scale, scale)
        viewport = RsvgRectangle(0.0, 0.0, width, height)
        error = ctypes.c_void_p()
        if not lib.rsvg.rsvg_handle_render_document(
            handle, cr, ctypes.byref(viewport), ctypes.byref(error)
        ):
            raise take_gerror(error, "rendering SVG")
        if lib.cairo.cairo_status(cr):
            raise RasterError("drawing", _cairo_status(lib.cairo.cairo_status(cr)))
        lib.cairo.cairo_destroy(cr)
        cr = 0
        finish(surface)
    finally:
        if cr:
            lib.cairo.cairo_destroy(cr)
        if surface:
            lib.cairo.cairo_surface_destroy(surface)
        lib.gobject.g_object_unref(handle)


def _cairo_status(status: int) -> str:
    text: bytes = native().cairo.cairo_status_to_string(status)
    return text.decode()


def render_pdf(svg: bytes, fonts: FontSet, metadata: PdfMetadata) -> bytes:
    """Render a (filled, sanitised) SVG to a one-page PDF. Raises ``RasterError``."""
    lib = native().cairo
    sink = _Sink()

    def make_surface(width: float, height: float) -> tuple[int, float]:
        surface = int(lib.cairo_pdf_surface_create_for_stream(sink.callback, None, width, height))
        fields = (
            (_TITLE, metadata.title),
            (_AUTHOR, metadata.author),
            (_SUBJECT, metadata.subject),
            (_KEYWORDS, metadata.keywords),
            (_CREATOR, metadata.creator),
        )
        for key, value in fields:
            if value:
                lib.cairo_pdf_surface_set_metadata(surface, key, value.encode())
        if metadata.created is not None:
            utc = metadata.created.astimezone(UTC) if metadata.created.tzinfo else metadata.created
            stamp = utc.replace(tzinfo=UTC).isoformat(timespec="seconds")
            lib.cairo_pdf_surface_set_metadata(surface, _CREATE_DATE, stamp.encode())
        return surface, 1.0

    def finish(surface: int) -> None:
        lib.cairo_surface_finish(surface)
        if lib.cairo_surface_status(surface):
            raise RasterError("writing PDF", _cairo_status(lib.cairo_surface_status(surface)))

    _draw(svg, fonts, make_surface, finish)
    return _fix_creation_date(sink.getvalue())


_BARE_DATE = re.compile(rb"/CreationDate \((\d{14}[+-]\d\d)'00\)")


def _fix_creation_date(pdf: bytes) -> bytes:
    """cairo 1.16 writes a given date without the ``D:`` prefix PDF readers require.

    Rewritten in place at the same length (``20260515093000+00'00`` becomes
    ``D:20260515093000+00'``, minutes of offset are always 00 in UTC), so no xref offset moves.
    """
    return _BARE_DATE.sub(rb"/CreationDate (D:\1')", pdf, count=1)


def render_png(
    svg: bytes, fonts: FontSet, *, width_px: int | None = None, dpi: float | None = None
) -> bytes:
    """Render to a PNG ``width_px`` wide, or at ``dpi`` (give exactly one).

    The height keeps the page's aspect ratio, and the file records its resolution so it prints
    at the page's real size. White background: a certificate printed from a transparent PNG
    looks broken. Raises ``RasterError`` (also for sizes over 40 megapixels) and
    ``TypeError`` when neither or both sizes are given.
    """
    if (width_px is None) == (dpi is None):
        raise TypeError("render_png needs exactly one of width_px and dpi")
    lib = native().cairo
    resolution: list[float] = []

    def make_surface(width: float, height: float) -> tuple[int, float]:
        pixels = width_px if width_px is not None else round(width * (dpi or 0) / 72)
        scale = pixels / width
        resolution.append(scale * 72)
        height_px = max(1, round(height * scale))
        if pixels <= 0 or pixels * height_px > _MAX_PNG_PIXELS:
            raise RasterError("sizing PNG", f"{pixels}x{height_px} pixels is out of range")
        surface = int(lib.cairo_image_surface_create(_FORMAT_ARGB32, pixels, height_px))
        cr = lib.cairo_create(surface)
        lib.cairo_set_source_rgb(cr, 1.0, 1.0, 1.0)
        lib.cairo_paint(cr)
        lib.cairo_destroy(cr)
        return surface, scale

    png = io.BytesIO()

    def finish(surface: int) -> None:
        # Pillow encodes at zlib level 3: cairo's own PNG writer (level 6 through libpng)
        # spends most of a PNG render compressing. The page is opaque (painted white), so
        # cairo's premultiplied BGRA is plain BGR plus padding.
        lib.cairo_surface_flush(surface)
        width = lib.cairo_image_surface_get_width(surface)
        height = lib.cairo_image_surface_get_height(surface)
        stride = lib.cairo_image_surface_get_stride(surface)
        data = ctypes.string_at(lib.cairo_image_surface_get_data(surface), stride * height)
        image = Image.frombuffer("RGB", (width, height), data, "raw", "BGRX", stride, 1)
        image.save(png, format="PNG", compress_level=3, dpi=(resolution[0], resolution[0]))

    _draw(svg, fonts, make_surface, finish)
    return png.getvalue()
