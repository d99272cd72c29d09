"""Issue 6's main scenario in a real browser against the real product (tests/web/browser.py).

An admin signs in, designs a template (live preview, a logo upload), publishes it, attaches it
to a batch with criteria, imports a CSV, issues with the progress bar moving, re-issues one
certificate with a corrected name and revokes another. A learner signs in and downloads their
PDF; the QR code read from that PDF opens the verification page, which says Valid with the
corrected name, and the old certificate's page says Superseded and links to the new one.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from certmint.services.catalogue.roster import resolve_learner
from certmint.services.issuers.keys import ensure_signing_key
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.rendering.conftest import logo_png
from tests.web.browser import LiveServer, assert_accessible, qr_url_of

pytestmark = pytest.mark.slow

LEARNERS = 6000  # enough that issuing takes seconds even on a quiet machine: the bar shows steps
MISSPELT, FIXED = "Rohan Mehra", "Rohan K. Mehra"
REVOKED = "Ishita Bose"


def _csv() -> bytes:
    rows = [
        enrolment_row(
            f"S{i:05}",
            course_id="DS101",
            course_name="Data Science Foundations",
            batch_id="2026A",
            batch_name="Spring 2026",
            status="completed" if i % 5 else "in_progress",
            completed_on="2026-05-01" if i % 5 else "",
        )
        for i in range(LEARNERS)
    ]
    rows[1] |= {"name": MISSPELT, "email": "rohan@example.org"}
    rows[2] |= {"name": REVOKED}
    return enrolment_csv(rows)


def _sign_in(page: Page, live_server: LiveServer, email: str, path: str) -> None:
    page.goto(live_server.url(path))
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Admin").get_by_role("link", name=name).click()


def test_admin_designs_attaches_imports_issues_corrects_and_a_learner_verifies(
    live_server: LiveServer,
    page: Page,
    shot: Callable[..., Path],
    open_page: Callable[..., Page],
    tmp_path: Path,
) -> None:
    uow, signing = live_server.container.uow, live_server.container.signing
    org = make_organisation(uow(), "Pune Institute of Data", default=True)
    ensure_signing_key(uow(), signing.key_store, org.id)
    admin = make_user(uow(), org.id, Role.ADMIN, email="admin@pune.example")

    # --- the admin signs in and lands on the dashboard -------------------------------------
    _sign_in(page, live_server, admin.email, "/admin")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    shot("01-dashboard-empty")
    assert_accessible(page)

    # --- designs a template from the gallery -----------------------------------------------
    _nav(page, "Templates")
    expect(page.locator(".gallery img").first).to_have_js_property("complete", True)
    shot("02-gallery")
    assert_accessible(page)
    page.get_by_label("Template name").first.fill("Completion certificate")
    page.get_by_role("button", name="Use this layout").first.click()
    expect(page.get_by_role("heading", name="Completion certificate")).to_be_visible()
    first_preview = page.locator("#preview").get_attribute("src")
    page.get_by_label("Title").fill("Certificate of Completion")
    page.get_by_label("Line below the name").fill("has successfully completed {{course.name}}")
    page.get_by_label("Signatory 1 name").fill("Dr. Meera Iyer")
    page.get_by_label("Signatory 1 designation").fill("Director of Studies")
    logo = tmp_path / "logo.png"
    logo.write_bytes(logo_png())
    page.get_by_label("Logo 1").set_input_files(str(logo))
    # The live preview re-renders from the form a moment after the last change.
    expect(page.locator("#preview")).to_have_attribute("src", re.compile(r"^blob:"))
    assert page.locator("#preview").get_attribute("src") != first_preview
    expect(page.locator(".preview-card")).not_to_have_attribute("aria-busy", "true")
    shot("03-designer-live-preview")
    assert_accessible(page)
    page.get_by_role("button", name="Save as new version").click()
    expect(page.get_by_role("status").filter(has_text="Saved as a new draft")).to_be_visible()
    page.get_by_role("button", name="Publish v2").click()
    expect(page.get_by_text("Version published.")).to_be_visible()
    shot("04-designer-published")

    # --- imports the LMS export -------------------------------------------------------------
    _nav(page, "Import")
    export = tmp_path / "export.csv"
    export.write_bytes(_csv())
    page.get_by_label("CSV file").set_input_files(str(export))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text(f"Imported {LEARNERS:,} rows.")).to_be_visible()  # 6,000
    shot("05-import")
    assert_accessible(page)

    # --- attaches the template to the batch with criteria ----------------------------------
    _nav(page, "Dashboard")
    shot("06-dashboard-imported")
    page.get_by_role("link", name="Spring 2026").click()
    page.get_by_label("Published template").select_option(label="Completion certificate v2")
    page.get_by_label("Achievement name").fill("Completion")
    # The builder starts from completion and counts who qualifies; the JSON view folds away.
    # (6,000 learners: past the 5,000 it counts on every change, it says so.)
    expect(page.locator("#criteria-count")).to_contain_text(
        re.compile(r"^[\d,]+ of the first 5,000 learners would qualify \(the batch has 6,000;")
    )
    page.get_by_text("Criteria as JSON (advanced)").click()
    page.get_by_label("Criteria (JSON)").fill('{"completed": tru}')
    page.get_by_role("button", name="Check criteria").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid JSON")
    page.get_by_label("Criteria (JSON)").fill('{"all": [{"completed": true}]}')
    page.get_by_role("button", name="Check criteria").click()
    expect(page.locator("#criteria-sentence")).to_contain_text("Completed the course.")
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("Achievement attached.")).to_be_visible()
    shot("07-batch")
    assert_accessible(page)
    page.get_by_role("link", name="Dry run").click()
    expect(page.locator("main")).to_contain_text(
        f"{LEARNERS - LEARNERS // 5:,} learners would be awarded"
    )
    shot("08-dry-run")
    assert_accessible(page)

    # --- issues now and watches the progress bar --------------------------------------------
    page.get_by_role("button", name="Issue now").click()
    expect(page).to_have_url(re.compile(r"/admin/jobs/"))
    bar = page.locator("progress")
    seen: list[int] = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        value = int(bar.evaluate("e => e.value"))
        if not seen or seen[-1] != value:
            seen.append(value)
            if 0 < value < 100 and len(seen) == 2:
                shot("09-issuing")
        if value == 100:
            break
        time.sleep(0.05)
    assert seen[-1] == 100, seen
    assert any(0 < v < 100 for v in seen), f"the bar jumped without intermediate values: {seen}"
    expect(page.get_by_text("Finished: every learner")).to_be_visible()
    shot("10-issued")
    assert_accessible(page)

    # --- re-issues one certificate with the name fixed --------------------------------------
    _nav(page, "Certificates")
    page.get_by_label("Name, number or e-mail").fill("rohan@example")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("1 certificate;")
    shot("11-certificates-search")
    assert_accessible(page)
    page.get_by_role("link", name=MISSPELT).click()
    old_url = page.url
    old_verify = page.get_by_role("link", name="Verification page").get_attribute("href")
    assert old_verify is not None
    page.get_by_label("Name as it should be printed").fill(FIXED)
    page.get_by_label("Reason (kept in the audit log)").fill("name misspelt in the LMS")
    page.get_by_role("button", name="Re-issue").click()
    expect(page.get_by_text("Re-issued: this is the new certificate.")).to_be_visible()
    expect(page.locator("dd.name")).to_have_text(FIXED)
    assert page.url != old_url
    shot("12-reissued")
    assert_accessible(page)

    # --- revokes another ---------------------------------------------------------------------
    _nav(page, "Certificates")
    page.get_by_label("Name, number or e-mail").fill(REVOKED)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=REVOKED).click()
    page.get_by_label("Reason (shown on the verification page)").fill("issued in error")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Revoked. Verification now shows the reason.")).to_be_visible()
    shot("13-revoked")
    _nav(page, "Audit log")
    expect(page.locator("main")).to_contain_text("certificate.revoked")
    shot("14-audit")
    assert_accessible(page)

    # --- the learner signs in and downloads their PDF ---------------------------------------
    learner = resolve_learner(uow(), org.id, "S00001")
    account = make_user(
        uow(), org.id, Role.LEARNER, email="rohan@example.org", learner_id=learner.id
    )
    learner_page = open_page()
    _sign_in(learner_page, live_server, account.email, "/me")
    expect(learner_page.get_by_role("heading", name="My certificates")).to_be_visible()
    shot("15-learner-certificates", learner_page)
    with learner_page.expect_download() as download:
        learner_page.get_by_role("link", name="PDF", exact=True).first.click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")

    # --- the QR code in that PDF opens the verification page: Valid, the corrected name -----
    url = qr_url_of(pdf, tmp_path)
    assert url.startswith(live_server.base_url + "/v/")
    phone = open_page(viewport={"width": 390, "height": 844})
    phone.goto(url)
    expect(phone.locator(".verdict-word")).to_have_text("Valid")
    expect(phone.locator("dd.name")).to_have_text(FIXED)
    shot("16-verify-valid", phone)
    assert_accessible(phone)

    # --- the old certificate says Superseded and links to the new one ------------------------
    phone.goto(old_verify)
    expect(phone.locator(".verdict-word")).to_have_text("Superseded")
    expect(phone.locator("dd.name")).to_have_text(MISSPELT)
    shot("17-verify-superseded", phone)
    assert_accessible(phone)
    phone.get_by_role("link", name="See the current certificate").click()
    assert phone.url == url
    expect(phone.locator("dd.name")).to_have_text(FIXED)
    assert (
        json.loads(httpx.get(url, headers={"Accept": "application/json"}).text)["verdict"]
        == "valid"
    )
