from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def test_course_managers_see_their_learners(api: TestClient, world: World) -> None:
    names = {
        caller: {
            lr["external_id"]
            for lr in items(api.get("/api/v1/learners", headers=world.headers(caller)))
        }
        for caller in ("admin", "manager", "other_manager")
    }
    assert names == {
        "admin": {"L1", "L2", "L3", "L4"},
        "manager": {"L1", "L2", "L3"},
        "other_manager": {"L4"},
    }
    url = f"/api/v1/learners/{world.id('learner')}"
    assert api.get(url, headers=world.headers("manager")).json()["name"] == "Asha Rao"
    assert api.get(url, headers=world.headers("other_manager")).status_code == 404
