"""The admin's Settings in a real browser (Chromium, on the real product): an e-mail template
edited with a preview, a rejected one keeping what was typed, saved and reset; a webhook added
(its secret shown once) and removed; the signing key rotated after a confirmation. Screenshots of
each page at a desktop's and a phone's width; axe-core checks them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from certmint.services.issuers.keys import ensure_signing_key
from tests.factories import PASSWORD, make_organisation, make_user
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture(scope="module")
def organisation(live_server: LiveServer) -> UUID:
    uow = live_server.container.uow
    org = make_organisation(uow(), "Settings Academy", default=True)
    make_user(uow(), org.id, Role.ADMIN, email="admin@example.org")
    ensure_signing_key(uow(), live_server.container.signing.key_store, org.id)
    return org.id


def _shots(page: Page, shot: Callable[..., Path], step: str) -> None:
    """``step`` at each width, checked by axe-core at the narrowest."""
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        shot(f"{step}-{name}")
    assert_accessible(page)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def _sign_in_to_settings(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url("/admin"))
    page.get_by_label("E-mail address").first.fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Admin").get_by_role(
        "link", name="Settings", exact=True
    ).click()


def test_admin_edits_previews_saves_and_resets_an_e_mail(
    live_server: LiveServer, organisation: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in_to_settings(page, live_server)
    expect(page.get_by_role("heading", name="E-mail templates")).to_be_visible()
    _shots(page, shot, "list")

    page.get_by_role("link", name="Certificate awarded").click()
    expect(page.locator("pre.email-preview")).to_contain_text("Dear Aïda Núñez-Ngũgĩ,")
    _shots(page, shot, "editor")

    body = page.get_by_label("Plain-text body")
    body.fill("Dear {{ learner_name }},\nYour grade: {{ grade }}")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("unknown placeholder 'grade'")
    expect(body).to_have_value("Dear {{ learner_name }},\nYour grade: {{ grade }}")
    _shots(page, shot, "rejected")

    body.fill("Dear {{ learner_name }},\nWell done at {{ organisation }}.")
    page.get_by_label("HTML body (optional)").fill("<p>Dear <b>{{ learner_name }}</b></p>")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("pre.email-preview")).to_contain_text("Well done at Example Institute.")
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.locator("b")).to_have_text("Aïda Núñez-Ngũgĩ")
    _shots(page, shot, "preview")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page).to_have_url(re.compile(r"/admin/settings/emails/issued\?done=saved$"))
    page.get_by_role("button", name="Reset to the default wording").click()
    expect(page.get_by_role("status")).to_contain_text("Reset")
    expect(page.get_by_label("Plain-text body")).to_have_value(re.compile(r"^Dear \{\{"))


def test_admin_adds_and_removes_a_webhook(
    live_server: LiveServer, organisation: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in_to_settings(page, live_server)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Endpoint URL").fill("https://lms.example.org/certmint/hooks")
    page.get_by_label("certificate.suspended").uncheck()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.locator(".secret code")).to_have_text(re.compile(r"^whsec_\S{30,}$"))
    row = page.get_by_role("row", name=re.compile("lms.example.org"))
    expect(row).to_contain_text("certificate.revoked")
    expect(row).not_to_contain_text("certificate.suspended")
    _shots(page, shot, "added")

    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_role("status")).to_contain_text("Removed")
    expect(page.get_by_role("row", name=re.compile("lms.example.org"))).to_contain_text("removed")
    expect(page.locator(".secret code")).to_have_count(0)  # the secret is gone for good
    _shots(page, shot, "removed")


def test_admin_rotates_the_signing_key_after_confirming(
    live_server: LiveServer, organisation: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in_to_settings(page, live_server)
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Signing keys").click()
    expect(page.locator("dd code").first).to_have_text(re.compile(r"^did:web:"))
    rows = page.get_by_role("region", name="Keys").get_by_role("row")
    expect(rows).to_have_count(2)  # the heading and the one key
    _shots(page, shot, "one-key")

    page.get_by_label("Reason (kept in the audit log)").fill("yearly")
    page.get_by_role("button", name="Rotate the signing key").click()
    expect(rows).to_have_count(2)  # the browser asks for the box first (required)
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Rotate the signing key").click()
    expect(page.get_by_role("status")).to_contain_text("Rotated")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("signs now")
    _shots(page, shot, "rotated")
