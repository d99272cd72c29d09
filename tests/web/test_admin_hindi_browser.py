"""The admin pages in Hindi in a real browser: chosen by the browser's language, laid out in
Devanagari on a desktop and a phone, the live preview's words coming from the page (admin.js
keeps none), and the footer switching back to English."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from tests.factories import PASSWORD, enrolment_row, make_user, scenario
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


def _admin_in_hindi(
    live_server: LiveServer, open_page: Callable[..., Page], **options: object
) -> Page:
    page = open_page(locale="hi-IN", **options)
    page.goto(live_server.url("/login?next=/admin"))
    page.locator("#email").fill("admin@hindi.example")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(live_server.url("/admin"))
    return page


@pytest.fixture(scope="module")
def seeded(live_server: LiveServer) -> None:
    uow, signing = live_server.container.uow, live_server.container.signing
    rows = [enrolment_row(f"H{i}", name=name) for i, name in enumerate(["आशा राव", "Vikram Nair"])]
    rows.append(enrolment_row("H9", name="मीना दास", status="in_progress", completed_on=""))
    s = scenario(uow(), signing, rows)
    issue_achievement(uow(), signing, IssueRequest(s.organisation.id, s.achievement_id, actor="t"))
    make_user(uow(), s.organisation.id, Role.ADMIN, email="admin@hindi.example")


def test_admin_pages_in_hindi(
    live_server: LiveServer,
    seeded: None,
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
) -> None:
    page = _admin_in_hindi(live_server, open_page)
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", name="डैशबोर्ड", exact=True)).to_be_visible()
    shot("dashboard", page)
    assert_accessible(page)

    page.get_by_role("navigation", name="प्रशासन").get_by_role("link", name="प्रमाणपत्र").click()
    expect(page.get_by_role("status")).to_contain_text("2 प्रमाणपत्र")
    shot("certificates", page)
    assert_accessible(page)

    page.get_by_role("navigation", name="प्रशासन").get_by_role("link", name="टेम्पलेट").click()
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="डिज़ाइन")).to_be_visible()
    page.get_by_label("शीर्षक").fill("प्रमाणपत्र")
    # admin.js re-renders the preview and says so in the page's words.
    expect(page.locator("#preview")).to_have_attribute("src", re.compile(r"^blob:"))
    expect(page.locator("#preview-state")).to_have_text("ऊपर के फ़ॉर्म का पूर्वावलोकन (सहेजा नहीं गया)।")
    shot("designer", page)
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Design")).to_be_visible()


def test_admin_pages_in_hindi_on_a_phone(
    live_server: LiveServer,
    seeded: None,
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
) -> None:
    phone = _admin_in_hindi(live_server, open_page, viewport=PHONE)
    phone.get_by_role("link", name="Spring").click()
    expect(phone.get_by_role("heading", name="उपलब्धियाँ")).to_be_visible()
    # nothing wider than the screen: Devanagari labels wrap like English ones
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot("phone-batch", phone)
    assert_accessible(phone)
