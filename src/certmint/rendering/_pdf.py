"""The signed credential inside the PDF: attach it, and get it back out.

Why: "the PDF alone can be verified" (DESIGN.md, flow 4). The credential JSON travels as a
standard PDF embedded file (``/EmbeddedFiles`` name tree, plus ``/AF`` with
``/AFRelationship /Source`` as PDF/A-3 and ZUGFeRD do), so any PDF reader lists it as an
attachment and ``certmint verify FILE.pdf`` can extract and check it offline.

Attaching appends an incremental update to cairo's output (new objects, a new catalog, an
xref section pointing back with ``/Prev``): the page is not rewritten, which costs well under
a millisecond against several for a full pypdf round trip. PDFs we did not write ourselves go
through pypdf. Extraction always uses pypdf, which reads any valid PDF.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError

from certmint.rendering.errors import AttachmentError

__all__ = ["CREDENTIAL_FILENAME", "CREDENTIAL_MIME", "attach_credential", "extract_credential"]

CREDENTIAL_FILENAME = "credential.json"
CREDENTIAL_MIME = "application/ld+json"
_DESCRIPTION = "Signed Open Badges 3.0 credential (W3C Verifiable Credential)"

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.DOTALL)
_REF = rb"/%s\s+(\d+)\s+0\s+R"
_SIZE = re.compile(rb"/Size\s+(\d+)")


def _catalog_body(pdf: bytes, number: int) -> bytes | None:
    """The inside of the catalog dictionary, when it is a plain top-level object."""
    start = max(pdf.rfind(b"\n%d 0 obj" % number), pdf.rfind(b"\r%d 0 obj" % number))
    end = pdf.find(b"endobj", start)
    if start < 0 or end < 0:
        return None
    match = re.match(rb"\s*%d 0 obj\s*<<(.*)>>\s*$" % number, pdf[start:end], re.DOTALL)
    if match is None or b"<<" in match.group(1):  # nested dictionaries: leave it to pypdf
        return None
    body = match.group(1)
    if b"/Names" in body or b"/AF" in body:
        return None
    return body


def _append_update(pdf: bytes, payload: bytes) -> bytes | None:
    """Add the attachment as an incremental update, or None if the file is not a simple one."""
    startxref = _STARTXREF.search(pdf[-64:])
    trailers = _TRAILER.findall(pdf[-4096:])
    if startxref is None or not trailers:
        return None
    trailer = trailers[-1]
    root, size = re.search(_REF % b"Root", trailer), _SIZE.search(trailer)
    if root is None or size is None:
        return None
    root_number, first = int(root.group(1)), int(size.group(1))
    catalog = _catalog_body(pdf, root_number)
    if catalog is None:
        return None
    info = re.search(_REF % b"Info", trailer)
    stream_no, spec_no = first, first + 1
    checksum = hashlib.md5(payload, usedforsecurity=False).hexdigest()
    out = io.BytesIO()
    out.write(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    offsets = {}
    offsets[stream_no] = out.tell()
    out.write(
        b"%d 0 obj\n<< /Type /EmbeddedFile /Subtype /application#2Fld+json /Length %d "
        b"/Params << /Size %d /CheckSum <%s> >> >>\nstream\n"
        % (stream_no, len(payload), len(payload), checksum.encode())
    )
    out.write(payload + b"\nendstream\nendobj\n")
    offsets[spec_no] = out.tell()
    out.write(
        b"%d 0 obj\n<< /Type /Filespec /F (%s) /UF (%s) /Desc (%s) /AFRelationship /Source "
        b"/EF << /F %d 0 R /UF %d 0 R >> >>\nendobj\n"
        % (
            spec_no,
            CREDENTIAL_FILENAME.encode(),
            CREDENTIAL_FILENAME.encode(),
            _DESCRIPTION.encode(),
            stream_no,
            stream_no,
        )
    )
    offsets[root_number] = out.tell()
    out.write(
        b"%d 0 obj\n<<%s /Names << /EmbeddedFiles << /Names [(%s) %d 0 R] >> >> "
        b"/AF [%d 0 R] /PageMode /UseAttachments >>\nendobj\n"
        % (root_number, catalog.rstrip(), CREDENTIAL_FILENAME.encode(), spec_no, spec_no)
    )
    xref = out.tell()
    out.write(b"xref\n")
    for number in sorted(offsets):
        out.write(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    info_ref = b" /Info %s 0 R" % info.group(1) if info else b""
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R%s /Prev %s >>\nstartxref\n%d\n%%%%EOF\n"
        % (spec_no + 1, root_number, info_ref, startxref.group(1), xref)
    )
    return out.getvalue()


def _attach_with_pypdf(pdf: bytes, payload: bytes) -> bytes:
    try:
        writer = PdfWriter(clone_from=io.BytesIO(pdf))
        writer.add_attachment(CREDENTIAL_FILENAME, payload)
        out = io.BytesIO()
        writer.write(out)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise AttachmentError(f"cannot attach to this PDF: {exc}") from exc
    return out.getvalue()


def attach_credential(pdf: bytes, credential: dict[str, Any] | bytes) -> bytes:
    """``pdf`` with the credential embedded as ``credential.json``.

    A dict is serialised as compact UTF-8 JSON; bytes are embedded exactly as given (the
    signed document, byte for byte). Raises ``AttachmentError``.
    """
    if isinstance(credential, bytes):
        payload = credential
    else:
        payload = json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode()
    if not pdf.startswith(b"%PDF-"):
        raise AttachmentError("not a PDF")
    updated = _append_update(pdf, payload)
    return updated if updated is not None else _attach_with_pypdf(pdf, payload)


def extract_credential(pdf: bytes) -> dict[str, Any]:
    """The embedded credential, parsed. Raises ``AttachmentError`` if absent or unreadable."""
    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        contents = attachments.get(CREDENTIAL_FILENAME)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise AttachmentError(f"unreadable PDF: {exc}") from exc
    if not contents:
        raise AttachmentError(f"the PDF has no {CREDENTIAL_FILENAME} attachment")
    try:
        document = json.loads(contents[-1])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AttachmentError(f"{CREDENTIAL_FILENAME} is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise AttachmentError(f"{CREDENTIAL_FILENAME} is not a JSON object")
    return document
