"""Settings, e-mail templates: the wording sent now, a preview with sample values, save and
reset (audit-logged), a rejected template shown again as typed; admins only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.domain.email_templates import DEFAULTS
from certmint.domain.notifications import NotificationKind
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token
from certmint.services.notifications.email_templates import email_template
from certmint.storage.tables import AuditEventRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.pages.admin.conftest import Admin, get_ok

URL = "/admin/settings/emails/issued"


def _post(client: TestClient, admin: Admin, url: str, **form: str) -> object:
    return client.post(url, data=form, headers=admin.headers, follow_redirects=False)


def test_the_list_shows_every_kind_with_the_default_wording(
    client: TestClient, admin: Admin
) -> None:
    html = get_ok(client, "/admin/settings", admin.headers)
    assert "Certificate awarded" in html and "Certificate re-issued" in html
    assert "Your certificate: {{ achievement }}, {{ course }}" in html
    assert html.count(">default<") == len(NotificationKind)
    assert '/admin/settings" aria-current="page">Settings</a>' in html  # in the navigation


def test_the_editor_shows_the_default_and_its_preview(client: TestClient, admin: Admin) -> None:
    html = get_ok(client, URL, admin.headers)
    assert "Dear {{ learner_name }}," in html  # the source, to edit
    assert "Dear Aïda Núñez-Ngũgĩ," in html  # the preview, with sample values
    assert "The default wording is sent" in html
    assert "Reset to the default wording" not in html  # nothing to reset
    assert client.get("/admin/settings/emails/nonsense", headers=admin.headers).status_code == 404


def test_preview_shows_the_typed_text_and_saves_nothing(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    response = _post(
        client,
        admin,
        URL,
        action="preview",
        subject="Well done, {{ learner_name | upper }}",
        text="Hello {{ learner_name }} from {{ organisation }}",
        html="<p>Hi <b>{{ learner_name }}</b></p>",
    )
    html = response.text  # type: ignore[attr-defined]
    assert response.status_code == 200, html[:2000]  # type: ignore[attr-defined]
    assert "Well done, AÏDA NÚÑEZ-NGŨGĨ" in html
    assert "Hello Aïda Núñez-Ngũgĩ from Example Institute" in html
    # The HTML as sent: the organisation's branded frame around the typed HTML.
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in html
    assert "&lt;p&gt;Hi &lt;b&gt;Aïda Núñez-Ngũgĩ&lt;/b&gt;&lt;/p&gt;" in html
    org = admin.scenario.organisation.id
    assert email_template(uow, org, NotificationKind.ISSUED) == (
        DEFAULTS[NotificationKind.ISSUED],
        False,
    )


def test_save_then_reset_are_audited(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    org = admin.scenario.organisation.id
    saved = _post(
        client, admin, URL, action="save", subject="Hi {{ learner_name }}", text="Body", html=""
    )
    assert saved.status_code == 303  # type: ignore[attr-defined]
    assert saved.headers["location"].endswith(f"{URL}?done=saved")  # type: ignore[attr-defined]
    own, is_own = email_template(uow, org, NotificationKind.ISSUED)
    assert is_own and (own.subject, own.text, own.html) == ("Hi {{ learner_name }}", "Body", None)
    page = get_ok(client, f"{URL}?done=saved", admin.headers)
    assert "Saved: learners receive this wording" in page and "Your organisation" in page
    assert ">your own<" in get_ok(client, "/admin/settings", admin.headers)

    reset = _post(client, admin, f"{URL}/reset")
    assert reset.status_code == 303  # type: ignore[attr-defined]
    assert reset.headers["location"].endswith(f"{URL}?done=reset")  # type: ignore[attr-defined]
    assert email_template(uow, org, NotificationKind.ISSUED)[1] is False
    actions = list(
        session.scalars(
            select(AuditEventRow.action)
            .where(AuditEventRow.subject_type == "email_template")
            .order_by(AuditEventRow.at)
        )
    )
    assert actions == ["email_template.set", "email_template.reset"]


def test_a_rejected_template_keeps_what_was_typed(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    typed = "Dear {{ learner_name }},\n\nYour grade: {{ grade }}"
    for action in ("save", "preview"):
        response = _post(client, admin, URL, action=action, subject="Hi <you>", text=typed)
        html = response.text  # type: ignore[attr-defined]
        assert response.status_code == 422, html[:2000]  # type: ignore[attr-defined]
        assert "text: line 3: unknown placeholder &#39;grade&#39;" in html
        assert "Your grade: {{ grade }}</textarea>" in html  # the text as typed
        assert 'value="Hi &lt;you&gt;"' in html
    assert email_template(uow, admin.scenario.organisation.id, NotificationKind.ISSUED)[1] is False


def test_course_managers_and_other_organisations_cannot_see_or_change_it(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, other_tenant: dict[str, str]
) -> None:
    org = admin.scenario.organisation.id
    course = resolve_course(uow, org, "C1")
    _, secret = create_token(
        uow, Principal.at_shell(org), name="m", role=Role.COURSE_MANAGER, course_ids=[course.id]
    )
    manager = {"Authorization": f"Bearer {secret}"}
    assert client.get("/admin/settings", headers=manager).status_code == 403
    assert client.get(URL, headers=manager).status_code == 403
    refused = client.post(URL, data={"subject": "x", "text": "y"}, headers=manager)
    assert refused.status_code == 403
    assert "/admin/settings" not in get_ok(client, "/admin", manager)  # no link either
    # Another organisation's admin changes only their own.
    saved = client.post(
        URL, data={"subject": "Theirs", "text": "y"}, headers=other_tenant, follow_redirects=False
    )
    assert saved.status_code == 303
    assert email_template(uow, org, NotificationKind.ISSUED)[1] is False
