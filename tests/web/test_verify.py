from __future__ import annotations

import io
import json
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from certmint.credentials import read_status_list_credential
from certmint.domain.accounts import Principal
from certmint.domain.ids import parse_url_id, url_id
from certmint.rendering import extract_credential
from certmint.services.certificates.lifecycle import (
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, scenario


def _uuid(reference: str) -> UUID:
    found = parse_url_id(reference)
    assert found is not None
    return found


@pytest.fixture
def issued(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Scenario, list[str]]:
    rows = [
        enrolment_row("L1", name="अनन्या कृष्णमूर्ति", email="ananya@example.org"),
        enrolment_row("L2", name="Jon Smiht"),
    ]
    s = scenario(uow, signing, rows)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    return s, [url_id(i) for i in summary.certificate_ids]


def test_valid_certificate_page(client: TestClient, issued: tuple[Scenario, list[str]]) -> None:
    _, ids = issued
    for reference in ids:
        page = client.get(f"/v/{reference}")
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert ">Valid<" in page.text
        assert "Scenario Academy" in page.text
        assert "@example.org" not in page.text  # nothing beyond what is printed
        assert page.headers["cache-control"] == "no-store"


def test_json_and_files(client: TestClient, issued: tuple[Scenario, list[str]]) -> None:
    _, (reference, _) = issued
    answer = client.get(f"/v/{reference}", headers={"Accept": "application/json"}).json()
    assert answer["verdict"] == "valid"
    assert [c["outcome"] for c in answer["report"]["checks"]] == ["passed"] * 5
    credential = client.get(f"/v/{reference}/credential.json").json()
    assert credential["id"].startswith("urn:uuid:")
    pdf = client.get(f"/v/{reference}/certificate.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert extract_credential(pdf.content) == credential
    assert client.get(f"/v/{reference}/certificate.png").content.startswith(b"\x89PNG")
    assert client.get(f"/v/{reference}/secrets.txt").status_code == 404


def test_revoked_and_superseded_pages(
    client: TestClient,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    issued: tuple[Scenario, list[str]],
) -> None:
    s, _ = issued
    answer = client.get("/v/" + issued[1][0], headers={"Accept": "application/json"}).json()
    name = answer["printed"]["recipient.name"]
    certificates = {
        c["printed"]["recipient.name"]: c
        for c in (
            client.get(f"/v/{r}", headers={"Accept": "application/json"}).json() for r in issued[1]
        )
    }
    assert name in certificates
    revoked_ref = certificates["अनन्या कृष्णमूर्ति"]["certificate_id"]
    old_ref = certificates["Jon Smiht"]["certificate_id"]
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        _uuid(revoked_ref),
        reason="Exam misconduct",
        signing=signing,
    )
    new = reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        parse_url_id(old_ref),
        name="Jon Smith",
        reason="typo",
    )

    revoked = client.get(f"/v/{revoked_ref}")
    assert ">Revoked<" in revoked.text and "Exam misconduct" in revoked.text
    superseded = client.get(f"/v/{old_ref}")
    assert ">Superseded<" in superseded.text
    assert f'href="http://testserver/v/{url_id(new.id)}"' in superseded.text
    assert ">Valid<" in client.get(f"/v/{url_id(new.id)}").text


