"""A learner in a real browser (Chromium, on the real product): sign in, My certificates,
download the PDF, request a name correction, publish a profile; an admin approves a correction.
Screenshots of each page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Principal, Role
from certmint.rendering import extract_credential
from certmint.services.certificates.corrections import request_name_correction
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from tests.factories import PASSWORD, enrolment_row, make_user, scenario
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow

NAME = "अनन्या कृष्णमूर्ति"


@pytest.fixture(scope="module")
def learner(live_server: LiveServer) -> str:
    """In the live instance: learners L1 (ananya@, signs in) and L2 (jon@, has a pending name
    correction) with a certificate each, and an admin (admin@). Returns L1's e-mail."""
    uow, signing = live_server.container.uow, live_server.container.signing
    rows = [enrolment_row("L1", name=NAME), enrolment_row("L2", name="Jon Smiht")]
    s = scenario(uow(), signing, rows)
    issued = issue_achievement(uow(), signing, IssueRequest(s.organisation.id, s.achievement_id))
    org = s.organisation.id
    make_user(uow(), org, Role.LEARNER, email="ananya@example.org", learner_id=s.learners["L1"])
    jon = make_user(uow(), org, Role.LEARNER, email="jon@example.org", learner_id=s.learners["L2"])
    make_user(uow(), org, Role.ADMIN, email="admin@example.org")
    (jons,) = [
        c.id
        for c in list_certificates(uow(), org, learner_id=s.learners["L2"])
        if c.id in issued.certificate_ids
    ]
    request_name_correction(uow(), Principal.of_user(jon), jons, requested_name="Jon Smith")
    return "ananya@example.org"


def _sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server.url("/me"))
    expect(page).to_have_url(live_server.url("/login?next=/me"))
    page.get_by_label("E-mail address").first.fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url("/me"))


def test_learner_signs_in_and_downloads_the_pdf(
    live_server: LiveServer, learner: str, page: Page, shot: Callable[..., Path], tmp_path: Path
) -> None:
    page.goto(live_server.url("/login"))
    shot("login")
    assert_accessible(page)
    _sign_in(page, live_server, learner)
    expect(page.get_by_role("heading", name="My certificates")).to_be_visible()
    expect(page.get_by_role("link", name="Completion")).to_be_visible()
    shot("my-certificates")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert extract_credential(pdf.read_bytes())["credentialSubject"]["name"] == NAME

    page.get_by_role("link", name="Share and more").click()
    expect(page.get_by_label("Share link", exact=False)).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/v/[A-Za-z0-9_-]{22}$")
    )
    shot("certificate")
    assert_accessible(page)

    page.get_by_label("Your name as it should be printed").fill("Ananya Krishnamurthy")
    page.get_by_role("button", name="Request a name correction").click()
    expect(page.get_by_text("waiting for a decision")).to_be_visible()
    shot("correction-requested")


def test_learner_publishes_a_profile(
    live_server: LiveServer, learner: str, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in(page, live_server, learner)
    page.get_by_role("button", name="Turn the public profile on").click()
    link = page.get_by_label("Public profile link").input_value()
    page.goto(link)
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()
    shot("public-profile")
    assert_accessible(page)


def test_admin_approves_a_name_correction(
    live_server: LiveServer, learner: str, page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url("/admin/corrections"))
    page.get_by_label("E-mail address").first.fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url("/admin/corrections"))
    request = page.locator("article", has_text="Jon Smiht")
    expect(request).to_be_visible()
    shot("waiting")
    assert_accessible(page)
    request.get_by_role("button", name="Approve and re-issue").click()
    expect(page.get_by_role("link", name="new certificate")).to_be_visible()
    shot("decided")
    page.get_by_role("link", name="new certificate").click()
    expect(page.locator(".verdict-word")).to_have_text("Valid")
    expect(page.locator("dd.name")).to_have_text("Jon Smith")


def test_my_certificates_on_a_phone_in_hindi(
    live_server: LiveServer,
    learner: str,
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
) -> None:
    phone = open_page(viewport={"width": 390, "height": 844}, locale="hi-IN")
    phone.goto(live_server.url("/login?next=/me"))
    phone.locator("#email").fill(learner)
    phone.locator("#password").fill(PASSWORD)
    phone.locator("#password").press("Enter")
    expect(phone).to_have_url(live_server.url("/me"))
    expect(phone.get_by_role("heading", name="मेरे प्रमाणपत्र")).to_be_visible()
    shot("hi", phone)
    assert_accessible(phone)
