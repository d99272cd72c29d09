"""/verify: a PDF, a baked PNG or SVG, a QR picture or credential JSON, uploaded or pasted, gets
the QR page's report."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from certmint.domain.ids import url_id
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


@pytest.fixture
def reference(uow: SqlAlchemyUnitOfWork, signing: Signing) -> str:
    s = scenario(uow, signing, [enrolment_row("L1", name="Ravi Kumar")])
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    return url_id(summary.certificate_ids[0])


def test_form_works_without_javascript(client: TestClient) -> None:
    page = client.get("/verify")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert "<script" not in page.text


def test_uploaded_pdf_is_verified(client: TestClient, reference: str) -> None:
    pdf = client.get(f"/v/{reference}/certificate.pdf").content
    page = client.post("/verify", files={"file": ("c.pdf", pdf, "application/pdf")})
    assert page.status_code == 200
    assert ">Valid<" in page.text
    assert page.text.count("passed") >= 5


def test_qr_picture_opens_the_certificate(client: TestClient, reference: str) -> None:
    baked = client.get(f"/v/{reference}/certificate.png").content
    picture = io.BytesIO()
    Image.open(io.BytesIO(baked)).save(picture, "PNG")  # a copy without the baked credential
    png = picture.getvalue()
    page = client.post("/verify", files={"file": ("c.png", png, "image/png")})
    assert ">Valid<" in page.text
    assert "Ravi Kumar" in page.text  # our certificate: its page's printed data


@pytest.mark.parametrize(("name", "media_type"), [("png", "image/png"), ("svg", "image/svg+xml")])
def test_baked_png_and_svg_are_verified(
    client: TestClient, reference: str, name: str, media_type: str
) -> None:
    baked = client.get(f"/v/{reference}/certificate.{name}").content
    page = client.post("/verify", files={"file": (f"c.{name}", baked, media_type)})
    assert page.status_code == 200
    assert ">Valid<" in page.text
    assert page.text.count("passed") >= 5
    # The baked credential is what is checked (not the QR code): a changed name fails.
    tampered = baked.replace(b'"name":"Ravi Kumar"', b'"name":"Ravi Kumal"')
    assert tampered != baked
    if name == "png":  # the chunk's CRC follows, or the file would be refused as broken
        start = tampered.index(b"iTXt") - 4
        (length,) = struct.unpack(">I", tampered[start : start + 4])
        end = start + 8 + length
        crc = struct.pack(">I", zlib.crc32(tampered[start + 4 : end]))
        tampered = tampered[:end] + crc + tampered[end + 4 :]
    page = client.post("/verify", files={"file": (f"c.{name}", tampered, media_type)})
    assert page.status_code == 200
    assert ">Valid<" not in page.text


def test_pasted_and_tampered_credentials(client: TestClient, reference: str) -> None:
    credential = client.get(f"/v/{reference}/credential.json").json()
    page = client.post("/verify", data={"document": json.dumps(credential)})
    assert ">Valid<" in page.text
    credential["credentialSubject"]["achievement"]["name"] = "Doctorate"
    page = client.post("/verify", data={"document": json.dumps(credential)})
    assert ">Not valid<" in page.text


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"data": {"document": ""}}, 422, "Choose a file or paste a credential."),
        (
            {"files": {"file": ("x.txt", b"hello", "text/plain")}},
            422,
            "This is not a certificate file that can be checked",
        ),
        (
            {"files": {"file": ("big.pdf", b"%PDF" + b"0" * 5_100_000, "application/pdf")}},
            413,
            "The file is larger than 5 MB.",
        ),
    ],
)
def test_bad_uploads_get_a_clear_error(
    client: TestClient, body: dict[str, object], status: int, message: str
) -> None:
    page = client.post("/verify", **body)  # type: ignore[arg-type]
    assert page.status_code == status
    assert message in page.text
    assert 'role="alert"' in page.text


def test_a_deeply_nested_upload_is_a_clear_answer(client: TestClient) -> None:
    """JSON nested past Python's recursion limit is refused by the format step (not JSON),
    never re-read raw by a later step: an answer, not a server error."""
    page = client.post("/verify", files={"file": ("c.json", b"[" * 200_000, "application/json")})
    assert page.status_code in (200, 422)
    assert "not JSON" in page.text or "not a credential" in page.text
