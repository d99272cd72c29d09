"""The learner's journey in a real browser, on a desktop and a phone, in English and Hindi
(tests/web/journeys.py): sign in with a link e-mailed on asking (a real SMTP server on
loopback), see the certificate, download its PDF, share the public profile, and ask for a name
correction. Each walk is another learner of one shared batch, in one instance that sends
e-mail (tests/web/test_login.py covers the sign-in page without a mail server)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from certmint.rendering import extract_credential
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from tests.conftest import Inbox, smtp_server
from tests.factories import enrolment_row, make_user, scenario
from tests.web.browser import LiveServer, run_live_server
from tests.web.journeys import LOCALES, VIEWPORTS, WALKS, Walk, open_walk

pytestmark = pytest.mark.slow

GUIDE = ("desktop-en",)
GUIDE_PHONE = ("desktop-en", "phone-hi")
NAMES = {"en": "Ananya Krishnamurti", "hi": "अनन्या कृष्णमूर्ति"}


def _email(device: str, language: str) -> str:
    return f"learner-{device}-{language}@journeys.example"


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[Inbox, str]]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str, mail: tuple[Inbox, str]
) -> Iterator[LiveServer]:
    """This module's instance sends e-mail, through ``mail``."""
    home = tmp_path_factory.mktemp("live") / "home"
    yield from run_live_server(home, database_url, {"CERTMINT_SMTP_URL": mail[1]})


def _link_in(inbox: Inbox, to: str) -> str:
    """The sign-in link in the newest e-mail to ``to`` (waiting a little for it to arrive)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for message in reversed(inbox.messages):
            if message["To"] == to:
                body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
                found = re.search(r"http://127\.0\.0\.1:\d+/login/link/[\w-]+", body)
                assert found is not None, body
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {to} arrived")


def _sign_in_by_link(walk: Walk, inbox: Inbox, email: str) -> None:
    """Ask for a link on the sign-in page, open it from the e-mail, and press Sign in."""
    page, t = walk.page, walk.t
    page.locator("#link-email").fill(email)
    page.get_by_role("button", name=t("E-mail me a sign-in link")).click()
    walk.says(
        "If an account has this address, a sign-in link is on its way. It works once, within "
        "15 minutes."
    )
    page.goto(_link_in(inbox, email))
    page.get_by_role("button", name=t("Sign in"), exact=True).click()
    expect(page).to_have_url(walk.live_server.url("/me"))


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> None:
    """A learner account per walk, each with one certificate (the name misspelt)."""
    uow, signing = live_server.container.uow, live_server.container.signing
    rows = [
        enrolment_row(f"{device}-{language}", name=NAMES[language]) for device, language in WALKS
    ]
    s = scenario(uow(), signing, rows)
    issue_achievement(uow(), signing, IssueRequest(s.organisation.id, s.achievement_id, actor="t"))
    for device, language in WALKS:
        learner_id = s.learners[f"{device}-{language}"]
        email = _email(device, language)
        make_user(uow(), s.organisation.id, Role.LEARNER, email=email, learner_id=learner_id)


@pytest.mark.parametrize(("device", "language"), WALKS)
def test_the_learner_signs_in_downloads_shares_and_asks_for_a_name_correction(
    live_server: LiveServer,
    world: None,
    mail: tuple[Inbox, str],
    open_page: Callable[..., Page],
    device: str,
    language: str,
) -> None:
    walk = open_walk("learner", device, language, live_server, open_page)
    page, t = walk.page, walk.t
    name = NAMES[language]

    # --- signs in with a link e-mailed on asking -------------------------------------------
    walk.open("/login")
    expect(page.get_by_role("link", name=t("Forgot your password?"))).to_be_visible()
    walk.fits()
    walk.look("sign-in", guide=("phone-hi",))
    _sign_in_by_link(walk, mail[0], _email(device, language))
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
