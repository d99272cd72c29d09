from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World, items


def _achievement(world: World, **values: Any) -> dict[str, Any]:
    body = {
        "name": "Merit",
        "template_version_id": world.id("version"),
        "criteria": {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 80}}]},
        "signatories": [{"name": "Meera Iyer", "designation": "Dean"}],
    }
    body.update(values)
    return body


def test_attach_then_dry_run(api: TestClient, world: World) -> None:
    manager = world.headers("manager")  # a course manager of the batch's course may
    url = f"/api/v1/batches/{world.id('batch')}/achievements"
    created = api.post(url, json=_achievement(world), headers=manager)
    assert created.status_code == 201, created.text
    merit = created.json()
    assert merit.pop("warnings") == []  # the batch's imports hold "final"
    assert merit["batch_id"] == world.id("batch")
    assert {a["name"] for a in items(api.get(url, headers=manager))} == {"Completion", "Merit"}
    assert api.get(f"/api/v1/achievements/{merit['id']}", headers=manager).json() == merit

    rows = items(api.get(f"/api/v1/achievements/{merit['id']}/dry-run", headers=manager))
    decisions = {r["learner"]["external_id"]: r for r in rows}
    assert set(decisions) == {"L1", "L2", "L3"}
    assert decisions["L1"]["awarded"] is True
    assert decisions["L2"]["awarded"] is False  # no final score
    assert decisions["L2"]["reasons"]
    assert decisions["L3"]["awarded"] is False  # still in progress

    held = items(
        api.get(f"/api/v1/achievements/{world.id('achievement')}/dry-run", headers=manager)
    )
    assert {r["learner"]["external_id"] for r in held if r["already_issued"]} == {"L1", "L2"}
    paged = api.get(f"/api/v1/achievements/{merit['id']}/dry-run?limit=2", headers=manager).json()
    rest = items(api.get(paged["next"], headers=manager))
    names = [r["learner"]["external_id"] for r in paged["items"] + rest]
    assert sorted(names) == ["L1", "L2", "L3"]


def test_a_condition_no_learner_can_meet_is_a_warning(api: TestClient, world: World) -> None:
    """A misspelt assessment is attached (the API does as it is told) but not silently."""
    url = f"/api/v1/batches/{world.id('batch')}/achievements"
    typo = {"score": {"assessment": "finl", ">=": 60}}
    created = api.post(url, json=_achievement(world, criteria=typo), headers=world.headers("admin"))
    assert created.status_code == 201, created.text
    (warning,) = created.json()["warnings"]
    assert warning.startswith("no learner has a score in finl; the imports hold final")


def test_bad_achievements_are_refused(api: TestClient, world: World) -> None:
    admin = world.headers("admin")
    url = f"/api/v1/batches/{world.id('batch')}/achievements"
    bad = api.post(
        url,
        json=_achievement(world, criteria={"score": {"assessment": "final", ">=": "lots"}}),
        headers=admin,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"]
    duplicate = api.post(url, json=_achievement(world, name="Completion"), headers=admin)
    assert duplicate.status_code == 409
    draft = api.post(
        url, json=_achievement(world, template_version_id=world.id("draft_version")), headers=admin
    )
    assert draft.status_code == 409
    unknown = api.post(url, json=_achievement(world, template_version_id="x"), headers=admin)
    assert unknown.status_code == 404
