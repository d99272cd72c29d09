"""The admin's journey in a real browser, on a desktop and a phone, in English and Hindi
(tests/web/journeys.py): sign in, design a template from the gallery and publish it, attach it
to a batch with criteria, issue, re-issue one certificate with the name corrected, download its
PDF, and revoke another. Each walk has a batch of its own in one shared instance."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.issuers.keys import ensure_signing_key
from tests.factories import enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.browser import LiveServer
from tests.web.journeys import WALKS, Walk, open_walk, sign_in

pytestmark = pytest.mark.slow

ADMIN = "admin@journeys.example"
COMPLETED = 3  # of each batch's four learners
GUIDE = ("desktop-en",)


# Each walk's batch and learners: the second's name is misspelt, the third's certificate revoked.
BATCHES = {
    "desktop-en": "Spring 2026",
    "phone-en": "Summer 2026",
    "desktop-hi": "Autumn 2026",
    "phone-hi": "Winter 2026",
}
NAMES = {
    "desktop-en": ["Asha Rao", "Rohan Mehra", "Ishita Bose", "Kiran Das"],
    "phone-en": ["Neha Joshi", "Arjun Menon", "Priya Nair", "Sameer Khan"],
    "desktop-hi": ["आशा राव", "रोहन मेहरा", "इशिता बोस", "किरण दास"],
    "phone-hi": ["नेहा जोशी", "अर्जुन मेनन", "प्रिया नायर", "समीर ख़ान"],
}


def _learners(key: str) -> list[tuple[str, str]]:
    """A walk's learners (id, name)."""
    return [(f"{key}-{i}", name) for i, name in enumerate(NAMES[key])]


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> None:
    """An organisation with a signing key and an admin; a batch per walk, of four learners of
    whom three completed."""
    uow, signing = live_server.container.uow, live_server.container.signing
    org = make_organisation(uow(), "Pune Institute of Data", default=True)
    ensure_signing_key(uow(), signing.key_store, org.id)
    make_user(uow(), org.id, Role.ADMIN, email=ADMIN)
    rows = [
        enrolment_row(
            learner_id,
            name=name,
            email=f"{learner_id}@journeys.example",
            course_id="DS101",
            course_name="Data Science Foundations",
            batch_id=f"{device}-{language}",
            batch_name=BATCHES[f"{device}-{language}"],
            status="completed" if i < COMPLETED else "in_progress",
            completed_on="2026-05-01" if i < COMPLETED else "",
        )
        for device, language in WALKS
        for i, (learner_id, name) in enumerate(_learners(f"{device}-{language}"))
    ]
    import_enrolments(uow(), org.id, enrolment_csv(rows))


def _attach(walk: Walk, template: str) -> None:
    """Attach the published template to the open batch page with criteria, checking them
    first: the criteria builder starts from completion and counts who would qualify. One
    function, so that a change to how criteria are chosen changes one place."""
    page, t = walk.page, walk.t
    attach = page.locator("details:has(#attach-heading)")
    if not attach.evaluate("details => details.open"):
        attach.locator("summary").click()
    page.locator("#template_version_id").select_option(label=template)
    page.locator("#name").fill("Completion")
    page.get_by_role("button", name=t("Check criteria"), exact=True).last.click()
    expect(page.locator("#criteria-sentence")).to_be_visible()
    learners = len(NAMES[walk.key])
    expect(page.locator("#criteria-count")).to_contain_text(
        walk.tn(
            "%(qualify)s of %(n)s learner would qualify",
            "%(qualify)s of %(n)s learners would qualify",
            learners,
            qualify=COMPLETED,
            n=learners,
        )
    )
    walk.look("criteria", guide=GUIDE, at=page.locator("#criteria-count"))
    page.get_by_role("button", name=t("Attach"), exact=True).click()
    walk.says("Achievement attached. Check the dry run, then issue.")


