from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import update

from certmint.domain.accounts import Principal, Role
from certmint.services.read_models.dashboard import dashboard
from certmint.storage.tables import AchievementRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row
from tests.web.pages.admin.conftest import Admin, get_ok


def _upload(client: TestClient, admin: Admin, data: bytes, **form: str) -> object:
    return client.post(
        "/admin/import",
        data=form,
        files={"file": ("export.csv", data, "text/csv")},
        headers=admin.headers,
    )


def _batches(uow: SqlAlchemyUnitOfWork, admin: Admin) -> list[str]:
    principal = Principal(admin.scenario.organisation.id, Role.ADMIN)
    return [
        f"{b.course.external_id}/{b.batch.external_id}:{b.learners}"
        for b in dashboard(uow, principal).batches
    ]


def test_bad_lines_are_named_and_nothing_is_written(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    get_ok(client, "/admin/import", admin.headers)
    rows = [
        enrolment_row(
            "N1", course_id="C2", course_name="Statistics", batch_id="S1", batch_name="Summer"
        ),
        enrolment_row(
            "N2", course_id="C2", course_name="Statistics", batch_id="S1", status="finished"
        ),
        enrolment_row(
            "N3", course_id="C2", course_name="Statistics", batch_id="S1", completed_on="2026-13-01"
        ),
    ]
    before = _batches(uow, admin)
    response = _upload(client, admin, enrolment_csv(rows))
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "nothing was written" in text
    assert "line 3:" in text and "line 4:" in text and "line 2:" not in text
    assert _batches(uow, admin) == before


def test_a_clean_file_is_imported_and_counted(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    rows = [
        enrolment_row(
            f"N{i}", course_id="C2", course_name="Statistics", batch_id="S1", batch_name="Summer"
        )
        for i in range(4)
    ]
    dry = _upload(client, admin, enrolment_csv(rows), dry_run="1")
    assert dry.status_code == 200  # type: ignore[attr-defined]
    assert "Nothing was written (dry run)" in dry.text  # type: ignore[attr-defined]
    assert "C2/S1:4" not in _batches(uow, admin)
    done = _upload(client, admin, enrolment_csv(rows))
    assert "Imported 4 rows." in done.text  # type: ignore[attr-defined]
    assert "C2/S1:4" in _batches(uow, admin)
    again = _upload(client, admin, enrolment_csv(rows))
    # the second import of the same file changes nothing: four learners unchanged
    assert (
        '<th scope="row">learners</th><td class="num">0</td><td class="num">0</td><td class="num">4</td>'
        in again.text
    )  # type: ignore[attr-defined]


def test_no_file_is_a_problem(client: TestClient, admin: Admin) -> None:
    response = client.post("/admin/import", data={"dry_run": "1"}, headers=admin.headers)
    assert response.status_code == 422
    assert "choose a CSV file" in response.text


def test_an_import_starts_automatic_issuance_and_links_to_its_job(
    client: TestClient, admin: Admin, uow: SqlAlchemyUnitOfWork
) -> None:
    with uow:  # make the scenario's achievement an automatic one
        uow.session.execute(
            update(AchievementRow)
            .where(AchievementRow.id == admin.scenario.achievement_id)
            .values(auto_issue=True)
        )
        uow.commit()
    rows = [enrolment_row("L3", name="Meena Das"), enrolment_row("N1", name="Nia Obi")]
    done = _upload(client, admin, enrolment_csv(rows))
    text = done.text  # type: ignore[attr-defined]
    found = re.search(r'Automatic issuance started: <a href="([^"]+)">Completion</a>', text)
    assert found, text
    progress = client.get(f"{found.group(1)}/progress", headers=admin.headers).json()
    # the tests' executor runs the job inside the request; only the changed learners count
    assert (progress["status"], progress["total"], progress["issued"]) == ("succeeded", 2, 2)
    assert "Automatic issuance" not in _upload(client, admin, enrolment_csv(rows)).text  # type: ignore[attr-defined]
