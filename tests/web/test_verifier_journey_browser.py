"""The verifier's journey in a real browser, on a desktop and a phone, in English and Hindi
(tests/web/journeys.py): an employer scans the QR code printed on a certificate (its URL, read
from the PDF as poppler draws it), reads the verdict, then uploads the PDF on /verify and
compares what it says with the paper in front of them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from tests.factories import enrolment_row, scenario
from tests.web.browser import LiveServer, qr_url_of
from tests.web.journeys import WALKS, open_walk

pytestmark = pytest.mark.slow

NAME = "Meera Pillai"
GUIDE = ("desktop-en", "phone-hi")


@dataclass(frozen=True)
class Certificate:
    pdf: Path
    qr_url: str


@pytest.fixture(scope="module")
def certificate(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """One issued certificate: its PDF and the URL its QR code holds."""
    uow, signing = live_server.container.uow, live_server.container.signing
    s = scenario(uow(), signing, [enrolment_row("V1", name=NAME)])
    issue_achievement(uow(), signing, IssueRequest(s.organisation.id, s.achievement_id, actor="t"))
    (issued,) = list_certificates(uow(), s.organisation.id, learner_id=s.learners["V1"])
    pdf = httpx.get(live_server.url(f"/v/{url_id(issued.id)}/certificate.pdf"))
    assert pdf.status_code == 200, pdf.text
    folder = tmp_path_factory.mktemp("verifier")
    (folder / "certificate.pdf").write_bytes(pdf.content)
    return Certificate(folder / "certificate.pdf", qr_url_of(pdf.content, folder))


@pytest.mark.parametrize(("device", "language"), WALKS)
def test_the_verifier_opens_the_qr_link_and_uploads_the_pdf(
    live_server: LiveServer,
    certificate: Certificate,
    open_page: Callable[..., Page],
    device: str,
    language: str,
) -> None:
    walk = open_walk("verifier", device, language, live_server, open_page)
    page, t = walk.page, walk.t
    assert certificate.qr_url.startswith(live_server.url("/v/"))

    # --- the QR code's link: the verdict first, then what the certificate says -------------
    page.goto(certificate.qr_url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".verdict-word")).to_have_text(t("Valid"))
    expect(page.locator("dd.name")).to_have_text(NAME)
    picture = page.locator(".certificate-picture img")
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("img => img.naturalWidth") > 0
    walk.fits()
    walk.look("qr-link", guide=GUIDE)

    # --- the PDF uploaded on /verify: the same verdict, the signed name ---------------------
    walk.open("/verify")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    walk.look("upload-form")
    page.locator("#file").set_input_files(str(certificate.pdf))
    page.get_by_role("button", name=t("Verify"), exact=True).click()
    expect(page.locator(".verdict-word")).to_have_text(t("Valid"), timeout=30_000)
    expect(page.locator("dd.name")).to_have_text(NAME)
    walk.fits()
    walk.look("upload-result", guide=GUIDE)