def _open_certificate(walk: Walk, name: str) -> None:
    walk.nav("/admin/certificates")
    walk.page.get_by_label(walk.t("Name, number or e-mail")).fill(name)
    walk.page.get_by_role("button", name=walk.t("Search")).click()
    walk.page.get_by_role("link", name=name).click()
    expect(walk.page.locator("dd.name")).to_have_text(name)


@pytest.mark.parametrize(("device", "language"), WALKS)
def test_the_admin_designs_attaches_issues_reissues_downloads_and_revokes(
    live_server: LiveServer,
    world: None,
    open_page: Callable[..., Page],
    device: str,
    language: str,
) -> None:
    walk = open_walk("admin", device, language, live_server, open_page)
    page, t, key = walk.page, walk.t, walk.key
    learners = _learners(key)

    # --- signs in and lands on the dashboard ------------------------------------------------
    sign_in(walk, ADMIN, "/admin")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", name=t("Dashboard"), exact=True)).to_be_visible()
    walk.fits()
    walk.look("dashboard", guide=("phone-hi",))

    # --- designs a template from the gallery and publishes it -------------------------------
    walk.nav("/admin/templates")
    expect(page.locator(".gallery img").first).to_have_js_property("complete", True)
    walk.look("gallery", guide=GUIDE)
    template = f"Completion {key}"
    page.locator(".gallery-item input[name=name]").first.fill(template)
    page.locator(".gallery-item").first.get_by_role("button", name=t("Use this layout")).click()
    expect(page.get_by_role("heading", name=template)).to_be_visible()
    page.locator("#title").fill("Certificate of Completion")
    page.locator("#signatory_1_name").fill("Dr. Meera Iyer")
    page.locator("#signatory_1_designation").fill("Director of Studies")
    expect(page.locator("#preview")).to_have_attribute("src", re.compile(r"^blob:"))
    expect(page.locator(".preview-card")).not_to_have_attribute("aria-busy", "true")
    walk.look("designer", guide=GUIDE)
    page.get_by_role("button", name=t("Save as new version")).click()
    walk.says("Saved as a new draft version.")
    page.get_by_role("button", name=t("Publish v%(number)s", number=2)).click()
    walk.says("Version published.")

    # --- attaches it to the walk's batch with criteria --------------------------------------
    walk.nav("/admin")
    page.get_by_role("link", name=BATCHES[key], exact=True).click()
    _attach(walk, f"{template} v2")
    walk.fits()
    walk.look("batch-attached", guide=GUIDE)

    # --- issues: three of the four learners completed ---------------------------------------
    page.locator("form[action*='/issue'] button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/"))
    walk.says("Finished: every learner of the batch was considered.", timeout=60_000)
    expect(page.locator('[data-field="issued"]')).to_have_text(str(COMPLETED))
    expect(page.locator('[data-field="not_eligible"]')).to_have_text("1")
    walk.look("issued", guide=GUIDE)

    # --- re-issues one with the name corrected, and downloads its PDF -----------------------
    misspelt = learners[1][1]
    first, rest = misspelt.split(" ", 1)
    fixed = f"{first} K. {rest}"
    _open_certificate(walk, misspelt)
    walk.look("certificate", guide=GUIDE)
    page.locator("#name").fill(fixed)
    page.locator("#reissue_reason").fill("surname misspelt in the LMS")
    page.locator("#reissue_reason").press("Enter")
    walk.says("Re-issued: this is the new certificate. The old one now says Superseded.")
    expect(page.locator("dd.name")).to_have_text(fixed)
    walk.look("reissued")
    pdf = page.request.get(page.locator("a.button", has_text="PDF").get_attribute("href") or "")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # --- revokes another ---------------------------------------------------------------------
    _open_certificate(walk, learners[2][1])
    page.locator("#revoke_reason").fill("issued in error")
    page.get_by_role("button", name=t("Revoke"), exact=True).click()
    walk.says("Revoked. Verification now shows the reason.")
    walk.fits()
    walk.look("revoked", guide=GUIDE)
