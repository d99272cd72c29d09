"""Signing in and out through the pages, as a browser without JavaScript would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from certmint.bootstrap import Container
from certmint.config import Settings
from certmint.domain.accounts import Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_learner
from certmint.services.identity.accounts import LOCKOUT_AFTER
from certmint.services.identity.sessions import IDLE_TIMEOUT
from certmint.services.notifications.mail import ACCOUNT_MAIL, SmtpMailer, send_due
from certmint.storage.tables import NotificationRow, UserSessionRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.app import create_app
from certmint.web.deps import SESSION_COOKIE
from tests.conftest import Inbox, free_port
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.conftest import csrf_token_of, login_form, sign_in


def _configured(container: Container, **settings: str) -> Container:
    """The test container with other settings (same database, signing and fonts)."""
    configured = type(container)(
        Settings(home=container.settings.home, **settings),  # type: ignore[arg-type]
        container.engine,
        container.session_factory,
    )
    configured.__dict__.update(signing=container.signing, fonts=container.fonts)
    return configured


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Login Academy", default=True)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    return org.id


def test_the_form_works_without_javascript(https_client: TestClient) -> None:
    page = https_client.get("/login?next=/me")
    assert page.status_code == 200
    html = page.text
    assert '<form method="post" action="https://testserver/login"' in html
    assert 'name="email"' in html and 'type="password"' in html
    assert 'name="next" value="/me"' in html
    assert "<script" not in html


def test_sign_in_sets_a_secure_httponly_lax_cookie_and_goes_home(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    response = https_client.post(
        "/login",
        data={**login_form(https_client), "email": "ADMIN@example.org", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/", "Max-Age=43200"):
        assert attribute in cookie
    me = https_client.get("/api/v1/me").json()
    assert me["role"] == "admin" and me["organisation_id"] == str(org_id)


def test_a_learner_lands_on_my_certificates_with_the_learner_link(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    learner = resolve_learner(uow, org_id, "L1")
    make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    response = https_client.post(
        "/login", data={**login_form(https_client), "email": "l1@example.org", "password": PASSWORD}
    )
    assert response.headers["location"] == "/me"
    me = https_client.get("/api/v1/me").json()
    assert (me["role"], me["learner_id"], me["course_ids"]) == ("learner", str(learner.id), None)


def test_cookie_is_not_secure_on_plain_http(
    container: Container, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    plain = _configured(container, base_url="http://127.0.0.1:8000")
    with TestClient(create_app(plain), follow_redirects=False) as client:
        response = client.post(
            "/login",
            data={**login_form(client), "email": "admin@example.org", "password": PASSWORD},
        )
    assert response.status_code == 303
    assert "Secure" not in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/admin/certificates?batch=B1", "/admin/certificates?batch=B1"),
        ("https://evil.example/", "/admin"),
        ("//evil.example/path", "/admin"),
        ("/\\evil.example", "/admin"),
        ("javascript:alert(1)", "/admin"),
    ],
)
def test_next_is_followed_only_within_the_site(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID, asked: str, landing: str
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    response = https_client.post(
        "/login",
        data={
            **login_form(https_client),
            "email": "admin@example.org",
            "password": PASSWORD,
            "next": asked,
        },
    )
    assert response.headers["location"] == landing


def test_wrong_password_shows_the_form_again_without_saying_which_part(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    wrong = https_client.post(
        "/login",
        data={**login_form(https_client), "email": "admin@example.org", "password": "nope nope"},
    )
    unknown = https_client.post(
        "/login",
        data={**login_form(https_client), "email": "who@example.org", "password": PASSWORD},
    )
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "The e-mail address or the password is not right." in response.text
        assert "set-cookie" not in response.headers
    assert 'value="admin@example.org"' in wrong.text  # typed address kept, password not


def test_repeated_wrong_passwords_throttle_the_address_known_or_not(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    answers = []
    for address in ("admin@example.org", "who@example.org"):
        for _ in range(LOCKOUT_AFTER):
            response = https_client.post(
                "/login",
                data={**login_form(https_client), "email": address, "password": "guess guess"},
            )
            assert response.status_code == 401
        locked = https_client.post(
            "/login", data={**login_form(https_client), "email": address, "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert "Too many failed attempts" in locked.text
        assert "set-cookie" not in locked.headers
        answers.append(locked.text.replace(address, "ADDRESS"))
    # A throttled account and a throttled unknown address get the same page.
    assert answers[0] == answers[1]
    wrong = https_client.post(
        "/login",
        data={**login_form(https_client), "email": "ana@example.org", "password": "x" * 12},
    )
    unknown = https_client.post(
        "/login",
        data={**login_form(https_client), "email": "bob@example.org", "password": "x" * 12},
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.text.replace("ana@", "X@") == unknown.text.replace("bob@", "X@")


def test_logout_needs_the_csrf_token_and_ends_the_session(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    csrf = sign_in(https_client, "admin@example.org", PASSWORD)
    refused = https_client.post("/logout")
    assert refused.status_code == 403
    assert https_client.get("/api/v1/me").status_code == 200  # still signed in
    cookie = https_client.cookies[SESSION_COOKIE]
    response = https_client.post("/logout", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert SESSION_COOKIE not in https_client.cookies
    https_client.cookies.set(SESSION_COOKIE, cookie, domain="testserver")  # a stolen copy
    assert https_client.get("/api/v1/me").status_code == 401


def test_an_idle_session_expires(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    sign_in(https_client, "admin@example.org", PASSWORD)
    session.execute(update(UserSessionRow).values(last_seen_at=datetime.now(UTC) - IDLE_TIMEOUT))
    session.commit()
    assert https_client.get("/api/v1/me").status_code == 401
    assert https_client.post("/logout").headers["location"].startswith("/login?next=")


def test_the_csrf_token_belongs_to_the_session(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="a@example.org")
    make_user(uow, org_id, email="b@example.org")
    first = sign_in(https_client, "a@example.org", PASSWORD)
    second = sign_in(https_client, "b@example.org", PASSWORD)
    assert first != second and csrf_token_of(https_client) == second
    assert https_client.post("/logout", data={"csrf_token": first}).status_code == 403
    assert https_client.post("/logout", headers={"X-CSRF-Token": second}).status_code == 303


@pytest.fixture
def mailing_client(container: Container, smtp: tuple[Inbox, str]) -> Iterator[TestClient]:
    """The app with e-mail set up (a real SMTP server on loopback)."""
    mailing = _configured(container, base_url=container.settings.base_url, smtp_url=smtp[1])
    with TestClient(
        create_app(mailing), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


def test_sign_in_with_an_emailed_link(
    mailing_client: TestClient,
    smtp: tuple[Inbox, str],
    uow: SqlAlchemyUnitOfWork,
    org_id: UUID,
) -> None:
    inbox, _ = smtp
    learner = resolve_learner(uow, org_id, "L1")
    make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    form = mailing_client.get("/login").text
    assert "E-mail me a sign-in link" in form
    for address in ("l1@example.org", "nobody@example.org"):  # the same answer for both
        answer = mailing_client.post(
            "/login/link", data={**login_form(mailing_client), "email": address}
        )
        assert answer.status_code == 200
        assert "If an account has this address, a sign-in link is on its way" in answer.text
    (message,) = inbox.messages
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https://certs\.example\.org(/login/link/[A-Za-z0-9_-]+)", body)
    assert found is not None
    link = found.group(1)
    # Opening the link (as a mail scanner would) does not spend it: it asks for a button press.
    confirm = mailing_client.get(link)
    assert confirm.status_code == 200 and f'action="https://testserver{link}"' in confirm.text
    assert confirm.headers["referrer-policy"] == "same-origin"
    assert SESSION_COOKIE not in mailing_client.cookies
    used = mailing_client.post(link, data=login_form(mailing_client, link))
    assert used.status_code == 303 and used.headers["location"] == "/me"
    assert mailing_client.get("/api/v1/me").json()["learner_id"] == str(learner.id)
    mailing_client.cookies.clear()
    again = mailing_client.post(link, data=login_form(mailing_client, link))
    assert again.status_code == 401 and "already used or expired" in again.text


def test_no_link_form_without_email(https_client: TestClient) -> None:
    assert "E-mail me a sign-in link" not in https_client.get("/login").text


def test_the_link_page_answers_at_once_while_smtp_is_down_and_the_link_comes_later(
    container: Container, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    learner = resolve_learner(uow, org_id, "L1")
    make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id)
    port = free_port()
    later = datetime.now(UTC) + timedelta(minutes=2)  # after the first back-off
    mailing = _configured(
        container, base_url=container.settings.base_url, smtp_url=f"smtp://127.0.0.1:{port}"
    )
    with TestClient(create_app(mailing), base_url="https://testserver") as client:
        answers = [
            client.post("/login/link", data={**login_form(client), "email": address})
            for address in ("l1@example.org", "nobody@example.org")
        ]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].text.replace("l1@", "X@") == answers[1].text.replace("nobody@", "X@")
    with mailing.uow() as check:  # the page's background send failed and was put off
        (waiting,) = check.notifications.due(datetime.now(UTC) + timedelta(hours=1), later, 10)
    assert waiting.attempts == 1 and "ConnectionRefusedError" in (waiting.last_error or "")
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        summary = send_due(
            mailing.uow(),
            SmtpMailer(mailing.settings.smtp_url, timeout=5),
            sender="certs@x.org",
            links=mailing.links,
            now=later,
            kinds=ACCOUNT_MAIL,
        )
    finally:
        controller.stop()
    assert summary.sent == 1
    assert [m["To"] for m in inbox.messages] == ["l1@example.org"]


def test_a_forgotten_password_is_replaced_through_the_e_mailed_link(
    mailing_client: TestClient, smtp: tuple[Inbox, str], uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    inbox, _ = smtp
    make_user(uow, org_id, email="admin@example.org")
    assert "/login/forgot" in mailing_client.get("/login").text
    for address in ("admin@example.org", "nobody@example.org"):  # the same answer for both
        answer = mailing_client.post(
            "/login/forgot",
            data={**login_form(mailing_client, "/login/forgot"), "email": address},
        )
        assert answer.status_code == 200
        assert "a link to choose a new password is on its way" in answer.text
    (message,) = inbox.messages
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = re.search(r"https://certs\.example\.org(/login/reset/[A-Za-z0-9_-]+)", body)
    assert found is not None
    link = found.group(1)
    form = mailing_client.get(link)  # opening it spends nothing
    assert form.status_code == 200 and "Choose a new password" in form.text
    assert form.headers["referrer-policy"] == "same-origin"
    new = "a new one, long enough"
    mismatch = mailing_client.post(
        link,
        data={**login_form(mailing_client, link), "new_password": new, "repeat_password": "x"},
    )
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    saved = mailing_client.post(
        link,
        data={**login_form(mailing_client, link), "new_password": new, "repeat_password": new},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/admin"
    assert mailing_client.get("/api/v1/me").json()["role"] == "admin"
    mailing_client.cookies.clear()
    sign_in(mailing_client, "admin@example.org", new)


def test_without_email_the_sign_in_pages_send_to_the_admin_instead_of_promising(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID, session: Session
) -> None:
    make_user(uow, org_id, email="admin@example.org")
    for path in ("/login", "/login/forgot"):
        html = https_client.get(path).text
        assert "This site does not send e-mail" in html
        assert "administrator for a sign-in link" in html
    asked = https_client.post(
        "/login/forgot",
        data={**login_form(https_client), "email": "admin@example.org"},
    )  # a form from before the mail server went
    assert asked.status_code == 200 and "on its way" not in asked.text
    assert not session.scalars(select(NotificationRow)).all()
