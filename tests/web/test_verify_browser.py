"""The verification page in a real browser, served by the real product (see tests/web/browser.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.ids import url_id
from certmint.services.certificates import list_certificates
from certmint.services.issuance import issue_achievement
from tests.factories import enrolment_row, scenario
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow

NAME = "अनन्या कृष्णमूर्ति"


@pytest.fixture(scope="module")
def certificates(live_server: LiveServer) -> dict[str, str]:
    """Certificates issued in the live instance, by learner id."""
    uow, signing = live_server.container.uow, live_server.container.signing
    s = scenario(uow(), signing, [enrolment_row("L1", name=NAME), enrolment_row("L2")])
    issue_achievement(uow(), signing, s.organisation.id, s.achievement_id)
    return {
        external: url_id(list_certificates(uow(), s.organisation.id, learner_id=learner)[0].id)
        for external, learner in s.learners.items()
    }


def test_valid_certificate(
    live_server: LiveServer, certificates: dict[str, str], page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url(f"/v/{certificates['L1']}"))
    expect(page.locator(".verdict-word")).to_have_text("Valid")
    expect(page.locator("dd.name")).to_have_text(NAME)
    shot("valid")
    assert_accessible(page)


def test_hindi_from_the_browser_language_on_a_phone(
    live_server: LiveServer,
    certificates: dict[str, str],
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
) -> None:
    phone = open_page(viewport={"width": 390, "height": 844}, locale="hi-IN", is_mobile=True)
    phone.goto(live_server.url(f"/v/{certificates['L1']}"))
    expect(phone.locator("html")).to_have_attribute("lang", "hi")
    expect(phone.locator(".verdict-word")).to_have_text("मान्य")
    expect(phone.locator("dd.name")).to_have_text(NAME)
    shot("hi", phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="English").click()
    expect(phone.locator(".verdict-word")).to_have_text("Valid")
    phone.goto(live_server.url(f"/v/{certificates['L2']}"))  # the choice is remembered
    expect(phone.locator("html")).to_have_attribute("lang", "en")
