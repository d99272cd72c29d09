"""The admin's Users page: list, invite (the e-mail through the outbox) and send an invitation
again, course scope, disable and enable; admins only; another organisation's user is a 404."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.bootstrap import Container
from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.accounts import find_user, get_user
from certmint.services.identity.tokens import create_token
from certmint.storage.tables import AuditEventRow, NotificationRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.app import create_app
from tests.conftest import Inbox
from tests.factories import PASSWORD, make_user
from tests.web.conftest import login_form, sign_in
from tests.web.pages.admin.conftest import Admin, get_ok
from tests.web.test_login import _configured


def _post(client: TestClient, url: str, headers: dict[str, str], **form: object) -> object:
    return client.post(url, data=form, headers=headers, follow_redirects=False)


def test_the_page_lists_users_with_role_scope_and_status(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    make_user(uow, org, Role.ADMIN, email="asha@example.org")
    make_user(uow, org, Role.COURSE_MANAGER, email="mina@example.org", course_ids=[course.id])
    html = get_ok(client, "/admin/users", admin.headers)
    assert "asha@example.org" in html and "mina@example.org" in html
    assert "Course manager" in html and "Data Science" in html and "active" in html
    assert '/admin/users" aria-current="page">Users</a>' in html  # in the navigation
    _, secret = create_token(
        uow, Principal.at_shell(org), name="m", role=Role.COURSE_MANAGER, course_ids=[course.id]
    )
    manager = {"Authorization": f"Bearer {secret}"}
    assert client.get("/admin/users", headers=manager).status_code == 403


def test_inviting_without_a_mail_server_shows_the_link_once_instead_of_a_promise(
    https_client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    client = https_client  # the sign-in forms' cookie is a secure one
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    assert "No mail server is configured" in get_ok(client, "/admin/users", admin.headers)
    invited = _post(
        client,
        "/admin/users/invite",
        admin.headers,
        role="course_manager",
        email="mina@example.org",
        display_name="Mina Iyer",
        course_ids=[url_id(course.id)],
    )
    assert invited.status_code == 200  # type: ignore[attr-defined]
    page = invited.text  # type: ignore[attr-defined]
    assert "Sign-in link for Mina Iyer" in page and "on its way" not in page
    link = re.search(
        r'<code id="sign-in-link">https://certs\.example\.org(/login/link/[\w-]+)<', page
    )
    assert link is not None
    user = find_user(uow, org, "mina@example.org")
    assert (user.role, user.course_ids) == (Role.COURSE_MANAGER, {course.id})
    assert not session.scalars(
        select(NotificationRow).where(NotificationRow.user_id == user.id)
    ).all()
    actions = set(session.scalars(select(AuditEventRow.action)))
    assert {"user.created", "user.invited", "user.invitation_link_made"} <= actions
    assert link.group(1) not in str(session.scalars(select(AuditEventRow.details)).all())
    # Another link for the same person: the first stops working, the new one signs in once.
    again = _post(client, f"/admin/users/{url_id(user.id)}/link", admin.headers)
    second = re.search(r"(/login/link/[\w-]+)<", again.text)  # type: ignore[attr-defined]
    assert second is not None and second.group(1) != link.group(1)
    for path, answer in ((link.group(1), 401), (second.group(1), 303)):
        used = client.post(path, data=login_form(client, path), follow_redirects=False)
        assert used.status_code == answer
    client.cookies.clear()

    again = _post(
        client,
        "/admin/users/invite",
        admin.headers,
        role="course_manager",
        email="MINA@example.org",
        display_name="Mina",
        course_ids=[url_id(course.id)],
    )
    assert again.status_code == 422  # type: ignore[attr-defined]
    assert "exists in this organisation" in again.text  # type: ignore[attr-defined]
    no_course = _post(
        client,
        "/admin/users/invite",
        admin.headers,
        role="course_manager",
        email="x@example.org",
        display_name="X",
    )
    assert "a course manager needs at least one course" in no_course.text  # type: ignore[attr-defined]
    assert 'value="x@example.org"' in no_course.text  # type: ignore[attr-defined]


def test_inviting_a_learner_uses_their_record(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    response = _post(client, "/admin/users/invite", admin.headers, role="learner", learner="L1")
    assert response.status_code == 200  # type: ignore[attr-defined]
    user = find_user(uow, admin.scenario.organisation.id, "l1@example.org")
    assert user.role is Role.LEARNER and user.learner_id == admin.scenario.learners["L1"]


def test_scope_disable_and_enable(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    manager = make_user(uow, org, Role.COURSE_MANAGER, course_ids=[course.id])
    uid = url_id(manager.id)
    emptied = _post(client, f"/admin/users/{uid}/scope", admin.headers)
    assert emptied.status_code == 422  # type: ignore[attr-defined]
    assert "at least one course" in emptied.text  # type: ignore[attr-defined]
    disabled = _post(client, f"/admin/users/{uid}/disable", admin.headers)
    assert disabled.status_code == 303  # type: ignore[attr-defined]
    assert not get_user(uow, Principal.at_shell(org), manager.id).active
    twice = _post(client, f"/admin/users/{uid}/disable", admin.headers)
    assert twice.status_code == 409  # type: ignore[attr-defined]
    assert _post(client, f"/admin/users/{uid}/enable", admin.headers).status_code == 303  # type: ignore[attr-defined]
    assert get_user(uow, Principal.at_shell(org), manager.id).active
    assert _post(client, f"/admin/users/{uid}/delete", admin.headers).status_code == 404  # type: ignore[attr-defined]
    actions = list(session.scalars(select(AuditEventRow.action)))
    assert actions.count("user.disabled") == 1 and actions.count("user.enabled") == 1


def test_another_organisations_user_is_not_found(
    client: TestClient, admin: Admin, other_tenant: dict[str, str], uow: SqlAlchemyUnitOfWork
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    manager = make_user(uow, org, Role.COURSE_MANAGER, course_ids=[course.id])
    uid = url_id(manager.id)
    for action in ("scope", "disable", "enable"):
        response = _post(client, f"/admin/users/{uid}/{action}", other_tenant)
        assert response.status_code == 404  # type: ignore[attr-defined]
    assert get_user(uow, Principal.at_shell(org), manager.id).active
    assert (
        "@"
        not in client.get("/admin/users", headers=other_tenant)
        .text.split("<tbody>")[1]
        .split("</tbody>")[0]
    )


def test_changes_need_the_csrf_token_and_no_one_disables_themselves(
    https_client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    org = admin.scenario.organisation.id
    me = make_user(uow, org, Role.ADMIN, email="admin@example.org")
    other = make_user(uow, org, Role.ADMIN, email="other@example.org")
    csrf = sign_in(
        https_client, "admin@example.org", PASSWORD, org=admin.scenario.organisation.slug
    )
    page = https_client.get("/admin/users").text
    assert f"/admin/users/{url_id(me.id)}/disable" not in page  # no button for yourself
    disable = f"/admin/users/{url_id(other.id)}/disable"
    assert https_client.post(disable).status_code == 403
    assert get_user(uow, Principal.at_shell(org), other.id).active
    assert https_client.post(disable, data={"csrf_token": csrf}).status_code == 303
    own = https_client.post(f"/admin/users/{url_id(me.id)}/disable", data={"csrf_token": csrf})
    assert own.status_code == 409 and "cannot disable your own account" in own.text
    assert isinstance(me.id, UUID)


@pytest.fixture
def mailing(container: Container, smtp: tuple[Inbox, str]) -> Iterator[TestClient]:
    """The app with e-mail set up (a real SMTP server on loopback): the page sends at once."""
    configured = _configured(container, base_url=container.settings.base_url, smtp_url=smtp[1])
    with TestClient(
        create_app(configured), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


def _link(inbox: Inbox, index: int) -> str:
    body = inbox.messages[index].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https://certs\.example\.org(/login/link/[A-Za-z0-9_-]+)", body)
    assert found is not None, body
    return found.group(1)


def test_an_invitation_not_taken_up_is_sent_again_and_the_old_link_is_refused(
    mailing: TestClient,
    smtp: tuple[Inbox, str],
    admin: Admin,
    uow: SqlAlchemyUnitOfWork,
    session: Session,
) -> None:
    inbox, _ = smtp
    course = resolve_course(uow, admin.scenario.organisation.id, "C1")
    invited = _post(
        mailing,
        "/admin/users/invite",
        admin.headers,
        role="course_manager",
        email="mina@example.org",
        display_name="Mina Iyer",
        course_ids=[url_id(course.id)],
    )
    assert invited.status_code == 303  # type: ignore[attr-defined]
    assert len(inbox.messages) == 1
    old = _link(inbox, 0)
    user = find_user(uow, admin.scenario.organisation.id, "mina@example.org")
    page = get_ok(mailing, "/admin/users", admin.headers)
    resend = f"/admin/users/{url_id(user.id)}/invitation"
    assert "invited" in page and f'action="https://testserver{resend}"' in page
    assert "Resend invitation" in page

    again = _post(mailing, resend, admin.headers)
    assert again.status_code == 303  # type: ignore[attr-defined]
    assert again.headers["location"].endswith("/admin/users?done=resent")  # type: ignore[attr-defined]
    assert len(inbox.messages) == 2 and inbox.messages[1]["To"] == "mina@example.org"
    new = _link(inbox, 1)
    assert "the links sent before no longer work" in get_ok(
        mailing, "/admin/users?done=resent", admin.headers
    )
    assert session.scalars(
        select(AuditEventRow.action).where(AuditEventRow.action == "user.invitation_resent")
    ).all() == ["user.invitation_resent"]

    refused = mailing.post(old, data=login_form(mailing, old))
    assert refused.status_code == 401
    used = mailing.post(new, data=login_form(mailing, new))
    assert used.status_code == 303  # signed in: the invitation is taken up
    mailing.cookies.clear()
    page = get_ok(mailing, "/admin/users", admin.headers)
    assert resend not in page
    taken = _post(mailing, resend, admin.headers)
    assert taken.status_code == 409  # type: ignore[attr-defined]
    assert "signed in or set a password already" in taken.text  # type: ignore[attr-defined]
    assert len(inbox.messages) == 2


def test_a_whole_batch_is_invited_by_e_mail(
    mailing: TestClient, smtp: tuple[Inbox, str], admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    inbox, _ = smtp
    org = admin.scenario.organisation.id
    make_user(
        uow, org, Role.LEARNER, email="l1@example.org", learner_id=admin.scenario.learners["L1"]
    )
    page = get_ok(mailing, "/admin/users", admin.headers)
    assert "Invite a whole batch" in page and "No mail server" not in page
    form = {"batch": url_id(admin.scenario.batch_id)}
    done = _post(mailing, "/admin/users/invite-batch", admin.headers, **form)
    assert "Invited 2; 1 had an account already; 0 have no e-mail address" in done.text  # type: ignore[attr-defined]
    assert sorted(m["To"] for m in inbox.messages) == ["l2@example.org", "l3@example.org"]
    again = _post(mailing, "/admin/users/invite-batch", admin.headers, **form)
    assert "Invited 0; 3 had an account already" in again.text  # type: ignore[attr-defined]
    assert len(inbox.messages) == 2


def test_a_locked_out_course_manager_gets_a_new_password_link_but_no_other_admin_does(
    https_client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    manager = make_user(uow, org, Role.COURSE_MANAGER, course_ids=[course.id])
    other = make_user(uow, org, Role.ADMIN, email="other@example.org")
    page = get_ok(https_client, "/admin/users", admin.headers)
    assert f"/admin/users/{url_id(manager.id)}/link" in page
    assert f"/admin/users/{url_id(other.id)}/link" not in page
    made = _post(https_client, f"/admin/users/{url_id(manager.id)}/link", admin.headers)
    assert made.status_code == 200  # type: ignore[attr-defined]
    assert "It opens a page where they choose a new password" in made.text  # type: ignore[attr-defined]
    found = re.search(
        r'<code id="sign-in-link">https://certs\.example\.org(/login/reset/[\w-]+)<', made.text
    )  # type: ignore[attr-defined]
    assert found is not None
    new = "a new one, long enough"
    path = found.group(1)
    fields = {"new_password": new, "repeat_password": new, **login_form(https_client, path)}
    used = https_client.post(path, data=fields, follow_redirects=False)
    assert used.status_code == 303 and used.headers["location"] == "/admin"
    https_client.cookies.clear()
    refused = _post(https_client, f"/admin/users/{url_id(other.id)}/link", admin.headers)
    assert refused.status_code == 409 and "is an admin" in refused.text  # type: ignore[attr-defined]
