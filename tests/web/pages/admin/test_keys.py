"""Settings, signing keys: the DID, the key that signs now and the retired ones (no private
material anywhere on the page), and rotating only once confirmed (audit-logged with the
reason); admins only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.bootstrap import Container
from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token
from certmint.services.issuers.keys import issuer_identity
from certmint.storage.tables import AuditEventRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.pages.admin.conftest import Admin, get_ok

URL = "/admin/settings/keys"


def test_the_page_shows_the_did_and_public_keys_only(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, container: Container
) -> None:
    identity = issuer_identity(uow, admin.scenario.organisation.id, container.links)
    (key,) = identity.keys
    html = get_ok(client, URL, admin.headers)
    assert identity.did in html and identity.verification_method(key) in html
    assert "signs now" in html
    private = container.signing.key_store.get(f"{key.organisation_id}#{key.key_id}")
    assert private.public_key.multibase == key.public_key_multibase
    seed = private.secret_seed()
    for secret in (private.secret_multibase(), seed.hex(), seed.hex().upper()):
        assert secret not in html


def test_rotating_needs_the_confirmation_and_is_audited(
    client: TestClient,
    admin: Admin,
    uow: SqlAlchemyUnitOfWork,
    container: Container,
    session: Session,
) -> None:
    org = admin.scenario.organisation.id
    (old,) = issuer_identity(uow, org, container.links).keys
    refused = client.post(f"{URL}/rotate", data={"reason": "yearly"}, headers=admin.headers)
    assert refused.status_code == 422
    assert "Tick the box to confirm" in refused.text and 'value="yearly"' in refused.text
    assert len(issuer_identity(uow, org, container.links).keys) == 1

    rotated = client.post(
        f"{URL}/rotate",
        data={"reason": "yearly", "confirm": "yes"},
        headers=admin.headers,
        follow_redirects=False,
    )
    assert rotated.status_code == 303
    assert rotated.headers["location"].endswith(f"{URL}?done=rotated")
    new, retired = issuer_identity(uow, org, container.links).keys
    assert retired.key_id == old.key_id and not retired.is_active and new.is_active
    page = get_ok(client, f"{URL}?done=rotated", admin.headers)
    assert "Rotated: new certificates are signed with the new key" in page
    assert new.public_key_multibase in page and old.public_key_multibase in page
    event = session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "key.rotated")
    ).one()
    assert (event.reason, event.subject_id) == ("yearly", new.key_id)


def test_course_managers_cannot_see_or_rotate_keys(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, container: Container
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    _, secret = create_token(
        uow, Principal.at_shell(org), name="m", role=Role.COURSE_MANAGER, course_ids=[course.id]
    )
    manager = {"Authorization": f"Bearer {secret}"}
    assert client.get(URL, headers=manager).status_code == 403
    refused = client.post(f"{URL}/rotate", data={"confirm": "yes"}, headers=manager)
    assert refused.status_code == 403
    assert len(issuer_identity(uow, org, container.links).keys) == 1
