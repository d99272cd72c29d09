"""ctypes bindings to librsvg, cairo, Pango and fontconfig.

Why ctypes: librsvg (with Pango and HarfBuzz) is the only renderer that shapes every script
Certmint promises (DESIGN.md, "Rendering"), and binding the distribution's shared libraries at
run time keeps ``pip install`` free of compilers. Only the few functions we call are declared,
each with its exact signature, and the library versions are checked once at load so an old
system fails with a clear error instead of a crash.
"""

from __future__ import annotations

import ctypes
import functools
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_double,
    c_int,
    c_uint,
    c_uint32,
    c_void_p,
)
from dataclasses import dataclass

from certmint.rendering.errors import NativeLibraryMissing, NativeLibraryTooOld, RasterError

__all__ = [
    "PANGO_SCALE",
    "GError",
    "Native",
    "PangoLogAttr",
    "PangoRectangle",
    "WriteFunc",
    "native",
    "take_gerror",
]

PANGO_SCALE = 1024

# (soname, Debian package) for each library we bind.
_LIBRARIES = {
    "glib": ("libglib-2.0.so.0", "libglib2.0-0"),
    "gobject": ("libgobject-2.0.so.0", "libglib2.0-0"),
    "cairo": ("libcairo.so.2", "libcairo2"),
    "rsvg": ("librsvg-2.so.2", "librsvg2-2"),
    "pango": ("libpango-1.0.so.0", "libpango-1.0-0"),
    "pangocairo": ("libpangocairo-1.0.so.0", "libpangocairo-1.0-0"),
    "pangoft2": ("libpangoft2-1.0.so.0", "libpangoft2-1.0-0"),
    "fontconfig": ("libfontconfig.so.1", "libfontconfig1"),
}

# Oldest versions with every function used below (rsvg_handle_get_intrinsic_size_in_pixels is
# 2.52, cairo_pdf_surface_set_metadata 1.16, FcConfigParseAndLoadFromMemory 2.12.91).
_MIN_RSVG = (2, 52, 0)
_MIN_CAIRO = (1, 16, 0)
_MIN_PANGO = (1, 44, 0)
_MIN_FONTCONFIG = (2, 13, 0)

WriteFunc = CFUNCTYPE(c_int, c_void_p, c_void_p, c_uint)


class GError(Structure):
    """GLib's error struct: we read ``message`` and free it with ``g_error_free``."""

    _fields_ = (("domain", c_uint32), ("code", c_int), ("message", c_char_p))


class PangoRectangle(Structure):
    """Extents in Pango units (1/1024 of a point at our 72 dpi resolution)."""

    _fields_ = (("x", c_int), ("y", c_int), ("width", c_int), ("height", c_int))


class PangoLogAttr(Structure):
    """Per-character break information; we only read ``is_line_break`` and ``is_white``."""

    _fields_ = (
        ("is_line_break", c_uint, 1),
        ("is_mandatory_break", c_uint, 1),
        ("is_char_break", c_uint, 1),
        ("is_white", c_uint, 1),
        ("is_cursor_position", c_uint, 1),
        ("is_word_start", c_uint, 1),
        ("is_word_end", c_uint, 1),
        ("is_sentence_boundary", c_uint, 1),
        ("is_sentence_start", c_uint, 1),
        ("is_sentence_end", c_uint, 1),
        ("backspace_deletes_character", c_uint, 1),
        ("is_expandable_space", c_uint, 1),
        ("is_word_boundary", c_uint, 1),
        ("break_inserts_hyphen", c_uint, 1),
        ("break_removes_preceding", c_uint, 1),
        ("reserved", c_uint, 17),
    )


class RsvgRectangle(Structure):
    """The viewport librsvg renders the document into."""

    _fields_ = (("x", c_double), ("y", c_double), ("width", c_double), ("height", c_double))


def _load(key: str) -> ctypes.CDLL:
    soname, package = _LIBRARIES[key]
    try:
        return ctypes.CDLL(soname)
    except OSError as exc:
        raise NativeLibraryMissing(soname, package) from exc


