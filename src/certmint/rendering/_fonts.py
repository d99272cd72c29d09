"""Fonts: a private fontconfig configuration, and the startup check of every promised script.

Why private: a certificate must look the same on a laptop, in CI and in production, so the
renderer never sees the host's fonts. ``FontSet.load`` builds a fontconfig configuration that
holds only the given directories (by default Debian's Noto fonts) plus fixed family aliases,
and hands it to a Pango font map that librsvg then uses (Pango's default font map is per
thread, so ``activate`` is called by every render entry point, cheaply).

``check_scripts`` proves, for each script the product promises, that some registered font
covers a sample of it, and names the Debian package to install when none does.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from certmint.rendering._native import native
from certmint.rendering.errors import FontError, MissingFonts

__all__ = [
    "DEFAULT_FONT_DIRS",
    "FONT_PACKAGES",
    "SCRIPTS",
    "FontSet",
    "ScriptCoverage",
    "ScriptSample",
    "check_scripts",
    "require_scripts",
]

DEFAULT_FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)
"""Where Debian's ``fonts-noto-core`` and ``fonts-noto-cjk`` install their files."""

FONT_PACKAGES: tuple[str, ...] = ("fonts-noto-core", "fonts-noto-cjk")
"""Every Debian font package the promised scripts need (CI and ``make run`` install these)."""


@dataclass(frozen=True)
class ScriptSample:
    """A promised script, characters that prove coverage of it, and who provides the font."""

    name: str
    sample: str
    package: str


SCRIPTS: tuple[ScriptSample, ...] = (
    ScriptSample("Latin", "AaZzÉéŁłŐőß", "fonts-noto-core"),
    ScriptSample("Devanagari", "क्षत्रज्ञ", "fonts-noto-core"),
    ScriptSample("Bengali", "ক্ষজ্ঞ", "fonts-noto-core"),
    ScriptSample("Tamil", "க்ஷஸ்ரீ", "fonts-noto-core"),
    ScriptSample("Telugu", "క్షజ్ఞ", "fonts-noto-core"),
    ScriptSample("Kannada", "ಕ್ಷಜ್ಞ", "fonts-noto-core"),
    ScriptSample("Malayalam", "ക്ഷജ്ഞ", "fonts-noto-core"),
    ScriptSample("Gujarati", "ક્ષજ્ઞ", "fonts-noto-core"),
    ScriptSample("Gurmukhi", "ਕਸ਼ਜ੍ਞ", "fonts-noto-core"),
    ScriptSample("Odia", "କ୍ଷଜ୍ଞ", "fonts-noto-core"),
    ScriptSample("Arabic/Urdu", "عربیےڈٹں", "fonts-noto-core"),
    ScriptSample("CJK", "中文日本語한국어", "fonts-noto-cjk"),
)

# Generic families resolve to these, in order; Pango falls back along the list per script.
_SERIF = (
    "Noto Serif",
    "Noto Serif Devanagari",
    "Noto Serif Bengali",
    "Noto Serif Tamil",
    "Noto Serif Telugu",
    "Noto Serif Kannada",
    "Noto Serif Malayalam",
    "Noto Serif Gujarati",
    "Noto Serif Gurmukhi",
    "Noto Sans Oriya",
    "Noto Naskh Arabic",
    "Noto Serif CJK SC",
)
_SANS = (
    "Noto Sans",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Tamil",
    "Noto Sans Telugu",
    "Noto Sans Kannada",
    "Noto Sans Malayalam",
    "Noto Sans Gujarati",
    "Noto Sans Gurmukhi",
    "Noto Sans Oriya",
    "Noto Sans Arabic",
    "Noto Sans CJK SC",
)
_FC_RESULT_MATCH = 0


@dataclass(frozen=True)
class ScriptCoverage:
    """Whether a promised script is covered, and by which family (or what to install)."""

    script: str
    covered: bool
    family: str | None
    package: str


def _fonts_conf(font_dirs: Sequence[Path], cache_dirs: Sequence[Path]) -> str:
    def prefer(generic: str, families: Sequence[str]) -> str:
        fams = "".join(f"<family>{escape(f)}</family>" for f in families)
        return f'<alias binding="same"><family>{generic}</family><prefer>{fams}</prefer></alias>'

    dirs = "".join(f"<dir>{escape(str(d))}</dir>" for d in font_dirs)
    caches = "".join(f"<cachedir>{escape(str(d))}</cachedir>" for d in cache_dirs)
    return (
        '<?xml version="1.0"?><fontconfig>'
        f"{dirs}{caches}"
        '<cachedir prefix="xdg">fontconfig</cachedir>'
        f"{prefer('serif', _SERIF)}{prefer('sans-serif', _SANS)}"
        f"{prefer('sans', _SANS)}{prefer('monospace', _SANS)}"
        # Unknown families (e.g. "Arial" in an uploaded SVG) get sans-serif, as browsers do.
        '<match target="pattern"><test qual="all" name="family" compare="not_eq">'
        '<string>sans-serif</string></test><edit name="family" mode="append_last">'
        "<string>sans-serif</string></edit></match>"
        "</fontconfig>"
    )


