from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def test_issue_and_poll(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    rows = [
        {
            "course_id": "C1",
            "batch_id": "B1",
            "learner_id": "N1",
            "name": "Nia Obi",
            "status": "completed",
        }
    ]
    api.post("/api/v1/enrolments", json={"rows": rows}, headers=admin)
    started = api.post(f"/api/v1/achievements/{world.id('achievement')}/issuance", headers=admin)
    assert started.status_code == 202, started.text
    job = started.json()
    # The tests' executor runs the job inside the request (tests/web/conftest.py); that it is
    # planned before it runs is tests/services/issuance/test_issue_now.py's.
    assert job["status"] == "succeeded"
    assert started.headers["location"] == job["url"]
    polled = api.get(job["url"], headers=admin).json()
    assert (polled["status"], polled["total"], polled["done"]) == ("succeeded", 4, 4)
    assert polled["percent"] == 100
    outcome = [polled[k] for k in ("issued", "already_held", "not_eligible", "not_reached")]
    assert outcome == [1, 2, 1, 0]  # N1 now; L1 and L2 before; L3 is still in progress
    issued = items(
        api.get(f"/api/v1/certificates?achievement_id={world.id('achievement')}", headers=admin)
    )
    assert len(issued) == 3  # L1 and L2 before, N1 now; L3 is still in progress
    again = api.post(f"/api/v1/achievements/{world.id('achievement')}/issuance", headers=admin)
    assert api.get(again.json()["url"], headers=admin).json()["status"] == "succeeded"
    assert len(items(api.get("/api/v1/certificates", headers=admin))) == 3


def test_jobs_of_other_courses_are_hidden(api: TestClient, world: World) -> None:
    url = f"/api/v1/jobs/{world.id('job')}"
    assert api.get(url, headers=world.headers("manager")).status_code == 200
    assert api.get(url, headers=world.headers("other_manager")).status_code == 404
    assert api.get(url, headers=world.headers("other_admin")).status_code == 404
