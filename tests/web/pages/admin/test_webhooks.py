"""Settings, webhooks: the endpoints with their events, add one (the secret shown once, never
again), remove one (audit-logged); bad input is shown with what was typed; admins only, and
another organisation's webhook is a 404."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token
from certmint.services.notifications.webhooks import add_webhook, list_webhooks
from certmint.storage.tables import AuditEventRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.pages.admin.conftest import Admin, get_ok

URL = "/admin/settings/webhooks"


def test_adding_shows_the_secret_once_and_the_list_shows_the_endpoint(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    assert "No webhooks yet." in get_ok(client, URL, admin.headers)
    added = client.post(
        URL,
        data={"url": " https://lms.example/hooks ", "events": ["certificate.issued"]},
        headers=admin.headers,
    )
    assert added.status_code == 200, added.text[:2000]
    (webhook,) = list_webhooks(uow, Principal.at_shell(admin.scenario.organisation.id))
    assert (webhook.url, webhook.events) == ("https://lms.example/hooks", ("certificate.issued",))
    subject = session.execute(
        select(AuditEventRow.subject_id).where(AuditEventRow.action == "webhook.added")
    ).scalar_one()
    assert subject == str(webhook.id)
    shown = added.text.split('<p class="secret"><code>')[1].split("</code>")[0]
    assert shown.startswith("whsec_") and len(shown) > 30
    again = get_ok(client, URL, admin.headers)
    assert "https://lms.example/hooks" in again and "certificate.issued" in again
    assert shown not in again  # never shown again


def test_bad_input_keeps_what_was_typed(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    refused = client.post(URL, data={"url": "ftp://lms.example/x"}, headers=admin.headers)
    assert refused.status_code == 422
    assert "url: only http:// and https:// URLs are used" in refused.text
    assert "events: choose from" in refused.text
    assert 'value="ftp://lms.example/x"' in refused.text
    assert 'value="certificate.issued" checked' not in refused.text  # none was chosen
    metadata = "http://169.254.169.254/latest/meta-data/"
    data = {"url": metadata, "events": ["certificate.issued"]}
    private = client.post(URL, data=data, headers=admin.headers)
    assert private.status_code == 422
    assert "url: its host is a link-local address" in private.text
    assert f'value="{metadata}"' in private.text
    assert list_webhooks(uow, Principal.at_shell(admin.scenario.organisation.id)) == []


def test_removing_is_audited_and_another_organisations_webhook_is_a_404(
    client: TestClient,
    admin: Admin,
    uow: SqlAlchemyUnitOfWork,
    session: Session,
    other_tenant: dict[str, str],
) -> None:
    org = admin.scenario.organisation.id
    webhook, _ = add_webhook(uow, Principal.at_shell(org), url="https://lms.example/hooks")
    remove = f"{URL}/{url_id(webhook.id)}/remove"
    assert client.post(remove, headers=other_tenant).status_code == 404
    removed = client.post(remove, headers=admin.headers, follow_redirects=False)
    assert removed.status_code == 303
    assert removed.headers["location"].endswith(f"{URL}?done=removed")
    (after,) = list_webhooks(uow, Principal.at_shell(org))
    assert not after.active
    page = get_ok(client, f"{URL}?done=removed", admin.headers)
    assert "Removed: nothing more is sent" in page and ">removed<" in page
    assert f"{url_id(webhook.id)}/remove" not in page  # no button for a removed one
    assert "webhook.removed" in set(session.scalars(select(AuditEventRow.action)))
    assert client.post(remove, headers=admin.headers).status_code == 404  # already removed


def test_course_managers_cannot_see_or_change_webhooks(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    _, secret = create_token(
        uow, Principal.at_shell(org), name="m", role=Role.COURSE_MANAGER, course_ids=[course.id]
    )
    manager = {"Authorization": f"Bearer {secret}"}
    assert client.get(URL, headers=manager).status_code == 403
    assert client.post(URL, data={"url": "https://x.example/"}, headers=manager).status_code == 403
    assert list_webhooks(uow, Principal.at_shell(org)) == []