class _FcFontSet(ctypes.Structure):
    """fontconfig's ``FcFontSet``: a counted array of ``FcPattern*``."""

    _fields_ = (
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
    )


_local = threading.local()


class FontSet:
    """A fontconfig configuration holding only Certmint's fonts; build it with ``load``."""

    def __init__(self, config: int, font_dirs: tuple[Path, ...]) -> None:
        self._config = config
        self.font_dirs = font_dirs

    @classmethod
    def load(
        cls,
        font_dirs: Sequence[Path] = DEFAULT_FONT_DIRS,
        *,
        cache_dirs: Sequence[Path] = (Path("/var/cache/fontconfig"),),
    ) -> FontSet:
        """Register ``font_dirs`` (missing ones are skipped) in a new fontconfig config.

        Raises ``FontError`` when fontconfig refuses the configuration or no font is found.
        """
        lib = native().fontconfig
        existing = tuple(Path(d) for d in font_dirs if Path(d).is_dir())
        if not existing:
            raise MissingFonts(tuple(s.name for s in SCRIPTS), FONT_PACKAGES)
        config = lib.FcConfigCreate()
        conf = _fonts_conf(existing, cache_dirs).encode()
        if not lib.FcConfigParseAndLoadFromMemory(config, conf, 1):
            lib.FcConfigDestroy(config)
            raise FontError("fontconfig rejected the generated configuration")
        if not lib.FcConfigBuildFonts(config):
            lib.FcConfigDestroy(config)
            raise FontError("fontconfig could not scan " + ", ".join(map(str, existing)))
        return cls(config, existing)

    def activate(self) -> int:
        """Make this the current thread's Pango font map (librsvg uses it); return a context.

        The returned ``PangoContext*`` is set up like librsvg's own (72 dpi, unrounded glyph
        positions), so text measured with it has the widths librsvg will draw.
        """
        state = getattr(_local, "state", None)
        if state is not None and state[0] is self:
            return int(state[1])
        lib = native()
        fontmap = lib.pangocairo.pango_cairo_font_map_new()
        lib.pangoft2.pango_fc_font_map_set_config(fontmap, self._config)
        lib.pangocairo.pango_cairo_font_map_set_default(fontmap)
        context = lib.pango.pango_font_map_create_context(fontmap)
        lib.pango.pango_context_set_round_glyph_positions(context, 0)
        lib.pangocairo.pango_cairo_context_set_resolution(context, 72.0)
        lib.gobject.g_object_unref(fontmap)  # the default slot and the context hold it
        _local.state = (self, context)
        return int(context)

    def families_covering(self, text: str) -> tuple[str, ...]:
        """Families of the registered fonts that contain every character of ``text``."""
        lib = native().fontconfig
        charset = " ".join(f"{ord(ch):x}" for ch in sorted(set(text)))
        pattern = lib.FcNameParse(f":charset={charset}".encode())
        objects = lib.FcObjectSetBuild(b"family", None, None, None)
        fontset = lib.FcFontList(self._config, pattern, objects)
        families: set[str] = set()
        try:
            if fontset:
                found = ctypes.cast(fontset, ctypes.POINTER(_FcFontSet)).contents
                for i in range(found.nfont):
                    font = found.fonts[i]
                    value = ctypes.c_char_p()
                    if (
                        lib.FcPatternGetString(font, b"family", 0, ctypes.byref(value))
                        == _FC_RESULT_MATCH
                        and value.value
                    ):
                        families.add(value.value.decode())
        finally:
            if fontset:
                lib.FcFontSetDestroy(fontset)
            lib.FcObjectSetDestroy(objects)
            lib.FcPatternDestroy(pattern)
        return tuple(sorted(families))


def check_scripts(
    fonts: FontSet, scripts: Sequence[ScriptSample] = SCRIPTS
) -> tuple[ScriptCoverage, ...]:
    """Report, per promised script, the first covering family or the package to install."""
    report = []
    for script in scripts:
        families = fonts.families_covering(script.sample)
        report.append(
            ScriptCoverage(
                script=script.name,
                covered=bool(families),
                family=families[0] if families else None,
                package=script.package,
            )
        )
    return tuple(report)


def require_scripts(fonts: FontSet, scripts: Sequence[ScriptSample] = SCRIPTS) -> None:
    """Startup check: raise ``MissingFonts`` naming the scripts and the packages to install."""
    missing = [c for c in check_scripts(fonts, scripts) if not c.covered]
    if missing:
        raise MissingFonts(
            tuple(c.script for c in missing),
            tuple(sorted({c.package for c in missing})),
        )
