"""The verification pages in a real browser, served by the real product (see tests/web/browser.py):
each verdict, /verify with an upload, Hindi from the browser's language, a phone's screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Principal
from certmint.domain.ids import url_id
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.certificates.lifecycle import (
    list_certificates,
    reissue_certificate,
    revoke_certificate,
)
from certmint.services.issuance.award import award
from certmint.services.issuance.context import achievement_context
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from tests.factories import enrolment_row, scenario
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow

NAME = "अनन्या कृष्णमूर्ति"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def certificates(live_server: LiveServer) -> dict[str, str]:
    """One certificate of each kind in the live instance: valid, revoked, superseded (and its
    replacement), expired."""
    uow, signing = live_server.container.uow, live_server.container.signing
    rows = [enrolment_row("L1", name=NAME), *(enrolment_row(f"L{i}") for i in (2, 3, 4))]
    s = scenario(uow(), signing, rows)
    org = s.organisation.id
    issue_achievement(
        uow(),
        signing,
        IssueRequest(
            org, s.achievement_id, learner_ids=[s.learners[x] for x in ("L1", "L2", "L3")]
        ),
    )

    def of(learner: str) -> list:
        return list_certificates(uow(), org, learner_id=s.learners[learner])

    revoke_certificate(
        uow(),
        Principal.at_shell(org),
        of("L2")[0].id,
        reason="issued in error",
        signing=signing,
    )
    old = of("L3")[0]
    new = reissue_certificate(
        uow(),
        signing,
        Principal.at_shell(org, "test"),
        old.id,
        reason="name corrected",
        name="Learner Three",
    )
    # Awarded two months ago with a month's validity: genuinely signed, now expired.
    merit = add_achievement(
        uow(),
        Principal.at_shell(org),
        batch_id=s.batch_id,
        template_version_id=s.template_version_id,
        name="Merit",
        criteria={"completed": True},
        valid_for_days=30,
    )
    ctx = achievement_context(uow(), signing, org, merit.id)
    work = uow()
    with work:
        learner = work.roster.get_learner(org, s.learners["L4"])
        enrolment = work.roster.enrolment_of(s.batch_id, s.learners["L4"])
        assert learner and enrolment
        two_months_ago = datetime.now(UTC) - timedelta(days=60)
        (expired,) = award(
            work, ctx, signing, [(enrolment, learner)], datetime.now(UTC), valid_from=two_months_ago
        )
        work.commit()
    return {
        "valid": url_id(of("L1")[0].id),
        "revoked": url_id(of("L2")[0].id),
        "superseded": url_id(old.id),
        "replacement": url_id(new.id),
        "expired": url_id(expired.id),
    }


def test_valid_certificate(
    live_server: LiveServer, certificates: dict[str, str], page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url(f"/v/{certificates['valid']}"))
    expect(page.locator(".verdict-word")).to_have_text("Valid")
    expect(page.locator("dd.name")).to_have_text(NAME)
    expect(page.locator(".check-outcome")).to_have_text(["passed"] * 5)
    picture = page.locator(".certificate-picture img")
    expect(picture).to_have_js_property("naturalWidth", 1000)  # the certificate itself, loaded
    signature = page.locator(".check").nth(1)  # its keys and DIDs fold away until asked for
    expect(signature.locator(".check-detail")).to_be_hidden()
    signature.get_by_text("Technical detail").click()
    expect(signature.locator(".check-detail")).to_contain_text("eddsa-rdfc-2022")
    shot("valid")
    assert_accessible(page)
    with page.expect_response("**/certificate.pdf") as pdf:
        page.get_by_role("link", name="View the certificate (PDF)").click()
    assert pdf.value.headers["content-type"] == "application/pdf"


def test_revoked_certificate_says_when_and_why(
    live_server: LiveServer, certificates: dict[str, str], page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url(f"/v/{certificates['revoked']}"))
    expect(page.locator(".verdict-word")).to_have_text("Revoked")
    today = datetime.now(UTC)
    expect(page.locator(".verdict")).to_contain_text(f"Revoked on {today.day} {today:%B %Y}.")
    expect(page.locator(".verdict")).to_contain_text("Reason: issued in error")
    expect(page.locator(".check-failed .check-name")).to_have_text(["Status"])
    expect(page.locator(".check-failed .check-detail")).to_be_visible()  # why it failed, shown
    shot("revoked")
    assert_accessible(page)


def test_superseded_certificate_links_to_its_replacement(
    live_server: LiveServer, certificates: dict[str, str], page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url(f"/v/{certificates['superseded']}"))
    expect(page.locator(".verdict-word")).to_have_text("Superseded")
    expect(page.locator(".verdict")).not_to_contain_text("name corrected")  # an internal note
    shot("superseded")
    assert_accessible(page)
    page.get_by_role("link", name="See the current certificate").click()
    expect(page).to_have_url(live_server.url(f"/v/{certificates['replacement']}"))
    expect(page.locator(".verdict-word")).to_have_text("Valid")
    expect(page.locator("dd.name")).to_have_text("Learner Three")
    shot("replacement")


def test_expired_and_unknown_certificates(
    live_server: LiveServer, certificates: dict[str, str], page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url(f"/v/{certificates['expired']}"))
    expect(page.locator(".verdict-word")).to_have_text("Expired")
    expect(page.locator(".check-failed .check-name")).to_have_text(["Validity dates"])
    shot("expired")
    assert_accessible(page)
    answer = page.goto(live_server.url(f"/v/{url_id(uuid4())}"))
    assert answer is not None and answer.status == 404
    expect(page.locator(".verdict-word")).to_have_text("Not found")
    shot("not-found")
    assert_accessible(page)


def test_upload_a_certificate_pdf(
    live_server: LiveServer,
    certificates: dict[str, str],
    page: Page,
    shot: Callable[..., Path],
    tmp_path: Path,
) -> None:
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(
        httpx.get(live_server.url(f"/v/{certificates['valid']}/certificate.pdf")).content
    )
    page.goto(live_server.url("/verify"))
    shot("form")
    assert_accessible(page)
    page.get_by_label("File").set_input_files(pdf)
    page.get_by_role("button", name="Verify").click()
    # Verifying an upload takes a moment on a busy machine: wait longer than for a page.
    expect(page.locator(".verdict-word")).to_have_text("Valid", timeout=30_000)
    shot("verified")
    assert_accessible(page)
    page.get_by_role("button", name="Verify").click()  # nothing chosen
    expect(page.get_by_role("alert")).to_have_text("Choose a file or paste a credential.")


def test_hindi_from_the_browser_language_on_a_phone(
    live_server: LiveServer,
    certificates: dict[str, str],
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
) -> None:
    phone = open_page(**PHONE, locale="hi-IN")
    phone.goto(live_server.url(f"/v/{certificates['valid']}"))
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    expect(phone.locator(".verdict-word")).to_have_text("मान्य")
    expect(phone.locator("dd.name")).to_have_text(NAME)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    shot("hi", phone)
    assert_accessible(phone)
    phone.goto(live_server.url(f"/v/{certificates['revoked']}"))
    expect(phone.locator(".verdict-word")).to_have_text("रद्द")
    shot("hi-revoked", phone)
    phone.get_by_role("link", name="English").click()
    expect(phone.locator(".verdict-word")).to_have_text("Revoked")
    phone.goto(live_server.url(f"/v/{certificates['valid']}"))  # the choice is remembered
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    shot("en", phone)
