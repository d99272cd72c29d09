"""The credential inside the PDF: attach, list with poppler, extract, refuse a PDF without it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from certmint.rendering import (
    CREDENTIAL_FILENAME,
    AttachmentError,
    FontSet,
    PdfMetadata,
    attach_credential,
    extract_credential,
    render_pdf,
)

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "credentialSubject": {"name": "Zoë Ødegård (محمد) 李"},
    "proof": [{"type": "DataIntegrityProof", "proofValue": "z3FXQ"}],
}
PAGE = b'<svg xmlns="http://www.w3.org/2000/svg" width="300pt" height="200pt"><text x="10" y="50">Hi</text></svg>'


@pytest.fixture(scope="module")
def pdf(fonts: FontSet) -> bytes:
    return render_pdf(PAGE, fonts, PdfMetadata(title="Certificate", author="Certmint Academy"))


def test_round_trip(pdf: bytes) -> None:
    attached = attach_credential(pdf, CREDENTIAL)
    assert attached.startswith(pdf)  # an incremental update: the page is untouched
    assert extract_credential(attached) == CREDENTIAL


def test_bytes_are_embedded_verbatim(pdf: bytes) -> None:
    signed = json.dumps(CREDENTIAL, indent=1).encode()
    reader = PdfReader(io.BytesIO(attach_credential(pdf, signed)))
    assert reader.attachments[CREDENTIAL_FILENAME] == [signed]
    assert reader.metadata is not None
    assert (reader.metadata.title, reader.metadata.author) == ("Certificate", "Certmint Academy")


def test_poppler_lists_and_saves_the_attachment(pdf: bytes, tmp_path: Path) -> None:
    pdfdetach = shutil.which("pdfdetach")
    assert pdfdetach, "apt-get install poppler-utils"
    source = tmp_path / "c.pdf"
    source.write_bytes(attach_credential(pdf, CREDENTIAL))
    listing = subprocess.run([pdfdetach, "-list", str(source)], capture_output=True, check=True)
    assert CREDENTIAL_FILENAME in listing.stdout.decode()
    subprocess.run(
        [pdfdetach, "-save", "1", "-o", str(tmp_path / "out.json"), str(source)], check=True
    )
    assert json.loads((tmp_path / "out.json").read_text()) == CREDENTIAL


def test_catalog_marks_associated_file(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(attach_credential(pdf, CREDENTIAL)))
    catalog = reader.trailer["/Root"]
    spec = catalog["/AF"][0].get_object()
    assert spec["/AFRelationship"] == "/Source"
    assert catalog["/Pages"] is not None and len(reader.pages) == 1


def test_foreign_pdf_goes_through_pypdf() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": "x"})
    writer.add_attachment("other.txt", b"hello")  # catalog already has /Names
    out = io.BytesIO()
    writer.write(out)
    attached = attach_credential(out.getvalue(), CREDENTIAL)
    assert extract_credential(attached) == CREDENTIAL
    assert PdfReader(io.BytesIO(attached)).attachments["other.txt"] == [b"hello"]


def test_missing_attachment(pdf: bytes) -> None:
    with pytest.raises(AttachmentError, match=r"no credential\.json"):
        extract_credential(pdf)


def test_not_a_pdf() -> None:
    with pytest.raises(AttachmentError):
        attach_credential(b"<svg/>", CREDENTIAL)
    with pytest.raises(AttachmentError):
        extract_credential(b"%PDF-1.5 garbage")


def test_attachment_that_is_not_json(pdf: bytes) -> None:
    with pytest.raises(AttachmentError, match="not JSON"):
        extract_credential(attach_credential(pdf, b"\xff\xfe not json"))
