from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def _row(learner: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "course_id": "C1",
        "batch_id": "B1",
        "learner_id": learner,
        "name": f"Learner {learner}",
        "status": "completed",
        "completed_on": "2026-05-02",
    }
    row.update(values)
    return row


def test_upsert_creates_then_changes_nothing(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    rows = [
        _row("N1", scores={"final": 91, "quiz": "17/20"}, attributes={"roll": "7"}),
        _row(
            "N2",
            course_id="C3",
            course_name="Ethics",
            batch_id="E1",
            batch_name="Summer",
            status="enrolled",
            completed_on=None,
        ),
    ]
    first = api.post("/api/v1/enrolments", json={"rows": rows}, headers=admin)
    assert first.status_code == 200, first.text
    summary = first.json()
    assert summary["courses"] == {"created": 1, "updated": 0, "unchanged": 1}
    assert summary["learners"]["created"] == 2
    assert summary["enrolments"]["created"] == 2
    assert summary["certificates_issued"] == 0  # the achievement is not automatic
    again = api.post("/api/v1/enrolments", json={"rows": rows}, headers=admin).json()
    assert again["enrolments"] == {"created": 0, "updated": 0, "unchanged": 2}
    enrolled = items(api.get(f"/api/v1/batches/{world.id('batch')}/enrolments", headers=admin))
    n1 = next(e for e in enrolled if e["learner"]["external_id"] == "N1")
    assert n1["scores"] == {"final": "91/100", "quiz": "17/20"}
    assert n1["learner"]["attributes"] == {"roll": "7"}


def test_bad_rows_are_named_and_nothing_is_written(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    rows = [
        _row("N1"),
        _row("N2", email="not-an-address", status="graduated"),
        _row("N1", name="Someone Else"),
        _row("N3", course_id="NEW"),
        _row("N4", scores={"bad key!": 1}),
    ]
    response = api.post("/api/v1/enrolments", json={"rows": rows}, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        "row 5: column 'score:bad key!': the part after 'score:' must match "
        "^[A-Za-z0-9_.\\-]{1,100}$"
    ]
    rows.pop()
    errors = api.post("/api/v1/enrolments", json={"rows": rows}, headers=admin).json()["errors"]
    assert errors == [
        "row 2: email 'not-an-address' is not an e-mail address; "
        "unknown status 'graduated'; use one of enrolled, in_progress, completed",
        "row 3: learner 'N1': name differs from row 1 ('Learner N1' vs 'Someone Else')",
    ]
    rows = [_row("N1"), _row("N3", course_id="NEW")]
    errors = api.post("/api/v1/enrolments", json={"rows": rows}, headers=admin).json()["errors"]
    assert errors == ["row 2: course 'NEW' is new: course_name is required"]
    learners = items(api.get("/api/v1/learners", headers=admin))
    assert {learner["external_id"] for learner in learners} == {"L1", "L2", "L3", "L4"}


def test_shape_errors_point_at_the_field(api: TestClient, world: World) -> None:
    response = api.post(
        "/api/v1/enrolments",
        json={"rows": [{**_row("N1"), "colour": "blue"}]},
        headers=world.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == ["body", "rows", "0", "colour"]
    empty = api.post("/api/v1/enrolments", json={"rows": []}, headers=world.headers("admin"))
    assert empty.status_code == 422


def test_dry_run_writes_nothing(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    body = {"rows": [_row("N1")], "dry_run": True}
    summary = api.post("/api/v1/enrolments", json=body, headers=admin).json()
    assert summary["dry_run"] is True
    assert summary["learners"]["created"] == 1
    learners = items(api.get("/api/v1/learners", headers=admin))
    assert "N1" not in {learner["external_id"] for learner in learners}


def test_a_course_manager_upserts_only_into_their_courses(api: TestClient, world: World) -> None:
    manager = world.headers("manager")
    ok = api.post("/api/v1/enrolments", json={"rows": [_row("N1")]}, headers=manager)
    assert ok.status_code == 200, ok.text
    refused = api.post(
        "/api/v1/enrolments",
        json={"rows": [_row("N2", course_id="C2", batch_id="B2")]},
        headers=manager,
    )
    assert refused.json()["errors"] == ["row 1: course 'C2' is not one of your courses"]
    new_course = api.post(
        "/api/v1/enrolments",
        json={"rows": [_row("N2", course_id="C9", course_name="Mine?", batch_name="x")]},
        headers=manager,
    )
    assert new_course.json()["errors"] == ["row 1: course 'C9' is not one of your courses"]


def test_automatic_achievements_issue_after_an_upsert(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    created = api.post(
        f"/api/v1/batches/{world.id('batch')}/achievements",
        json={
            "name": "Auto",
            "template_version_id": world.id("version"),
            "criteria": {"completed": True},
            "signatories": [{"name": "Meera Iyer", "designation": "Dean"}],
            "auto_issue": True,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    summary = api.post("/api/v1/enrolments", json={"rows": [_row("N1")]}, headers=admin).json()
    assert summary["certificates_issued"] == 1
