"""The admin navigation in a real browser: one row of links on a desktop; on a phone one bar
with a Menu button that opens them, instead of links wrapped over four rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Role
from tests.factories import PASSWORD, make_organisation, make_user
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def organisation(live_server: LiveServer) -> UUID:
    uow = live_server.container.uow
    org = make_organisation(uow(), "Navigation Academy", default=True)
    make_user(uow(), org.id, Role.ADMIN, email="admin@example.org")
    return org.id


def test_the_phone_navigation_is_one_bar_with_a_menu(
    live_server: LiveServer, organisation: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    page.goto(live_server.url("/admin"))
    page.get_by_label("E-mail address").first.fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_role("navigation", name="Admin")
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    desktop = nav.bounding_box()
    assert desktop is not None and desktop["height"] < 60  # one row
    expect(nav.get_by_text("Menu")).to_be_hidden()
    shot("nav-desktop")

    page.set_viewport_size({"width": 390, "height": 800})
    expect(nav.get_by_role("link", name="Audit log")).to_be_hidden()
    phone = nav.bounding_box()
    assert phone is not None and phone["height"] < 60  # one bar, not four rows of links
    shot("nav-phone")
    nav.get_by_text("Menu").click()
    expect(nav.get_by_role("link", name="Audit log")).to_be_visible()
    shot("nav-phone-open")
    assert_accessible(page)
    nav.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
