"""Accounts in a real browser (Chromium, on the real product): the admin's Users page (invite
a course manager, send the invitation again, change their courses, disable them), the account page where a learner
sets a password, and what a course manager is shown (only what they may use). Screenshots of
each page; axe-core checks them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Principal, Role
from certmint.rendering import Design
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course, resolve_learner
from certmint.services.catalogue.templates import create_template
from certmint.services.identity.accounts import create_user, find_user
from certmint.services.identity.sessions import start_session
from certmint.web.deps import SESSION_COOKIE
from tests.factories import (
    PASSWORD,
    enrolment_csv,
    enrolment_row,
    make_organisation,
    make_user,
)
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def organisation(live_server: LiveServer) -> UUID:
    """Two courses with a learner each and an admin (admin@); returns the organisation's id."""
    uow = live_server.container.uow
    org = make_organisation(uow(), "Users Academy", default=True)
    rows = [
        enrolment_row("L1", name="Asha Rao"),
        enrolment_row("L2", course_id="C2", course_name="Statistics", batch_id="B2"),
    ]
    import_enrolments(uow(), org.id, enrolment_csv(rows))
    make_user(uow(), org.id, Role.ADMIN, email="admin@example.org")
    return org.id


def _sign_in_as_admin(page: Page, live_server: LiveServer, path: str) -> None:
    page.goto(live_server.url(path))
    page.get_by_label("E-mail address").first.fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server.url(path))


def test_admin_invites_scopes_and_disables_a_course_manager(
    live_server: LiveServer, organisation: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in_as_admin(page, live_server, "/admin")
    page.get_by_role("navigation", name="Admin").get_by_role(
        "link", name="Users", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    assert_accessible(page)

    invite = page.locator("section", has=page.get_by_role("heading", name="Invite someone"))
    invite.get_by_label("Role").select_option("course_manager")
    invite.get_by_label("E-mail address").fill("mina@example.org")
    invite.get_by_label("Name").fill("Mina Iyer")
    invite.get_by_label("Data Science").check()
    invite.get_by_role("button", name="Invite").click()
    # No mail server here: the answer is the link to hand over, not a promise of an e-mail.
    expect(page.get_by_role("heading", name="Sign-in link for Mina Iyer")).to_be_visible()
    expect(page.locator("#sign-in-link")).to_contain_text("/login/link/")
    row = page.get_by_role("row", name="Mina Iyer")
    expect(row).to_contain_text("Course manager")
    expect(row).to_contain_text("Data Science")
    expect(row).to_contain_text("invited")
    shot("users")
    assert_accessible(page)
    first = page.locator("#sign-in-link").inner_text()
    expect(page.get_by_role("button", name="Resend invitation to Mina Iyer")).to_have_count(0)
    page.get_by_role("button", name="Make a sign-in link for Mina Iyer").click()
    expect(page.locator("#sign-in-link")).to_contain_text("/login/link/")
    assert page.locator("#sign-in-link").inner_text() != first  # a new one; the first is void
    row = page.get_by_role("row", name="Mina Iyer")

    row.get_by_text("Change courses").click()
    row.get_by_label("Data Science").uncheck()
    row.get_by_label("Statistics").check()
    row.get_by_role("button", name="Save courses").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_role("row", name="Mina Iyer")).to_contain_text("Statistics")

    page.get_by_role("button", name="Disable Mina Iyer").click()
    expect(page.get_by_role("row", name="Mina Iyer")).to_contain_text("disabled")
    expect(page.get_by_role("button", name="Enable Mina Iyer")).to_be_visible()
    shot("disabled")
    user = find_user(live_server.container.uow(), organisation, "mina@example.org")
    assert not user.active


def test_a_learner_sets_a_password_on_the_account_page(
    live_server: LiveServer, organisation: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    uow = live_server.container.uow
    org = organisation
    learner = resolve_learner(uow(), org, "L1")
    user = create_user(
        uow(),
        Principal.at_shell(org),
        email="asha@example.org",
        display_name="Asha Rao",
        role=Role.LEARNER,
        learner_id=learner.id,
    )
    _, token = start_session(uow(), user)  # as the e-mailed link does
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "url": live_server.url("/")}]
    )
    page.goto(live_server.url("/me"))
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Set a password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("my own long secret")
    page.get_by_label("New password again").fill("my own long secret")
    page.get_by_role("button", name="Save the password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is saved.")
    expect(page.get_by_label("Current password")).to_be_visible()
    shot("account")
    assert_accessible(page)