def _require(name: str, found: tuple[int, ...], minimum: tuple[int, ...], package: str) -> None:
    if found < minimum:
        raise NativeLibraryTooOld(
            name,
            ".".join(map(str, found)),
            ".".join(map(str, minimum)),
            package,
        )


def _declare(lib: ctypes.CDLL, name: str, restype: object, *argtypes: object) -> None:
    func = getattr(lib, name)
    func.restype = restype
    func.argtypes = argtypes


@dataclass(frozen=True)
class Native:
    """The loaded libraries; attribute access gives the declared C functions."""

    glib: ctypes.CDLL
    gobject: ctypes.CDLL
    cairo: ctypes.CDLL
    rsvg: ctypes.CDLL
    pango: ctypes.CDLL
    pangocairo: ctypes.CDLL
    pangoft2: ctypes.CDLL
    fontconfig: ctypes.CDLL
    versions: dict[str, str]


def _declare_cairo(cairo: ctypes.CDLL) -> None:
    p = c_void_p
    _declare(cairo, "cairo_version", c_int)
    _declare(cairo, "cairo_pdf_surface_create_for_stream", p, WriteFunc, p, c_double, c_double)
    _declare(cairo, "cairo_pdf_surface_set_metadata", None, p, c_int, c_char_p)
    _declare(cairo, "cairo_image_surface_create", p, c_int, c_int, c_int)
    _declare(cairo, "cairo_surface_flush", None, p)
    _declare(cairo, "cairo_image_surface_get_data", p, p)
    _declare(cairo, "cairo_image_surface_get_stride", c_int, p)
    _declare(cairo, "cairo_image_surface_get_width", c_int, p)
    _declare(cairo, "cairo_image_surface_get_height", c_int, p)
    _declare(cairo, "cairo_surface_finish", None, p)
    _declare(cairo, "cairo_surface_destroy", None, p)
    _declare(cairo, "cairo_surface_status", c_int, p)
    _declare(cairo, "cairo_create", p, p)
    _declare(cairo, "cairo_destroy", None, p)
    _declare(cairo, "cairo_status", c_int, p)
    _declare(cairo, "cairo_status_to_string", c_char_p, c_int)
    _declare(cairo, "cairo_scale", None, p, c_double, c_double)
    _declare(cairo, "cairo_set_source_rgb", None, p, c_double, c_double, c_double)
    _declare(cairo, "cairo_paint", None, p)


def _declare_rsvg(rsvg: ctypes.CDLL) -> None:
    p = c_void_p
    _declare(rsvg, "rsvg_handle_new_from_data", p, c_char_p, ctypes.c_size_t, POINTER(p))
    _declare(rsvg, "rsvg_handle_set_dpi", None, p, c_double)
    _declare(
        rsvg,
        "rsvg_handle_get_intrinsic_size_in_pixels",
        c_int,
        p,
        POINTER(c_double),
        POINTER(c_double),
    )
    _declare(rsvg, "rsvg_handle_render_document", c_int, p, p, POINTER(RsvgRectangle), POINTER(p))


def _declare_pango(pango: ctypes.CDLL, pangocairo: ctypes.CDLL, pangoft2: ctypes.CDLL) -> None:
    p = c_void_p
    _declare(pango, "pango_version", c_int)
    _declare(pangocairo, "pango_cairo_font_map_new", p)
    _declare(pangocairo, "pango_cairo_font_map_set_default", None, p)
    _declare(pangoft2, "pango_fc_font_map_set_config", None, p, p)
    _declare(pango, "pango_font_map_create_context", p, p)
    _declare(pango, "pango_context_set_round_glyph_positions", None, p, c_int)
    _declare(pango, "pango_context_set_base_dir", None, p, c_int)
    _declare(pangocairo, "pango_cairo_context_set_resolution", None, p, c_double)
    _declare(pango, "pango_layout_new", p, p)
    _declare(pango, "pango_layout_set_text", None, p, c_char_p, c_int)
    _declare(pango, "pango_layout_set_font_description", None, p, p)
    _declare(pango, "pango_layout_get_extents", None, p, p, POINTER(PangoRectangle))
    _declare(pango, "pango_layout_get_unknown_glyphs_count", c_int, p)
    _declare(pango, "pango_layout_get_log_attrs_readonly", POINTER(PangoLogAttr), p, POINTER(c_int))
    _declare(pango, "pango_font_description_new", p)
    _declare(pango, "pango_font_description_free", None, p)
    _declare(pango, "pango_font_description_set_family", None, p, c_char_p)
    _declare(pango, "pango_font_description_set_weight", None, p, c_int)
    _declare(pango, "pango_font_description_set_style", None, p, c_int)
    _declare(pango, "pango_font_description_set_absolute_size", None, p, c_double)


