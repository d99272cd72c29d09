"""The learner's journey in a real browser, on a desktop and a phone, in English and Hindi
(tests/web/journeys.py): sign in (the page says what to do without e-mail), see the certificate,
download its PDF, share the public profile, and ask for a name correction. Each walk is another
learner of one shared batch."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from certmint.rendering import extract_credential
from certmint.services.issuance.in_process import issue_achievement
from tests.factories import enrolment_row, make_user, scenario
from tests.web.browser import LiveServer
from tests.web.journeys import LOCALES, VIEWPORTS, WALKS, open_walk, sign_in

pytestmark = pytest.mark.slow

GUIDE = ("desktop-en",)
GUIDE_PHONE = ("desktop-en", "phone-hi")
NO_MAIL = (
    "This site does not send e-mail. If you have no password or forgot it, ask your "
    "organisation's administrator for a sign-in link: they can make one for you on their users "
    "page."
)
NAMES = {"en": "Ananya Krishnamurti", "hi": "अनन्या कृष्णमूर्ति"}


def _email(device: str, language: str) -> str:
    return f"learner-{device}-{language}@journeys.example"


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> None:
    """A learner account per walk, each with one certificate (the name misspelt)."""
    uow, signing = live_server.container.uow, live_server.container.signing
    rows = [
        enrolment_row(f"{device}-{language}", name=NAMES[language]) for device, language in WALKS
    ]
    s = scenario(uow(), signing, rows)
    issue_achievement(uow(), signing, s.organisation.id, s.achievement_id, actor="t")
    for device, language in WALKS:
        learner_id = s.learners[f"{device}-{language}"]
        email = _email(device, language)
        make_user(uow(), s.organisation.id, Role.LEARNER, email=email, learner_id=learner_id)


@pytest.mark.parametrize(("device", "language"), WALKS)
def test_the_learner_signs_in_downloads_shares_and_asks_for_a_name_correction(
    live_server: LiveServer,
    world: None,
    open_page: Callable[..., Page],
    device: str,
    language: str,
) -> None:
    walk = open_walk("learner", device, language, live_server, open_page)
    page, t = walk.page, walk.t
    name = NAMES[language]

    # --- signs in; without a mail server the page says whom to ask for a link ---------------
    walk.open("/login")
    expect(page.get_by_role("link", name=t("Forgot your password?"))).to_be_visible()
    expect(page.get_by_role("note")).to_have_text(t(NO_MAIL))
    walk.fits()
    walk.look("sign-in", guide=("phone-hi",))
    sign_in(walk, _email(device, language), "/me")
    expect(page.get_by_role("heading", name=t("My certificates"))).to_be_visible()
    expect(page.get_by_role("link", name="Completion").first).to_be_visible()
    expect(page.locator("main img").first).to_have_js_property("complete", True)
    walk.fits()
    walk.look("my-certificates", guide=GUIDE_PHONE)

    # --- downloads the PDF: the credential inside names them --------------------------------
    with page.expect_download() as download:
        page.get_by_role("link", name=t("PDF"), exact=True).first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert extract_credential(pdf)["credentialSubject"]["name"] == name

    # --- shares the public profile, which anyone with the link can open ---------------------
    page.get_by_role("button", name=t("Turn the public profile on")).click()
    link = page.get_by_label(t("Public profile link")).input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/p/[\w-]+", link), link
    walk.look("profile-on")
    visitor = open_page(viewport=VIEWPORTS[device], locale=LOCALES[language])
    visitor.goto(link)
    expect(visitor.get_by_role("heading", name=name)).to_be_visible()
    walk.fits(visitor)
    walk.look("public-profile", of=visitor, guide=GUIDE)

    # --- opens the certificate and asks for the name to be corrected -----------------------
    page.get_by_role("link", name=t("Share and more")).first.click()
    expect(page.locator("#share-link")).to_have_value(
        re.compile(r"^http://127\.0\.0\.1:\d+/v/[A-Za-z0-9_-]{22}$")
    )
    walk.fits()
    walk.look("certificate")
    corrected = name.replace("Krishnamurti", "Krishnamurthy").replace("कृष्णमूर्ति", "कृष्णमूर्ती")
    page.locator("#name").fill(corrected)
    page.get_by_role("button", name=t("Request a name correction")).click()
    expect(page.locator("main")).to_contain_text(t("waiting for a decision"))
    expect(page.locator("main")).to_contain_text(corrected)
    walk.look("correction-requested", guide=GUIDE, at=page.locator("#correction"))
