"""Certmint rendering: certificate templates to PDF, PNG and SVG.

A library (DESIGN.md, "Layers"): everything comes in as arguments (templates, values,
fonts, images) and bytes come out; no database, web or configuration. Start with
``FontSet.load()`` and ``require_scripts``, build templates with ``build_template`` or
``sanitise_svg``, and render with ``certificate_pdf`` / ``certificate_png`` /
``certificate_svg`` (the credential attached to the PDF, baked into the PNG and SVG;
``extract_credential`` / ``extract_baked_credential`` read it back). Errors are
``RenderError`` subclasses (see ``errors``).
"""

from __future__ import annotations

from certmint.rendering._baking import (
    OB3_BAKING_KEYWORD,
    OB3_BAKING_NAMESPACE,
    bake_png,
    bake_svg,
    extract_baked_credential,
)
from certmint.rendering._cache import (
    RENDERER_VERSION,
    FileCache,
    cache_key,
)
from certmint.rendering._certificate import (
    certificate_pdf,
    certificate_png,
    certificate_svg,
)
from certmint.rendering._designer import (
    Colours,
    Design,
    Signatory,
    build_template,
)
from certmint.rendering._fill import (
    FIT_ATTRIBUTES,
    check_fit_slots,
    fill_template,
    template_placeholders,
)
from certmint.rendering._fonts import (
    DEFAULT_FONT_DIRS,
    FONT_PACKAGES,
    SCRIPTS,
    FontSet,
    ScriptCoverage,
    ScriptSample,
    check_scripts,
    require_scripts,
)
from certmint.rendering._gallery import (
    GALLERY,
    PAPER_SIZES,
    Box,
    Frame,
    Layout,
    Paper,
    SignatureSlot,
    TextSlot,
    get_layout,
    layout_frame,
)
from certmint.rendering._images import (
    ImageLimits,
    PreparedImage,
    fit_into,
    prepare_raster,
    sniff_image_type,
)
from certmint.rendering._pdf import (
    CREDENTIAL_FILENAME,
    CREDENTIAL_MIME,
    attach_credential,
    extract_credential,
)
from certmint.rendering._placeholders import (
    MAX_SIGNATORIES,
    PLACEHOLDER_PATTERN,
    PLACEHOLDERS,
    QR_PLACEHOLDER,
    check_placeholders,
    check_values,
    find_placeholders,
    sample_values,
)
from certmint.rendering._qr import (
    QR_MASK,
    qr_element,
    qr_matrix,
)
from certmint.rendering._raster import (
    PdfMetadata,
    library_versions,
    render_pdf,
    render_png,
    svg_size,
)
from certmint.rendering._sanitise import (
    SanitisedSvg,
    SvgLimits,
    sanitise_svg,
)
from certmint.rendering._scan import read_qr_codes
from certmint.rendering._text import (
    FittedText,
    FontSpec,
    base_direction,
    fit_text,
    line_breaks,
    measure_text,
    unknown_glyphs,
)
from certmint.rendering._uploads import prepare_image
from certmint.rendering.errors import (
    AttachmentError,
    DesignError,
    FontError,
    ImageError,
    InvalidValue,
    MissingFonts,
    MissingValue,
    NativeLibraryError,
    NativeLibraryMissing,
    NativeLibraryTooOld,
    PlaceholderError,
    RasterError,
    RenderError,
    SvgRejected,
    UnknownPlaceholder,
    UnsafeSvg,
)

__all__ = [
    "CREDENTIAL_FILENAME",
    "CREDENTIAL_MIME",
    "DEFAULT_FONT_DIRS",
    "FIT_ATTRIBUTES",
    "FONT_PACKAGES",
    "GALLERY",
    "MAX_SIGNATORIES",
    "OB3_BAKING_KEYWORD",
    "OB3_BAKING_NAMESPACE",
    "PAPER_SIZES",
    "PLACEHOLDERS",
    "PLACEHOLDER_PATTERN",
    "QR_MASK",
    "QR_PLACEHOLDER",
    "RENDERER_VERSION",
    "SCRIPTS",
    "AttachmentError",
    "Box",
    "Colours",
    "Design",
    "DesignError",
    "FileCache",
    "FittedText",
    "FontError",
    "FontSet",
    "FontSpec",
    "Frame",
    "ImageError",
    "ImageLimits",
    "InvalidValue",
    "Layout",
    "MissingFonts",
    "MissingValue",
    "NativeLibraryError",
    "NativeLibraryMissing",
    "NativeLibraryTooOld",
    "Paper",
    "PdfMetadata",
    "PlaceholderError",
    "PreparedImage",
    "RasterError",
    "RenderError",
    "SanitisedSvg",
    "ScriptCoverage",
    "ScriptSample",
    "Signatory",
    "SignatureSlot",
    "SvgLimits",
    "SvgRejected",
    "TextSlot",
    "UnknownPlaceholder",
    "UnsafeSvg",
    "attach_credential",
    "bake_png",
    "bake_svg",
    "base_direction",
    "build_template",
    "cache_key",
    "certificate_pdf",
    "certificate_png",
    "certificate_svg",
    "check_fit_slots",
    "check_placeholders",
    "check_scripts",
    "check_values",
    "extract_baked_credential",
    "extract_credential",
    "fill_template",
    "find_placeholders",
    "fit_into",
    "fit_text",
    "get_layout",
    "layout_frame",
    "library_versions",
    "line_breaks",
    "measure_text",
    "prepare_image",
    "prepare_raster",
    "qr_element",
    "qr_matrix",
    "read_qr_codes",
    "render_pdf",
    "render_png",
    "require_scripts",
    "sample_values",
    "sanitise_svg",
    "sniff_image_type",
    "svg_size",
    "template_placeholders",
    "unknown_glyphs",
]
