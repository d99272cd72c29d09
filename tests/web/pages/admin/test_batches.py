from __future__ import annotations

import re

from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import list_achievements
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.templates import (
    get_template_version,
    publish_template_version,
    revise_template,
)
from certmint.services.certificates.lifecycle import get_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row
from tests.web.pages.admin.conftest import Admin, get_ok


def _attach(client: TestClient, admin: Admin, **values: str) -> object:
    form = {
        "template_version_id": str(admin.scenario.template_version_id),
        "name": "Merit",
        "criteria": '{"all": [{"completed": true}, {"score": {"over": "best", ">=": 60}}]}',
        "action": "attach",
    }
    form.update(values)
    return client.post(
        f"/admin/batches/{admin.scenario.batch_id}/achievements",
        data=form,
        headers=admin.headers,
        follow_redirects=False,
    )


def test_batch_page_lists_achievements_with_their_sentence(
    client: TestClient, admin: Admin
) -> None:
    html = get_ok(client, f"/admin/batches/{admin.scenario.batch_id}", admin.headers)
    assert "Data Science: Spring" in html
    assert "3 learners" in html
    assert "Completion" in html and "Completed the course." in html
    assert f"/admin/achievements/{admin.scenario.achievement_id}/dry-run" in html


def test_issue_now_says_who_is_waiting_and_steps_back_when_nobody_is(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    page = f"/admin/batches/{admin.scenario.batch_id}"
    before = get_ok(client, page, admin.headers)
    assert "2 learners qualify and are waiting for it." in before  # one is still in progress
    assert '<button type="submit">Issue now' in before
    issue_achievement(
        uow,
        signing,
        IssueRequest(admin.scenario.organisation.id, admin.scenario.achievement_id, actor="t"),
    )
    after = get_ok(client, page, admin.headers)
    assert "Nobody is waiting for it" in after and "waiting for it." not in after
    assert '<button type="submit" class="secondary">Issue now' in after


def test_check_shows_the_sentence_and_saves_nothing(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    response = _attach(client, admin, action="check")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "Reads as:" in response.text  # type: ignore[attr-defined]
    assert "Completed the course and scored at least 60% in an assessment." in response.text  # type: ignore[attr-defined]
    org = admin.scenario.organisation.id
    assert [a.name for a in list_achievements(uow, org, admin.scenario.batch_id)] == ["Completion"]


def test_criteria_errors_are_shown_at_their_path_and_the_form_is_kept(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    bad = '{"all": [{"completed": true}, {"score": {"over": "best", ">=": 160}}]}'
    response = _attach(client, admin, criteria=bad)
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "<code>$.all[1].score.&gt;=</code>: 160 is outside 0 to 100" in text
    assert 'aria-invalid="true"' in text
    assert "160" in text  # the typed criteria are kept in the editor
    not_json = _attach(client, admin, criteria='{"completed": tru}')
    assert "not valid JSON" in not_json.text  # type: ignore[attr-defined]
    assert "line 1, column" in not_json.text  # type: ignore[attr-defined]
    org = admin.scenario.organisation.id
    assert len(list_achievements(uow, org, admin.scenario.batch_id)) == 1


def test_attach_then_dry_run_gives_each_learner_a_reason(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    response = _attach(client, admin, criteria='{"completed": true}')
    assert response.status_code == 303  # type: ignore[attr-defined]
    org = admin.scenario.organisation.id
    merit = [a for a in list_achievements(uow, org, admin.scenario.batch_id) if a.name == "Merit"]
    assert len(merit) == 1
    html = get_ok(client, f"/admin/achievements/{merit[0].id}/dry-run", admin.headers)
    assert "<strong>2</strong> learners would be awarded" in html
    assert html.count("would be awarded</span>") == 2
    assert "Meena Das" in html and "not completed" in html.lower()


def test_a_duplicate_name_is_a_conflict(client: TestClient, admin: Admin) -> None:
    response = _attach(client, admin, name="Completion", criteria='{"completed": true}')
    assert response.status_code == 409  # type: ignore[attr-defined]


def test_another_tenants_batch_and_achievement_are_not_found(
    client: TestClient, admin: Admin, other_tenant: dict[str, str]
) -> None:
    assert (
        client.get(f"/admin/batches/{admin.scenario.batch_id}", headers=other_tenant).status_code
        == 404
    )
    url = f"/admin/achievements/{admin.scenario.achievement_id}/dry-run"
    assert client.get(url, headers=other_tenant).status_code == 404
    response = client.post(
        f"/admin/batches/{admin.scenario.batch_id}/achievements",
        data={
            "template_version_id": str(admin.scenario.template_version_id),
            "name": "X",
            "criteria": "{}",
        },
        headers=other_tenant,
    )
    assert response.status_code == 404
    assert client.get("/admin/batches/not-an-id", headers=other_tenant).status_code == 404


def test_a_browser_gets_a_readable_error_page(client: TestClient, admin: Admin) -> None:
    html = {"Accept": "text/html,application/xhtml+xml", **admin.headers}
    missing = client.get("/admin/batches/0190f5a0-0000-7000-8000-000000000000", headers=html)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "There is nothing here" in missing.text and "0190f5a0" not in missing.text
    api = client.get("/admin/batches/0190f5a0-0000-7000-8000-000000000000", headers=admin.headers)
    assert api.headers["content-type"] == "application/problem+json"


def test_an_achievement_moves_to_a_newer_published_version(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    """Issued certificates keep the version they were made with; new ones use the newer one;
    the template's page says which achievement uses which version."""
    org = admin.scenario.organisation.id
    issued = issue_achievement(
        uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="t")
    )
    v1 = admin.scenario.template_version_id
    template_id = get_template_version(uow, org, v1).template_id
    design = Design(
        layout="classic-1-1",
        title="Certificate of Merit",
        signatories=(Signatory("Dr. Meera Iyer", "Director"),),
    )
    draft = revise_template(uow, Principal.at_shell(org), template_id, design=design).version
    page = f"/admin/batches/{admin.scenario.batch_id}"
    assert "Use v2" not in get_ok(client, page, admin.headers)  # a draft is not offered
    publish_template_version(uow, Principal.at_shell(org), draft.id)
    offered = get_ok(client, page, admin.headers)
    assert "Use v2" in offered
    moved = client.post(
        f"/admin/achievements/{admin.scenario.achievement_id}/template",
        data={"template_version_id": str(draft.id)},
        headers=admin.headers,
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("?done=moved")
    after = get_ok(client, page + "?done=moved", admin.headers)
    assert "those already issued keep theirs" in after and "Use v2" not in after
    assert all(
        get_certificate(uow, org, c).template_version_id == v1 for c in issued.certificate_ids
    )
    import_enrolments(uow, org, enrolment_csv([enrolment_row("L9", name="New Learner")]))
    (new,) = issue_achievement(
        uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="t")
    ).certificate_ids
    assert get_certificate(uow, org, new).template_version_id == draft.id
    back = client.post(
        f"/admin/achievements/{admin.scenario.achievement_id}/template",
        data={"template_version_id": str(v1)},
        headers=admin.headers,
    )
    assert back.status_code == 409  # never to an older version
    versions = get_ok(client, f"/admin/templates/{template_id}", admin.headers)
    rows = re.findall(r"<tr>\s*<td>v(\d)</td>(.*?)</tr>", versions, re.S)
    used = {number: "Completion · Data Science, Spring" in row for number, row in rows}
    assert used == {"2": True, "1": False}


def test_an_achievement_changes_until_it_awards_and_then_is_frozen(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    org = admin.scenario.organisation.id
    merit = _attach(client, admin)
    assert merit.status_code == 303  # type: ignore[attr-defined]
    (achievement,) = [
        a for a in list_achievements(uow, org, admin.scenario.batch_id) if a.name == "Merit"
    ]
    edit = f"/admin/achievements/{achievement.id}/edit"
    page = f"/admin/batches/{admin.scenario.batch_id}"
    # The batch page links to the achievement's edit page, whose form changes it.
    assert f'href="http://testserver{edit}"' in get_ok(client, page, admin.headers)
    assert f'action="http://testserver{edit}"' in get_ok(client, edit, admin.headers)
    bad = client.post(
        edit, data={"name": "Merit", "criteria": '{"score": {}}'}, headers=admin.headers
    )
    assert bad.status_code == 422
    saved = client.post(
        edit,
        data={"name": "Distinction", "criteria": '{"completed": true}', "valid_for_days": "365"},
        headers=admin.headers,
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=edited")
    (edited,) = [
        a for a in list_achievements(uow, org, admin.scenario.batch_id) if a.id == achievement.id
    ]
    assert (edited.name, edited.criteria, edited.valid_for_days) == (
        "Distinction",
        {"completed": True},
        365,
    )
    issue_achievement(uow, signing, IssueRequest(org, achievement.id, actor="t"))
    frozen = client.post(edit, data={"name": "Other", "criteria": "{}"}, headers=admin.headers)
    assert frozen.status_code == 409 and "awarded certificates already" in frozen.text
    detach = f"/admin/achievements/{achievement.id}/detach"
    assert client.post(detach, headers=admin.headers).status_code == 409
    assert f'href="http://testserver{edit}"' not in get_ok(client, page, admin.headers)
    assert "it can no longer change" in get_ok(client, edit, admin.headers)
    # One that awarded nothing is taken off the batch; the audit log keeps it.
    spare = _attach(client, admin, name="Spare")
    assert spare.status_code == 303  # type: ignore[attr-defined]
    (unused,) = [
        a for a in list_achievements(uow, org, admin.scenario.batch_id) if a.name == "Spare"
    ]
    gone = client.post(
        f"/admin/achievements/{unused.id}/detach", headers=admin.headers, follow_redirects=False
    )
    assert gone.status_code == 303
    assert "Spare" not in {a.name for a in list_achievements(uow, org, admin.scenario.batch_id)}
    assert "achievement.detached" in get_ok(client, "/admin/audit", admin.headers)