def _signed_in(page: Page, live_server: LiveServer, user: object) -> None:
    _, token = start_session(live_server.container.uow(), user)  # type: ignore[arg-type]
    page.context.add_cookies(
        [{"name": SESSION_COOKIE, "value": token, "url": live_server.url("/")}]
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_a_course_manager_is_shown_only_what_they_may_use(
    live_server: LiveServer,
    organisation: UUID,
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
    width: int,
) -> None:
    uow = live_server.container.uow
    course = resolve_course(uow(), organisation, "C1")
    create_template(
        uow(),
        Principal.at_shell(organisation),
        Design(layout="classic-1-1"),
        name=f"Merit {width}",
        publish=True,
    )
    manager = make_user(
        uow(),
        organisation,
        Role.COURSE_MANAGER,
        email=f"manager{width}@example.org",
        course_ids=[course.id],
    )
    page = open_page(viewport={"width": width, "height": 900})
    _signed_in(page, live_server, manager)
    page.goto(live_server.url("/admin"))
    nav = page.get_by_role("navigation", name="Admin")
    if width < 640:  # a phone's navigation is behind its Menu button
        nav.get_by_text("Menu").click()
    expect(nav.get_by_role("link")).to_have_text(
        ["Certmint", "Dashboard", "Templates", "Certificates", "Your account"]
    )
    expect(page.get_by_role("link", name="Statistics")).to_have_count(0)  # not their course
    shot("dashboard", page)
    assert_accessible(page)
    page.get_by_role("link", name="Spring").click()
    expect(page.get_by_role("button", name="Attach")).to_have_count(1)
    shot("batch", page)
    if width < 640:
        nav.get_by_text("Menu").click()
    nav.get_by_role("link", name="Templates").click()
    expect(page.get_by_role("button", name="Use this layout")).to_have_count(0)
    shot("templates", page)
    page.get_by_role("link", name=f"Merit {width}").click()
    expect(page.get_by_role("button", name="Preview")).to_be_visible()
    expect(page.get_by_role("button", name="Save as new version")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Publish"))).to_have_count(0)
    page.get_by_label("Title").fill("Certificate of Excellence")
    page.get_by_role("button", name="Preview").click()  # posts to the preview page: no 403
    expect(page.get_by_text("Preview of the form above (not saved).")).to_be_visible()
    shot("designer", page)
    assert_accessible(page)


def test_a_course_manager_who_forgot_their_password_gets_a_link_from_the_admin(
    live_server: LiveServer,
    organisation: UUID,
    open_page: Callable[..., Page],
    shot: Callable[..., Path],
) -> None:
    """No mail server: the admin makes the link on the users page and copies it; the course
    manager opens it and chooses a new password, which signs them in."""
    uow = live_server.container.uow
    course = resolve_course(uow(), organisation, "C1")
    make_user(
        uow(), organisation, Role.COURSE_MANAGER, email="ravi@example.org", course_ids=[course.id]
    )
    admin = open_page()
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _sign_in_as_admin(admin, live_server, "/admin/users")
    row = admin.get_by_role("row").filter(has_text="ravi@example.org")
    row.get_by_role("button", name="Make a sign-in link").click()
    expect(admin.get_by_text("It opens a page where they choose a new password.")).to_be_visible()
    link = admin.locator("#sign-in-link").inner_text()
    assert "/login/reset/" in link
    admin.get_by_role("button", name="Copy the link").click()
    expect(admin.get_by_role("button", name="Copied")).to_be_visible()
    assert admin.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(admin)

    manager = open_page(viewport={"width": 390, "height": 844})
    manager.goto(link)
    expect(manager.get_by_role("heading", name="Choose a new password")).to_be_visible()
    shot("choose-a-new-password", manager)
    assert_accessible(manager)
    manager.get_by_label("New password", exact=True).fill("a new one, long enough")
    manager.get_by_label("New password again").fill("a new one, long enough")
    manager.get_by_role("button", name="Save the password and sign in").click()
    expect(manager).to_have_url(live_server.url("/admin"))
    assert find_user(uow(), organisation, "ravi@example.org").role is Role.COURSE_MANAGER