def test_suspended_page_json_and_vc_api(
    client: TestClient,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    issued: tuple[Scenario, list[str]],
) -> None:
    s, (reference, other) = issued
    credential = client.get(f"/v/{reference}/credential.json").json()
    entry = credential["credentialStatus"]  # one entry, the revocation one
    assert entry["statusPurpose"] == "revocation"
    path = entry["statusListCredential"].removeprefix("https://certs.example.org")
    suspended = suspend_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        _uuid(reference),
        reason="Under review",
        signing=signing,
    )
    page = client.get(f"/v/{reference}")
    assert ">Suspended<" in page.text
    assert suspended.status_changed_at is not None
    since = f"since {suspended.status_changed_at.day} {suspended.status_changed_at:%B %Y}:"
    assert since in page.text
    assert "Reason: Under review" in page.text
    # The server holds the suspension: every answer it gives says so, the revocation bit is clear.
    answer = client.get(f"/v/{reference}", headers={"Accept": "application/json"}).json()
    assert answer["verdict"] == "suspended"
    assert answer["report"]["checks"][3]["outcome"] == "failed"
    assert answer["report"]["checks"][3]["detail"].startswith("suspended by its issuer since")
    api = client.post("/vc-api/credentials/verify", json={"verifiableCredential": credential})
    assert api.status_code == 400 and not api.json()["verified"]
    assert any(e.startswith("status: suspended by its issuer") for e in api.json()["errors"])
    pasted = client.post("/verify", data={"document": json.dumps(credential)})
    assert ">Suspended<" in pasted.text  # the upload page asks this instance too
    _, bits = read_status_list_credential(client.get(path).json())
    assert not bits.get(int(entry["statusListIndex"]))
    assert ">Valid<" in client.get(f"/v/{other}").text
    reinstate_certificate(
        uow, Principal.at_shell(s.organisation.id), _uuid(reference), signing=signing
    )
    assert ">Valid<" in client.get(f"/v/{reference}").text
    api = client.post("/vc-api/credentials/verify", json={"verifiableCredential": credential})
    assert api.status_code == 200 and api.json()["verified"]


def test_not_found(client: TestClient) -> None:
    page = client.get("/v/AAAAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 404
    assert ">Not found<" in page.text
    assert client.get("/v/nonsense/credential.json").status_code == 404


def test_status_list_is_cached_and_revalidated(
    client: TestClient,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    issued: tuple[Scenario, list[str]],
) -> None:
    s, (reference, _) = issued
    credential = client.get(f"/v/{reference}/credential.json").json()
    url = credential["credentialStatus"]["statusListCredential"]
    path = url.removeprefix("https://certs.example.org")
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.json()["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        _uuid(reference),
        reason="x",
        signing=signing,
    )
    changed = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200
    assert (
        changed.json()["credentialSubject"]["encodedList"]
        != first.json()["credentialSubject"]["encodedList"]
    )


def test_cached_page_follows_a_status_change(
    client: TestClient,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    issued: tuple[Scenario, list[str]],
) -> None:
    s, (reference, _) = issued
    assert ">Valid<" in client.get(f"/v/{reference}").text
    assert ">Valid<" in client.get(f"/v/{reference}").text  # from the caches
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        _uuid(reference),
        reason="fraud",
        signing=signing,
    )
    page = client.get(f"/v/{reference}").text
    assert ">Revoked<" in page
    assert "Reason: fraud" in page


def test_a_reissue_reason_is_never_published(
    client: TestClient,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    issued: tuple[Scenario, list[str]],
) -> None:
    """The re-issue form says its reason is kept in the audit log: the replaced certificate's
    public page and JSON verdict link to the new one but never show that internal note."""
    s, (reference, _) = issued
    note = "Surname misspelt: learner asked for Smith"
    new = reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        _uuid(reference),
        name="Jon Smith",
        reason=note,
    )
    page = client.get(f"/v/{reference}")
    answer = client.get(f"/v/{reference}", headers={"Accept": "application/json"}).json()
    assert ">Superseded<" in page.text and url_id(new.id) in page.text
    assert answer["verdict"] == "superseded" and answer["status_reason"] is None
    assert note not in page.text and note not in str(answer)
    credential = client.get(f"/v/{reference}/credential.json").content
    upload = client.post("/verify", files={"file": ("c.json", credential, "application/json")})
    assert ">Superseded<" in upload.text and note not in upload.text


def test_the_certificate_is_shown_on_its_pages(
    client: TestClient, issued: tuple[Scenario, list[str]], uow: SqlAlchemyUnitOfWork
) -> None:
    """Below the verdict, the certificate itself: a picture rendered from its frozen version,
    smaller than the download and without the baked credential, cached after the first view."""
    _, (reference, _) = issued
    page = client.get(f"/v/{reference}").text
    assert f'src="http://testserver/v/{reference}/preview.png"' in page
    first = client.get(f"/v/{reference}/preview.png")
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(first.content))
    assert picture.width == 1000
    assert "openbadgecredential" not in picture.info  # the download is the one that is baked
    assert client.get(f"/v/{reference}/preview.png").content == first.content
    assert client.get(f"/v/{url_id(uuid4())}/preview.png").status_code == 404
