"""Finding 1: a course manager rewrote any learner of the organisation through the enrolment
upsert (and the import behind it), and the counts told which learner ids existed elsewhere.

The world: L1, L2, L3 are in course C1 (the manager's), L4 only in C2 (the other manager's).
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from certmint.domain.courses import Learner
from certmint.domain.ids import url_id
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.api.v1.conftest import World

URL = "/api/v1/enrolments"


def _row(learner_id: str, **values: str) -> dict[str, str]:
    row = {
        "course_id": "C1",
        "batch_id": "B1",
        "learner_id": learner_id,
        "name": "Mallory",
        "email": "mallory@attacker.example",
        "status": "enrolled",
        "attributes": {"roll_no": "X"},
    }
    return row | values


def _learner(uow: SqlAlchemyUnitOfWork, world: World, external_id: str) -> Learner:
    with uow:
        return uow.roster.learners_by_external_id(world.organisation.id, [external_id])[external_id]


def _upsert(api: TestClient, world: World, caller: str, *rows: dict[str, Any]) -> Any:
    response = api.post(URL, json={"rows": list(rows)}, headers=world.headers(caller))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_manager_enrols_a_learner_of_another_course_but_never_rewrites_them(
    api: TestClient, world: World, uow: SqlAlchemyUnitOfWork
) -> None:
    before = _learner(uow, world, "L4")
    # The counts of a learner held only by another course and of an id nobody has are the
    # same: the answer does not tell the manager that L4 exists.
    dry = {"rows": [_row("L4")], "dry_run": True}
    existing = api.post(URL, json=dry, headers=world.headers("manager")).json()
    unknown = api.post(
        URL, json={"rows": [_row("L404")], "dry_run": True}, headers=world.headers("manager")
    ).json()
    assert existing == unknown
    assert existing["learners"] == {"created": 1, "updated": 0, "unchanged": 0}

    summary = _upsert(api, world, "manager", _row("L4"))
    assert summary["learners"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert summary["enrolments"]["created"] == 1  # enrolled in the manager's batch
    assert _learner(uow, world, "L4") == before  # name, e-mail and attributes as they were


def test_a_learner_shared_with_another_course_is_not_renamed_by_either_manager(
    api: TestClient, world: World, uow: SqlAlchemyUnitOfWork
) -> None:
    _upsert(api, world, "admin", _row("L1", course_id="C2", batch_id="B2", name="Asha Rao"))
    before = _learner(uow, world, "L1")
    for manager, course, batch in (("manager", "C1", "B1"), ("other_manager", "C2", "B2")):
        summary = _upsert(api, world, manager, _row("L1", course_id=course, batch_id=batch))
        assert summary["learners"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert _learner(uow, world, "L1") == before
    # The admin still changes anyone.
    summary = _upsert(api, world, "admin", _row("L1"))
    assert summary["learners"]["updated"] == 1
    changed = _learner(uow, world, "L1")
    assert (changed.name, changed.email) == ("Mallory", "mallory@attacker.example")


def test_a_manager_still_updates_a_learner_only_in_their_own_courses(
    api: TestClient, world: World, uow: SqlAlchemyUnitOfWork
) -> None:
    summary = _upsert(api, world, "manager", _row("L2", name="Ben O.", email="ben@example.org"))
    assert summary["learners"] == {"created": 0, "updated": 1, "unchanged": 0}
    learner = _learner(uow, world, "L2")
    assert (learner.name, learner.email) == ("Ben O.", "ben@example.org")


def test_a_manager_cannot_rename_a_shared_learner_by_reissuing(
    api: TestClient, world: World, uow: SqlAlchemyUnitOfWork
) -> None:
    """The re-issue with a corrected name renames the learner record too: refused (403) for a
    learner also enrolled elsewhere, and nothing changes."""
    _upsert(api, world, "admin", _row("L1", course_id="C2", batch_id="B2", name="Asha Rao"))
    before = _learner(uow, world, "L1")
    url = next(
        f"/api/v1/certificates/{world.id(name)}"
        for name in ("certificate", "certificate2")
        if api.get(f"/api/v1/certificates/{world.id(name)}", headers=world.headers("admin")).json()[
            "learner_id"
        ]
        == url_id(before.id)
    )
    refused = api.post(
        f"{url}/reissue",
        json={"reason": "name fix", "name": "Mallory"},
        headers=world.headers("manager"),
    )
    assert refused.status_code == 403, refused.text
    assert _learner(uow, world, "L1") == before
    shown = api.get(url, headers=world.headers("admin")).json()
    assert shown["status"] == "active"
