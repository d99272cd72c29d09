from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def test_admin_lists_courses_and_batches(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    courses = items(api.get("/api/v1/courses", headers=admin))
    assert sorted((c["external_id"], c["name"], c["id"]) for c in courses) == [
        ("C1", "Data Science", world.id("course")),
        ("C2", "Statistics", world.id("other_course")),
    ]
    batches = items(api.get(f"/api/v1/courses/{world.id('course')}/batches", headers=admin))
    assert [(b["external_id"], b["name"], b["id"]) for b in batches] == [
        ("B1", "Spring", world.id("batch"))
    ]
    batch = api.get(f"/api/v1/batches/{world.id('batch')}", headers=admin).json()
    assert batch["course_id"] == world.id("course")


def test_a_course_manager_sees_only_their_course(api: TestClient, world: World) -> None:
    manager = world.headers("manager")
    assert [c["external_id"] for c in items(api.get("/api/v1/courses", headers=manager))] == ["C1"]
    other = api.get(f"/api/v1/courses/{world.id('other_course')}", headers=manager)
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"


def test_a_plain_uuid_names_the_same_course(api: TestClient, world: World) -> None:
    found = api.get(f"/api/v1/courses/{world.ids['course']}", headers=world.headers("admin"))
    assert found.json()["id"] == world.id("course")
    assert api.get("/api/v1/courses/nonsense", headers=world.headers("admin")).status_code == 404
