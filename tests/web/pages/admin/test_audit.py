"""The audit log page: names instead of ids, and filters that find an event."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.audit import audit_log
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.errors import Forbidden
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.pages.admin.conftest import Admin, get_ok


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr>")[1:]
    ]


@pytest.fixture
def revoked(client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing) -> str:
    """Vikram Nair's certificate, revoked through the pages by the admin's token."""
    org = admin.scenario.organisation.id
    issue_achievement(uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="cli"))
    (target,) = [
        c
        for c in list_certificates(uow, org, batch_id=admin.scenario.batch_id)
        if c.snapshot["values"]["recipient.name"] == "Vikram Nair"
    ]
    url = f"/admin/certificates/{url_id(target.id)}/revoke"
    assert client.post(url, data={"reason": "100% plagiarised"}, headers=admin.headers).is_success
    return target.number


def test_the_log_names_who_acted_and_what_they_changed(
    client: TestClient, admin: Admin, revoked: str
) -> None:
    html = get_ok(client, "/admin/audit", admin.headers)
    (row,) = [r for r in _rows(html) if "certificate.revoked" in r]
    assert "admin pages" in row  # the token's name, not "token:<uuid>"
    assert f"certificate: {revoked} · Vikram Nair" in row and "100% plagiarised" in row
    assert not re.search(r"(user|token):[0-9a-f-]{36}", " ".join(_rows(html)))
    assert any("the command line" in r and "job.succeeded" in r for r in _rows(html))


def test_filters_by_who_what_and_text(client: TestClient, admin: Admin, revoked: str) -> None:
    html = get_ok(client, "/admin/audit", admin.headers)
    token = re.search(r'<option value="(token:[0-9a-f-]{36})"', html)
    assert token is not None
    by_token = _rows(get_ok(client, f"/admin/audit?who={token.group(1)}", admin.headers))
    assert by_token and all("admin pages" in r for r in by_token)
    by_cli = _rows(get_ok(client, "/admin/audit?who=cli", admin.headers))
    assert by_cli and not any("certificate.revoked" in r for r in by_cli)
    templates = _rows(get_ok(client, "/admin/audit?kind=template", admin.headers))
    assert templates and all(r.split(" template")[0] and "certificate." not in r for r in templates)
    found = _rows(get_ok(client, "/admin/audit?q=100%25", admin.headers))
    assert len(found) == 1 and "certificate.revoked" in found[0]
    # % is a letter in a search, not a wildcard that matches every event.
    assert "No events match these filters." in get_ok(
        client, "/admin/audit?q=%25%25", admin.headers
    )
    pager = get_ok(client, "/admin/audit?kind=certificate", admin.headers)
    assert 'name="kind"' in pager and '<option value="certificate" selected>' in pager


def test_only_admins_read_the_log(uow: SqlAlchemyUnitOfWork, admin: Admin) -> None:
    org = admin.scenario.organisation.id
    manager = Principal(org, Role.COURSE_MANAGER, course_ids=frozenset({UUID(int=1)}))
    with pytest.raises(Forbidden):
        audit_log(uow, manager)
    assert audit_log(uow, Principal(org, Role.ADMIN)).events
