"""The criteria builder without JavaScript: conditions chosen from what the batch's enrolments
hold, "add condition" and "remove" as submit buttons, the count and sample of who would
qualify, the JSON view, and conditions nobody's data can meet said before attaching."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

from certmint.services.catalogue.achievements import list_achievements
from certmint.services.catalogue.imports import import_enrolments
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row
from tests.web.pages.admin.conftest import Admin, get_ok

SCORED = [
    enrolment_row("L1", name="Asha Rao", **{"score:final": "85", "attr:country": "IN"}),
    enrolment_row("L2", name="Vikram Nair", **{"score:final": "54", "attr:country": "NP"}),
    enrolment_row("L3", name="Meena Das", status="in_progress", completed_on=""),
]


@pytest.fixture
def scored(admin: Admin, uow: SqlAlchemyUnitOfWork) -> Admin:
    """The admin's batch, with final scores and countries."""
    extra = ["score:final", "attr:country"]
    import_enrolments(uow, admin.scenario.organisation.id, enrolment_csv(SCORED, extra=extra))
    return admin


def _page(admin: Admin) -> str:
    return f"/admin/batches/{admin.scenario.batch_id}"


def _form(page: str) -> dict[str, list[str]]:
    """The attach form's fields as the page filled them (what a browser would send back)."""
    form = page[page.index('action="http://testserver/admin/batches/') :]
    form = form[: form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<(?:input|textarea|select)[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or ('type="checkbox"' in tag and "checked" not in tag):
            continue
        if tag.startswith("<input"):
            value = re.search(r'value="([^"]*)"', tag)
            fields.setdefault(name[1], []).append(html.unescape(value[1]) if value else "")
        elif tag.startswith("<textarea"):
            body = form[form.index(tag) + len(tag) :]
            fields.setdefault(name[1], []).append(html.unescape(body[: body.index("</textarea>")]))
        else:
            body = form[form.index(tag) :]
            body = body[: body.index("</select>")]
            chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
            fields[name[1]] = [html.unescape(v) for v in chosen]
    fields.pop("action", None)
    return fields


def _post(client: TestClient, admin: Admin, fields: dict[str, list[str]], **changes: str):  # type: ignore[no-untyped-def]
    data = {**fields, **{k: [v] for k, v in changes.items()}}
    return client.post(
        f"/admin/batches/{admin.scenario.batch_id}/achievements",
        data=data,
        headers=admin.headers,
        follow_redirects=False,
    )


def test_the_builder_offers_what_the_enrolments_hold(client: TestClient, scored: Admin) -> None:
    page = get_ok(client, _page(scored), scored.headers)
    # It starts from completion, counted with a sample each way.
    assert "(2 of 3 learners have)" in page
    assert "2 of 3 learners would qualify" in page
    assert "Meena Das" in page and "not completed (in_progress)" in page
    fields = _form(page)
    fields = _form(_post(client, scored, fields, add="score").text)
    page = _post(client, scored, fields, add="attribute").text
    assert "final (2 learners, 54 to 85%)" in page
    assert "country: IN (1 learner)" in page and "country: NP (1 learner)" in page


def test_conditions_are_added_filled_and_removed_then_attached(
    client: TestClient, scored: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    fields = _form(get_ok(client, _page(scored), scored.headers))
    fields["template_version_id"] = [str(scored.scenario.template_version_id)]
    fields["name"] = ["Merit"]
    added = _post(client, scored, fields, add="score")
    assert added.status_code == 200 and "Condition 2: Score" in added.text
    fields = _form(added.text)
    assert fields["row1_target"] == ["over:best"] and fields["row1_value"] == ["60"]
    # The admin picks the final exam, 60 or more: one learner qualifies, one does not.
    fields["row1_target"] = ["assessment:final"]
    checked = _post(client, scored, fields, action="check")
    assert "1 of 3 learners would qualify" in checked.text
    assert "score 54 &lt; 60 in final" in checked.text
    assert "“scored at least 60% in final”: 1 learner" in checked.text
    fields = _form(checked.text)
    assert json.loads(fields["criteria"][0]) == {
        "all": [{"completed": True}, {"score": {"assessment": "final", ">=": 60}}]
    }
    # A third condition, then removed again; an empty score says which row is wrong.
    third = _form(_post(client, scored, fields, add="attribute").text)
    assert third["rows"] == ["3"]
    wrong = _post(client, scored, {**third, "row1_value": ["sixty"]}, action="check")
    assert wrong.status_code == 422
    assert "give the score as a number from 0 to 100" in wrong.text
    assert "choose at least one value" in wrong.text
    fewer = _form(_post(client, scored, third, remove="2").text)
    assert fewer["rows"] == ["2"]
    attached = _post(client, scored, fewer, action="attach")
    assert attached.status_code == 303
    org = scored.scenario.organisation.id
    (merit,) = [
        a for a in list_achievements(uow, org, scored.scenario.batch_id) if a.name == "Merit"
    ]
    assert merit.criteria == {
        "all": [{"completed": True}, {"score": {"assessment": "final", ">=": 60}}]
    }


def test_any_none_not_and_attribute_values(client: TestClient, scored: Admin) -> None:
    fields = _form(get_ok(client, _page(scored), scored.headers))
    fields = _form(_post(client, scored, fields, add="attribute").text)
    fields["row1_choice"] = [json.dumps(["country", "IN"]), json.dumps(["country", "NP"])]
    fields["row0_not"] = ["1"]
    fields["match"] = ["any"]
    checked = _post(client, scored, fields, action="check")
    assert json.loads(_form(checked.text)["criteria"][0]) == {
        "any": [
            {"not": {"completed": True}},
            {"attribute": {"key": "country", "in": ["IN", "NP"]}},
        ]
    }
    assert "3 of 3 learners would qualify" in checked.text
    none = _post(client, scored, {**fields, "match": ["none"]}, action="check")
    assert "0 of 3 learners would qualify" in none.text


def test_the_json_view_wins_when_it_was_edited(client: TestClient, scored: Admin) -> None:
    fields = _form(get_ok(client, _page(scored), scored.headers))
    typed = '{"all": [{"completed": true}, {"any": [{"completed": true}]}]}'
    deep = _post(client, scored, {**fields, "criteria": [typed]}, action="check")
    assert deep.status_code == 200
    assert "which the builder does not show: edit them as JSON below" in deep.text
    assert 'name="builder" value="0"' in deep.text
    broken = _post(client, scored, {**fields, "criteria": ['{"completed": tru}']}, action="check")
    assert broken.status_code == 422 and "not valid JSON" in broken.text
    assert "The JSON below is not valid, so the builder cannot show it" in broken.text
    again = _post(client, scored, _form(broken.text), restart="1")
    assert again.status_code == 200 and 'name="row0_kind" value="completed"' in again.text
    assert 'name="builder" value="1"' in again.text
    # JSON that rows can show comes back as rows.
    flat = _post(
        client,
        scored,
        {**fields, "criteria": ['{"score": {"over": "average", "<": 50}}']},
        action="check",
    )
    shown = _form(flat.text)
    assert shown["row0_target"] == ["over:average"] and shown["row0_comparison"] == ["<"]


def test_a_condition_nobody_can_meet_is_said_before_attaching(
    client: TestClient, scored: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    fields = _form(get_ok(client, _page(scored), scored.headers))
    fields["template_version_id"] = [str(scored.scenario.template_version_id)]
    fields["name"] = ["Typo"]
    fields["criteria"] = ['{"score": {"assessment": "finl", ">=": 60}}']
    first = _post(client, scored, fields, action="attach")
    assert first.status_code == 200
    assert "no learner has a score in finl; the imports hold final" in first.text
    assert "finl (no learner has a score)" in first.text  # the builder shows it, chosen
    assert 'value="attach_anyway"' in first.text
    org = scored.scenario.organisation.id
    assert "Typo" not in {a.name for a in list_achievements(uow, org, scored.scenario.batch_id)}
    anyway = _post(client, scored, _form(first.text), action="attach_anyway")
    assert anyway.status_code == 303
    assert "Typo" in {a.name for a in list_achievements(uow, org, scored.scenario.batch_id)}


def test_the_preview_answers_the_count_for_the_script(client: TestClient, scored: Admin) -> None:
    fields = _form(get_ok(client, _page(scored), scored.headers))
    response = client.post(
        f"/admin/batches/{scored.scenario.batch_id}/criteria/preview",
        data={**fields, "row0_not": ["1"]},
        headers=scored.headers,
    )
    assert response.status_code == 200
    assert "<html" not in response.text and "1 of 3 learners would qualify" in response.text
    shown = re.search(r'data-json="([^"]*)"', response.text)
    assert shown and json.loads(html.unescape(shown[1])) == {"not": {"completed": True}}


def test_the_edit_page_builds_criteria_too(
    client: TestClient, scored: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    edit = f"/admin/achievements/{scored.scenario.achievement_id}/edit"
    page = get_ok(client, edit, scored.headers)
    assert "2 of 3 learners would qualify" in page and 'name="row0_kind" value="completed"' in page
    form = page[page.index(f'action="http://testserver{edit}"') :]
    fields = _form(form.replace(edit, f"/admin/batches/{scored.scenario.batch_id}", 1))
    added = client.post(edit, data={**fields, "add": ["score"]}, headers=scored.headers)
    assert "Condition 2: Score" in added.text
    saved = client.post(
        edit,
        data={**fields, "row0_not": ["1"], "action": ["save"]},
        headers=scored.headers,
        follow_redirects=False,
    )
    assert saved.status_code == 303
    org = scored.scenario.organisation.id
    (achievement,) = list_achievements(uow, org, scored.scenario.batch_id)
    assert achievement.criteria == {"not": {"completed": True}}
