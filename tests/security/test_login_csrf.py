"""Finding 8, login CSRF: another site's form posted the attacker's e-mail address and password
(or the attacker's own sign-in link) to ``/login`` and signed the visitor's browser into the
attacker's account. Each sign-in form now needs its pre-session token and a same-origin post."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from certmint.services.identity.tokens import secret_hash
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.deps import SESSION_COOKIE
from tests.factories import PASSWORD, make_organisation, make_user
from tests.web.conftest import login_form

ATTACKER = "attacker@example.org"
# What a browser adds to a form another site's page submits to ours.
CROSS_SITE = {"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def attacker_link(uow: SqlAlchemyUnitOfWork) -> str:
    """The attacker's own account, with a password and an unused sign-in link of theirs."""
    organisation = make_organisation(uow, default=True)
    user = make_user(uow, organisation.id, email=ATTACKER)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with uow:
        uow.users.add_link(
            user.id, secret_hash(token), now, now + timedelta(minutes=15), mailed=True
        )
        uow.commit()
    return f"/login/link/{token}"


def _signed_in(client: TestClient) -> bool:
    return client.get("/api/v1/me").status_code == 200


@pytest.mark.usefixtures("attacker_link")
def test_a_cross_site_password_sign_in_is_refused(https_client: TestClient) -> None:
    credentials = {"email": ATTACKER, "password": PASSWORD}
    refused = https_client.post("/login", data=credentials, headers=CROSS_SITE)
    assert refused.status_code == 403
    assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    assert "sent from another site" in refused.text
    assert not _signed_in(https_client)
    # A browser that sends neither header (an old one) is still stopped by the missing token,
    # and so is a token the attacker took from the page for themselves: it is not the cookie's.
    assert https_client.post("/login", data=credentials).status_code == 403
    stolen = {**credentials, "csrf_token": secrets.token_urlsafe(32)}
    assert https_client.post("/login", data=stolen).status_code == 403
    assert not _signed_in(https_client)
    # The visitor's own form, even posted with its token, from another site's page: refused.
    form = {**credentials, **login_form(https_client)}
    assert https_client.post("/login", data=form, headers=CROSS_SITE).status_code == 403
    same_site_sibling = {"Sec-Fetch-Site": "same-site"}
    assert https_client.post("/login", data=form, headers=same_site_sibling).status_code == 403
    assert not _signed_in(https_client)
    # The form itself, from this site, signs in.
    own = https_client.post(
        "/login",
        data=form,
        headers={"Origin": "https://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 303 and _signed_in(https_client)


def test_a_cross_site_post_of_the_attackers_sign_in_link_is_refused(
    https_client: TestClient, attacker_link: str
) -> None:
    refused = https_client.post(attacker_link, headers=CROSS_SITE)
    assert refused.status_code == 403
    assert not _signed_in(https_client)
    assert https_client.post(attacker_link).status_code == 403  # no token either
    # Refusing did not spend the link: the learner's own press of the button still works.
    used = https_client.post(attacker_link, data=login_form(https_client, attacker_link))
    assert used.status_code == 303 and _signed_in(https_client)


def test_a_cross_site_request_for_a_sign_in_link_is_refused(https_client: TestClient) -> None:
    refused = https_client.post("/login/link", data={"email": ATTACKER}, headers=CROSS_SITE)
    assert refused.status_code == 403


def test_the_pre_session_cookie_is_strict_httponly_and_only_for_sign_in(
    https_client: TestClient,
) -> None:
    cookie = https_client.get("/login").headers["set-cookie"]
    assert cookie.startswith("certmint_login_csrf=")
    for attribute in ("HttpOnly", "Secure", "SameSite=strict", "Path=/login"):
        assert attribute in cookie


def test_a_cross_site_new_password_post_with_the_attackers_link_is_refused(
    https_client: TestClient, attacker_link: str
) -> None:
    """The new-password form signs in too: another site posting the attacker's own link with a
    password of theirs would sign the visitor in as the attacker."""
    reset = attacker_link.replace("/login/link/", "/login/reset/")
    password = {"new_password": "attacker's new one", "repeat_password": "attacker's new one"}
    refused = https_client.post(reset, data=password, headers=CROSS_SITE)
    assert refused.status_code == 403
    assert https_client.post(reset, data=password).status_code == 403  # no token either
    assert not _signed_in(https_client)
    asked = https_client.post("/login/forgot", data={"email": ATTACKER}, headers=CROSS_SITE)
    assert asked.status_code == 403
    # Refusing spent nothing: the form itself, from this site, saves and signs in.
    own = https_client.post(reset, data={**password, **login_form(https_client, reset)})
    assert own.status_code == 303 and _signed_in(https_client)