def _declare_fontconfig(fc: ctypes.CDLL) -> None:
    p = c_void_p
    _declare(fc, "FcGetVersion", c_int)
    _declare(fc, "FcConfigCreate", p)
    _declare(fc, "FcConfigDestroy", None, p)
    _declare(fc, "FcConfigParseAndLoadFromMemory", c_int, p, c_char_p, c_int)
    _declare(fc, "FcConfigBuildFonts", c_int, p)
    _declare(fc, "FcNameParse", p, c_char_p)
    _declare(fc, "FcPatternDestroy", None, p)
    _declare(fc, "FcObjectSetBuild", p, c_char_p, c_char_p, c_char_p, c_void_p)
    _declare(fc, "FcObjectSetDestroy", None, p)
    _declare(fc, "FcFontList", p, p, p, p)
    _declare(fc, "FcFontSetDestroy", None, p)
    _declare(fc, "FcPatternGetString", c_int, p, c_char_p, c_int, POINTER(c_char_p))


def _split_version(encoded: int) -> tuple[int, int, int]:
    """cairo, Pango and fontconfig all encode versions as major*10000 + minor*100 + micro."""
    return encoded // 10000, (encoded // 100) % 100, encoded % 100


@functools.cache
def native() -> Native:
    """Load and check the libraries once per process.

    Raises ``NativeLibraryMissing`` or ``NativeLibraryTooOld``.
    """
    libs = {key: _load(key) for key in _LIBRARIES}
    _declare(libs["gobject"], "g_object_unref", None, c_void_p)
    _declare(libs["glib"], "g_error_free", None, POINTER(GError))
    _declare_cairo(libs["cairo"])
    _declare_rsvg(libs["rsvg"])
    _declare_pango(libs["pango"], libs["pangocairo"], libs["pangoft2"])
    _declare_fontconfig(libs["fontconfig"])

    rsvg_version = tuple(
        c_uint.in_dll(libs["rsvg"], f"rsvg_{part}_version").value
        for part in ("major", "minor", "micro")
    )
    cairo_version = _split_version(libs["cairo"].cairo_version())
    pango_version = _split_version(libs["pango"].pango_version())
    fc_version = _split_version(libs["fontconfig"].FcGetVersion())
    _require("librsvg", rsvg_version, _MIN_RSVG, "librsvg2-2")
    _require("cairo", cairo_version, _MIN_CAIRO, "libcairo2")
    _require("pango", pango_version, _MIN_PANGO, "libpango-1.0-0")
    _require("fontconfig", fc_version, _MIN_FONTCONFIG, "libfontconfig1")
    versions = {
        name: ".".join(map(str, found))
        for name, found in (
            ("librsvg", rsvg_version),
            ("cairo", cairo_version),
            ("pango", pango_version),
            ("fontconfig", fc_version),
        )
    }
    return Native(versions=versions, **libs)


def take_gerror(error: c_void_p, stage: str) -> RasterError:
    """Turn a set ``GError*`` into a ``RasterError`` and free it (GLib's ownership rule)."""
    lib = native()
    if not error.value:
        return RasterError(stage, "unknown error")
    gerror = ctypes.cast(error, POINTER(GError))
    message = (gerror.contents.message or b"").decode("utf-8", "replace")
    lib.glib.g_error_free(gerror)
    return RasterError(stage, message)
