"""The learner's pages: My certificates, one certificate, name-correction requests, the public
profile switch. Each learner reaches only their own certificates."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import reissue_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import PASSWORD, Scenario, enrolment_row, make_user, scenario
from tests.web.conftest import sign_in

World = tuple[Scenario, dict[str, UUID]]


@pytest.fixture
def world(uow: SqlAlchemyUnitOfWork, signing: Signing) -> World:
    """Two learners with a certificate each and an account each (jon@, ada@), and an admin."""
    s = scenario(
        uow, signing, [enrolment_row("L1", name="Jon Smiht"), enrolment_row("L2", name="Ada")]
    )
    issued = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    certificates = {}
    with uow:
        for certificate_id in issued.certificate_ids:
            certificate = uow.certificates.get(certificate_id)
            assert certificate is not None
            external = next(k for k, v in s.learners.items() if v == certificate.learner_id)
            certificates[external] = certificate_id
    org = s.organisation.id
    make_user(uow, org, Role.LEARNER, email="jon@example.org", learner_id=s.learners["L1"])
    make_user(uow, org, Role.LEARNER, email="ada@example.org", learner_id=s.learners["L2"])
    make_user(uow, org, Role.ADMIN, email="admin@example.org")
    return s, certificates


def _links(html: str) -> set[str]:
    return {m.replace("&amp;", "&") for m in re.findall(r'href="([^"]+)"', html)}


def test_my_certificates_needs_a_signed_in_learner(https_client: TestClient, world: World) -> None:
    assert https_client.get("/me").headers["location"] == "/login?next=/me"
    sign_in(https_client, "admin@example.org", PASSWORD)
    assert https_client.get("/me").status_code == 403


def test_my_certificates_lists_mine_with_every_way_to_use_them(
    https_client: TestClient, world: World
) -> None:
    _, certificates = world
    sign_in(https_client, "jon@example.org", PASSWORD)
    page = https_client.get("/me")
    assert page.status_code == 200 and "<script" not in page.text
    assert "Completion" in page.text and "Data Science" in page.text
    mine, theirs = url_id(certificates["L1"]), url_id(certificates["L2"])
    links = _links(page.text)
    assert f"https://testserver/v/{mine}" in links
    assert f"https://testserver/v/{mine}/certificate.pdf" in links
    assert f"https://testserver/v/{mine}/certificate.png" in links
    assert not any(theirs in link for link in links)

    detail = https_client.get(f"/me/certificates/{mine}")
    assert detail.status_code == 200
    links = _links(detail.text)
    assert f"https://testserver/v/{mine}/credential.json" in links
    linkedin = next(link for link in links if link.startswith("https://www.linkedin.com/"))
    query = parse_qs(urlsplit(linkedin).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"] and query["name"] == ["Completion"]
    assert query["certUrl"] == [f"https://certs.example.org/v/{mine}"]
    # The share link is shown as text: it can be copied without JavaScript.
    assert f'readonly value="https://certs.example.org/v/{mine}"' in detail.text
    # The files the links name are there.
    pdf = https_client.get(f"/v/{mine}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_another_learners_certificate_is_a_404(https_client: TestClient, world: World) -> None:
    _, certificates = world
    sign_in(https_client, "jon@example.org", PASSWORD)
    theirs = url_id(certificates["L2"])
    assert https_client.get(f"/me/certificates/{theirs}").status_code == 404
    assert https_client.get("/me/certificates/not-an-id").status_code == 404
    csrf = sign_in(https_client, "jon@example.org", PASSWORD)
    response = https_client.post(
        f"/me/certificates/{theirs}/correction", data={"name": "Mine Now", "csrf_token": csrf}
    )
    assert response.status_code == 404


def test_a_superseded_certificate_points_to_the_current_one(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, signing: Signing, world: World
) -> None:
    s, certificates = world
    new = reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "t"),
        certificates["L1"],
        reason="typo",
        name="Jon",
    )
    sign_in(https_client, "jon@example.org", PASSWORD)
    old_page = https_client.get(f"/me/certificates/{url_id(certificates['L1'])}")
    assert "This certificate was replaced" in old_page.text
    assert f"https://testserver/me/certificates/{url_id(new.id)}" in _links(old_page.text)
    assert "Replaced" in https_client.get("/me").text


def test_request_a_name_correction(https_client: TestClient, world: World) -> None:
    _, certificates = world
    mine = url_id(certificates["L1"])
    csrf = sign_in(https_client, "jon@example.org", PASSWORD)
    path = f"/me/certificates/{mine}/correction"
    assert https_client.post(path, data={"name": "Jon Smith"}).status_code == 403  # no CSRF
    same = https_client.post(path, data={"name": "Jon Smiht", "csrf_token": csrf})
    assert same.status_code == 422 and "already printed" in same.text
    done = https_client.post(path, data={"name": "Jon Smith", "note": "typo", "csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/me/certificates/{mine}"
    page = https_client.get(f"/me/certificates/{mine}").text
    assert "Jon Smith" in page and "waiting for a decision" in page
    assert "Request a name correction</button>" not in page  # one open request at a time
    assert "waiting for a decision" in https_client.get("/me").text


def test_a_refused_correction_is_explained_in_hindi(https_client: TestClient, world: World) -> None:
    _, certificates = world
    path = f"/me/certificates/{url_id(certificates['L1'])}/correction"
    csrf = sign_in(https_client, "jon@example.org", PASSWORD)
    hindi = {"Accept-Language": "hi"}
    same = https_client.post(path, data={"name": "Jon Smiht", "csrf_token": csrf}, headers=hindi)
    assert same.status_code == 422 and "name: यही नाम पहले से छपा है" in same.text
    https_client.post(path, data={"name": "Jon Smith", "csrf_token": csrf})
    again = https_client.post(path, data={"name": "Jon Smyth", "csrf_token": csrf}, headers=hindi)
    assert "इस प्रमाणपत्र का एक सुधार पहले से निर्णय की प्रतीक्षा में है" in again.text


def test_public_profile_on_and_off(https_client: TestClient, world: World) -> None:
    _, certificates = world
    csrf = sign_in(https_client, "jon@example.org", PASSWORD)
    assert "Turn the public profile on" in https_client.get("/me").text
    assert https_client.post("/me/profile", data={"public": "true"}).status_code == 403
    on = https_client.post("/me/profile", data={"public": "true", "csrf_token": csrf})
    assert on.status_code == 303
    page = https_client.get("/me").text
    found = re.search(r'value="https://certs\.example\.org/p/([A-Za-z0-9_-]+)"', page)
    assert found is not None
    token = found.group(1)
    https_client.cookies.clear()  # anyone, signed in or not
    profile = https_client.get(f"/p/{token}")
    assert profile.status_code == 200
    assert "Jon Smiht" in profile.text and "Completion" in profile.text
    assert "jon@example.org" not in profile.text
    # the learner's id in the LMS, as a word of its own: random ids on the page may hold "L1"
    assert not re.search(r"(?<![\w-])L1(?![\w-])", profile.text)
    assert f"https://testserver/v/{url_id(certificates['L1'])}" in _links(profile.text)
    assert url_id(certificates["L2"]) not in profile.text

    csrf = sign_in(https_client, "jon@example.org", PASSWORD)
    off = https_client.post("/me/profile", data={"csrf_token": csrf})
    assert off.status_code == 303
    assert https_client.get(f"/p/{token}").status_code == 404
    assert "Turn the public profile on" in https_client.get("/me").text


def test_my_certificates_in_hindi(
    https_client: TestClient, world: World, uow: SqlAlchemyUnitOfWork
) -> None:
    sign_in(https_client, "jon@example.org", PASSWORD)
    page = https_client.get("/me", headers={"Accept-Language": "hi-IN,hi;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="hi"' in page.text
    assert "मेरे प्रमाणपत्र" in page.text and "सार्वजनिक प्रोफ़ाइल चालू करें" in page.text
    assert "Completion" in page.text  # what is printed stays as printed
    # Dates are the page's own words, as everywhere else on it: a Hindi month, not "December".
    with uow:
        certificate = uow.certificates.get(world[1]["L1"])
    assert certificate is not None
    month = format_date(certificate.valid_from.date(), "MMMM", locale="hi")
    assert month in page.text and certificate.valid_from.strftime("%B") not in page.text
