"""/verify: a PDF, a QR picture or credential JSON, uploaded or pasted, gets the QR page's report."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from certmint.domain.ids import url_id
from certmint.services.issuance import issue_achievement
from certmint.services.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


@pytest.fixture
def reference(uow: SqlAlchemyUnitOfWork, signing: Signing) -> str:
    s = scenario(uow, signing, [enrolment_row("L1", name="Ravi Kumar")])
    summary = issue_achievement(uow, signing, s.organisation.id, s.achievement_id)
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
    png = client.get(f"/v/{reference}/certificate.png").content
    page = client.post("/verify", files={"file": ("c.png", png, "image/png")})
    assert ">Valid<" in page.text
    assert "Ravi Kumar" in page.text  # our certificate: its page's printed data


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
