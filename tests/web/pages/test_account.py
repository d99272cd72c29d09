"""The account page: set or change your own password (CSRF, current password, policy), and
the other sessions end while this one stays."""

from __future__ import annotations

from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_learner
from certmint.services.identity.accounts import create_user
from certmint.services.identity.sessions import start_session
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.deps import SESSION_COOKIE
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.conftest import csrf_token_of, sign_in

NEW = "a fresh long secret"


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Account Academy", default=True)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    return org.id


def _change(client: TestClient, csrf: str, **form: str) -> object:
    return client.post("/account/password", data={"csrf_token": csrf, **form})


def test_a_learner_signed_in_by_link_sets_a_password(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    learner = resolve_learner(uow, org_id, "L1")
    user = create_user(
        uow,
        Principal.at_shell(org_id),
        email="l1@example.org",
        display_name="L One",
        role=Role.LEARNER,
        learner_id=learner.id,
    )
    _, token = start_session(uow, user)  # as a sign-in link does
    https_client.cookies.set(SESSION_COOKIE, token)
    assert "/account" in https_client.get("/me").text  # linked from My certificates
    page = https_client.get("/account")
    assert page.status_code == 200 and "Set a password" in page.text
    assert 'name="current_password"' not in page.text
    assert https_client.post("/account/password", data={"new_password": NEW}).status_code == 403
    csrf = csrf_token_of(https_client)
    mismatch = _change(https_client, csrf, new_password=NEW, repeat_password=NEW + "x")
    assert mismatch.status_code == 422  # type: ignore[attr-defined]
    assert "The two new passwords are not the same." in mismatch.text  # type: ignore[attr-defined]
    weak = _change(https_client, csrf, new_password="aaaaaaaaaaaa", repeat_password="aaaaaaaaaaaa")
    assert weak.status_code == 422  # type: ignore[attr-defined]
    assert "does not meet the rules" in weak.text  # type: ignore[attr-defined]
    saved = _change(https_client, csrf, new_password=NEW, repeat_password=NEW)
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert "Your password is saved." in https_client.get(saved.headers["location"]).text  # type: ignore[attr-defined]
    https_client.cookies.clear()
    sign_in(https_client, "l1@example.org", NEW)


def test_staff_change_theirs_with_the_current_one_and_other_sessions_end(
    https_client: TestClient, container: object, uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="admin@example.org")
    _, elsewhere = start_session(uow, user)
    csrf = sign_in(https_client, "admin@example.org", PASSWORD)
    page = https_client.get("/account").text
    assert "Change your password" in page and 'name="current_password"' in page
    assert "/account" in https_client.get("/admin").text  # in the admin navigation
    wrong = _change(
        https_client, csrf, current_password="not it at all", new_password=NEW, repeat_password=NEW
    )
    assert wrong.status_code == 400  # type: ignore[attr-defined]
    assert "The current password is not right." in wrong.text  # type: ignore[attr-defined]
    saved = _change(
        https_client, csrf, current_password=PASSWORD, new_password=NEW, repeat_password=NEW
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert https_client.get("/account").status_code == 200  # this browser stays signed in
    https_client.cookies.clear()
    https_client.cookies.set(SESSION_COOKIE, elsewhere)
    assert https_client.get("/account").status_code == 303  # the other one was signed out
