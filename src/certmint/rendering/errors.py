"""Every error the rendering library raises.

Callers catch ``RenderError`` (or one of its branches) and never a ctypes, Pillow, defusedxml
or pypdf type: those are translated here, at the library boundary. Each exception carries the
facts a caller needs as fields, so the web layer can show them without parsing messages::

    RenderError
    ├── NativeLibraryError              a C library could not be used
    │   ├── NativeLibraryMissing        .library, .package
    │   └── NativeLibraryTooOld         .library, .found, .required, .package
    ├── FontError
    │   └── MissingFonts                .scripts, .packages
    ├── UnsafeSvg                       .reason (DOCTYPE, entities, limits, bad XML)
    │   └── SvgRejected                 .removed (strict mode: what would have been dropped)
    ├── PlaceholderError
    │   ├── UnknownPlaceholder          .names, .known
    │   ├── MissingValue                .names
    │   └── InvalidValue                .name, .reason
    ├── ImageError                      .reason (type, bytes, pixels, decode failure)
    ├── DesignError                     .field, .reason
    ├── RasterError                     .stage, .detail (librsvg or cairo failed)
    └── AttachmentError                 .reason (no credential in the PDF, PNG or SVG; unreadable)
"""

from __future__ import annotations

__all__ = [
    "AttachmentError",
    "DesignError",
    "FontError",
    "ImageError",
    "InvalidValue",
    "MissingFonts",
    "MissingValue",
    "NativeLibraryError",
    "NativeLibraryMissing",
    "NativeLibraryTooOld",
    "PlaceholderError",
    "RasterError",
    "RenderError",
    "SvgRejected",
    "UnknownPlaceholder",
    "UnsafeSvg",
]


class RenderError(Exception):
    """Base of every rendering failure; the message is for logs, the fields are for code."""


class NativeLibraryError(RenderError):
    """librsvg, cairo, Pango or fontconfig could not be loaded or is unusable."""


class NativeLibraryMissing(NativeLibraryError):
    """A shared library is not installed; ``package`` is the Debian package providing it."""

    def __init__(self, library: str, package: str) -> None:
        super().__init__(f"cannot load {library}: install the Debian package {package}")
        self.library = library
        self.package = package


class NativeLibraryTooOld(NativeLibraryError):
    """A shared library is older than the API we call (we never fall back silently)."""

    def __init__(self, library: str, found: str, required: str, package: str) -> None:
        super().__init__(f"{library} {found} is too old: {required} or newer needed ({package})")
        self.library = library
        self.found = found
        self.required = required
        self.package = package


class FontError(RenderError):
    """Fonts could not be registered or are not enough for the scripts Certmint promises."""


class MissingFonts(FontError):
    """Some promised scripts have no covering font; ``packages`` is what to ``apt-get install``."""

    def __init__(self, scripts: tuple[str, ...], packages: tuple[str, ...]) -> None:
        super().__init__(
            f"no font covers {', '.join(scripts)}: apt-get install {' '.join(packages)}"
        )
        self.scripts = scripts
        self.packages = packages


class UnsafeSvg(RenderError):
    """An SVG cannot be accepted at all (not just cleaned): bad XML, DOCTYPE, over a limit."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"unsafe SVG: {reason}")
        self.reason = reason


class SvgRejected(UnsafeSvg):
    """Strict sanitising found content it would have had to remove."""

    def __init__(self, removed: tuple[str, ...]) -> None:
        super().__init__("would remove " + "; ".join(removed))
        self.removed = removed


class PlaceholderError(RenderError):
    """A ``{{placeholder}}`` problem in a template or in the values filling it."""


class UnknownPlaceholder(PlaceholderError):
    """A template uses names Certmint does not know; ``known`` lists the valid ones."""

    def __init__(self, names: tuple[str, ...], known: tuple[str, ...]) -> None:
        super().__init__(f"unknown placeholder(s) {', '.join(names)}; known: {', '.join(known)}")
        self.names = names
        self.known = known


class MissingValue(PlaceholderError):
    """The template needs values that were not given (we never print an empty slot silently)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(f"no value for placeholder(s) {', '.join(names)}")
        self.names = names


class InvalidValue(PlaceholderError):
    """A value cannot be printed (control characters, not text)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"value for {name}: {reason}")
        self.name = name
        self.reason = reason


class ImageError(RenderError):
    """An uploaded logo or signature image is refused."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"image refused: {reason}")
        self.reason = reason


class DesignError(RenderError):
    """A designer model cannot be turned into a template (e.g. more logos than slots)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class RasterError(RenderError):
    """librsvg or cairo reported a failure while loading or drawing."""

    def __init__(self, stage: str, detail: str) -> None:
        super().__init__(f"{stage} failed: {detail}")
        self.stage = stage
        self.detail = detail


class AttachmentError(RenderError):
    """The credential could not be attached to, or extracted from, a PDF (or baked into, or
    extracted from, a PNG or SVG)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
