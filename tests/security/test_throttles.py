"""Finding 12a and 12c: the sign-in throttle's 429 said nothing of when to come back (docs/api.md
promises ``Retry-After``), and key rotation had no limit at all: every rotation adds a key to
the organisation's DID document for good."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certmint.services.identity.accounts import LOCKOUT_AFTER
from certmint.storage.tables import SigningKeyRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.deps import CSRF_FIELD
from tests.factories import PASSWORD, make_organisation, make_user
from tests.web.api.v1.conftest import World
from tests.web.conftest import csrf_token_of, login_form, sign_in

ALLOWED_ROTATIONS = 3


def _retry_after(response: object) -> int:
    value = response.headers.get("retry-after")  # type: ignore[attr-defined]
    assert value is not None and value.isdigit(), value
    return int(value)


def test_a_throttled_sign_in_says_when_to_try_again(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork
) -> None:
    organisation = make_organisation(uow, default=True)
    make_user(uow, organisation.id, email="admin@example.org")
    wrong = {"email": "admin@example.org", "password": "guess guess"}
    for _ in range(LOCKOUT_AFTER):
        assert (
            https_client.post("/login", data={**wrong, **login_form(https_client)}).status_code
            == 401
        )
    locked = https_client.post(
        "/login", data={**wrong, "password": PASSWORD, **login_form(https_client)}
    )
    assert locked.status_code == 429
    assert 0 < _retry_after(locked) <= 3600
    assert "Too many failed attempts" in locked.text


def _keys(session: Session, world: World) -> int:
    query = select(func.count()).where(SigningKeyRow.organisation_id == world.organisation.id)
    return session.scalar(query) or 0


def test_the_api_rotates_a_few_times_then_waits(
    api: TestClient, world: World, session: Session
) -> None:
    admin = world.headers("admin")
    for _ in range(ALLOWED_ROTATIONS):
        assert api.post("/api/v1/keys/rotate", json={}, headers=admin).status_code == 201
    before = _keys(session, world)
    refused = api.post("/api/v1/keys/rotate", json={}, headers=admin)
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "too many key rotations" in refused.json()["detail"]
    assert 0 < _retry_after(refused) <= 3600
    assert _keys(session, world) == before  # no key made, none retired
    # Another organisation's admin is not held up by this one's rotations.
    other = api.post("/api/v1/keys/rotate", json={}, headers=world.headers("other_admin"))
    assert other.status_code == 201


def test_the_settings_page_rotates_a_few_times_then_waits(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    organisation = make_organisation(uow, default=True)
    make_user(uow, organisation.id, email="admin@example.org")
    csrf = sign_in(https_client, "admin@example.org", PASSWORD)
    form = {"confirm": "yes", CSRF_FIELD: csrf}
    for _ in range(ALLOWED_ROTATIONS):
        done = https_client.post("/admin/settings/keys/rotate", data=form)
        assert done.status_code == 303, done.text
    count = select(func.count()).where(SigningKeyRow.organisation_id == organisation.id)
    before = session.scalar(count)
    refused = https_client.post("/admin/settings/keys/rotate", data=form)
    assert refused.status_code == 429
    assert 0 < _retry_after(refused) <= 3600
    assert "try again in" in refused.text
    assert session.scalar(count) == before
    assert csrf == csrf_token_of(https_client)  # still signed in, same session
