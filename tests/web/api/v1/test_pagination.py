from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def _rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "course_id": "C1",
            "batch_id": "B1",
            "learner_id": f"P{i:03}",
            "name": f"Paged {i}",
            "status": "enrolled",
        }
        for i in range(count)
    ]


def _walk(api: TestClient, url: str, headers: dict[str, str]) -> list[list[str]]:
    pages = []
    next_url: str | None = url
    while next_url is not None:
        response = api.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        pages.append([item["id"] for item in response.json()["items"]])
        next_url = response.json()["next"]
    return pages


@pytest.mark.parametrize("limit", [1, 3, 7, 200])
def test_pages_cover_everything_once(api: TestClient, world: World, limit: int) -> None:
    admin = world.headers("admin")
    assert api.post("/api/v1/enrolments", json={"rows": _rows(17)}, headers=admin).is_success
    everyone = {item["id"] for item in items(api.get("/api/v1/learners?limit=200", headers=admin))}
    assert len(everyone) == 17 + 4
    pages = _walk(api, f"/api/v1/learners?limit={limit}", admin)
    seen = [i for page in pages for i in page]
    assert len(seen) == len(set(seen)) == len(everyone)  # no duplicates, no gaps
    assert set(seen) == everyone
    assert all(len(page) == limit for page in pages[:-1])
    assert _walk(api, f"/api/v1/learners?limit={limit}", admin) == pages  # a stable order


def test_rows_added_meanwhile_never_shift_a_page(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    first = api.get("/api/v1/learners?limit=2", headers=admin).json()
    api.post("/api/v1/enrolments", json={"rows": _rows(5)}, headers=admin)
    rest = _walk(api, first["next"], admin)
    seen = [item["id"] for item in first["items"]] + [i for page in rest for i in page]
    assert len(seen) == len(set(seen)) == 4 + 5


def test_the_next_url_keeps_the_filters(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    page = api.get(
        f"/api/v1/certificates?limit=1&batch_id={world.id('batch')}&status=active",
        headers=admin,
    ).json()
    assert page["next"].startswith("https://certs.example.org/api/v1/certificates?")
    assert f"batch_id={world.id('batch')}" in page["next"]
    assert "status=active" in page["next"]
    second = api.get(page["next"], headers=admin).json()
    assert second["items"][0]["id"] != page["items"][0]["id"]
    assert second["next"] is None  # two certificates in the batch


@pytest.mark.parametrize(
    "query", ["cursor=nonsense", "cursor=azE6bm90LWEtdXVpZA", "limit=0", "limit=201"]
)
def test_bad_paging_is_a_problem(api: TestClient, world: World, query: str) -> None:
    response = api.get(f"/api/v1/courses?{query}", headers=world.headers("admin"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_versions_page_by_number(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    template = world.id("template")
    design = {"layout": "classic-1-1", "signatories": [{"name": "A", "designation": "B"}]}
    for _ in range(2):
        assert api.post(
            f"/api/v1/templates/{template}/versions", json={"design": design}, headers=admin
        ).is_success
    pages = []
    next_url: str | None = f"/api/v1/templates/{template}/versions?limit=2"
    while next_url:
        body = api.get(next_url, headers=admin).json()
        pages.append([v["number"] for v in body["items"]])
        next_url = body["next"]
    assert pages == [[1, 2], [3]]
