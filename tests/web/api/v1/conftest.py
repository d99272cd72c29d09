"""An API client and a small world to call it on: two organisations, two courses, callers.

Every caller authenticates for real: admins and course managers (scoped to one course) with
API tokens, learners with a signed-in session's cookie. The other organisation has callers of
every kind too (``other_admin``, ``other_org_manager``, ``other_org_learner``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from certmint.bootstrap import Container
from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.domain.organisations import Organisation
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.catalogue.templates import create_template
from certmint.services.identity.accounts import create_user
from certmint.services.identity.sessions import start_session
from certmint.services.identity.tokens import create_token
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.keys import ensure_signing_key
from certmint.services.issuers.signing import Signing
from certmint.services.notifications.webhooks import add_webhook
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.app import create_app
from certmint.web.deps import SESSION_COOKIE
from tests.factories import enrolment_csv, enrolment_row, make_organisation


@dataclass
class World:
    """This organisation's objects (by name) and the bearer value of each kind of caller."""

    organisation: Organisation
    other: Organisation
    ids: dict[str, UUID] = field(default_factory=dict)
    bearer: dict[str, str] = field(default_factory=dict)

    def id(self, name: str) -> str:
        return url_id(self.ids[name])

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller in LEARNERS:
            return {"Cookie": f"{SESSION_COOKIE}={self.bearer[caller]}"}
        return {"Authorization": f"Bearer {self.bearer[caller]}"}


LEARNERS = ("learner", "other_org_learner")  # signed in with a session, not a token

ROWS = [
    enrolment_row("L1", name="Asha Rao", **{"score:final": "82"}),
    enrolment_row("L2", name="Ben Okafor"),
    enrolment_row("L3", name="Chen Wei", status="in_progress", completed_on=""),
    enrolment_row(
        "L4", course_id="C2", course_name="Statistics", batch_id="B2", batch_name="Autumn"
    ),
]


def build_world(uow: SqlAlchemyUnitOfWork, signing: Signing) -> World:
    home = make_organisation(uow, "Home Institute", default=True)
    other = make_organisation(uow, "Other College")
    world = World(home, other)
    for organisation in (home, other):
        ensure_signing_key(uow, signing.key_store, organisation.id)
    import_enrolments(uow, home.id, enrolment_csv(ROWS, extra=["score:final"]))
    import_enrolments(uow, other.id, enrolment_csv([enrolment_row("X1", course_id="OC")]))
    course1, batch1 = resolve_batch(uow, home.id, "B1")
    course2, _batch2 = resolve_batch(uow, home.id, "B2")
    design = Design(
        layout="classic-1-1", title="Certificate", signatories=(Signatory("Meera Iyer", "Dean"),)
    )
    published = create_template(
        uow, Principal.at_shell(home.id), design, name="Classic", publish=True
    )
    draft = create_template(uow, Principal.at_shell(home.id), design, name="Draft one")
    achievement = add_achievement(
        uow,
        Principal.at_shell(home.id),
        batch_id=batch1.id,
        template_version_id=published.id,
        name="Completion",
        criteria={"completed": True},
        signatories=[("Meera Iyer", "Dean")],
    )
    summary = issue_achievement(uow, signing, IssueRequest(home.id, achievement.id, actor="test"))
    webhook, _secret = add_webhook(
        uow, Principal.at_shell(home.id), url="https://lms.example/hooks"
    )
    with uow:
        learners = uow.roster.learners_by_external_id(home.id, ["L1", "L4"])
    world.ids.update(
        course=course1.id,
        other_course=course2.id,
        batch=batch1.id,
        learner=learners["L1"].id,
        template=published.template_id,
        version=published.id,
        draft_version=draft.id,
        achievement=achievement.id,
        certificate=summary.certificate_ids[0],
        certificate2=summary.certificate_ids[1],
        job=summary.job_id,
        webhook=webhook.id,
    )
    for name, organisation in (("admin", home), ("other_admin", other)):
        _token, secret = create_token(
            uow,
            Principal.at_shell(organisation.id),
            name=name,
            role=Role.ADMIN,
            operator=organisation.is_default,  # our admin also operates the instance
        )
        world.bearer[name] = secret
    for name, course in (("manager", course1), ("other_manager", course2)):
        _token, secret = create_token(
            uow,
            Principal.at_shell(home.id),
            name=name,
            role=Role.COURSE_MANAGER,
            course_ids=[course.id],
        )
        world.bearer[name] = secret
    user = create_user(
        uow,
        Principal.at_shell(home.id),
        email="asha@example.org",
        display_name="Asha Rao",
        role=Role.LEARNER,
        learner_id=learners["L1"].id,
    )
    _session, world.bearer["learner"] = start_session(uow, user)
    _other_callers(uow, world)
    return world


def _other_callers(uow: SqlAlchemyUnitOfWork, world: World) -> None:
    """The other organisation's course manager (a token for its course) and learner (a
    session): neither reaches anything of this organisation."""
    other = world.other.id
    course, _ = resolve_batch(uow, other, "B1")
    _token, world.bearer["other_org_manager"] = create_token(
        uow,
        Principal.at_shell(other),
        name="m",
        role=Role.COURSE_MANAGER,
        course_ids=[course.id],
    )
    with uow:
        learner = uow.roster.learners_by_external_id(other, ["X1"])["X1"]
    user = create_user(
        uow,
        Principal.at_shell(other),
        email="x1@example.org",
        display_name="Learner X1",
        role=Role.LEARNER,
        learner_id=learner.id,
    )
    _session, world.bearer["other_org_learner"] = start_session(uow, user)


@pytest.fixture
def world(uow: SqlAlchemyUnitOfWork, signing: Signing) -> World:
    return build_world(uow, signing)


@pytest.fixture
def api(container: Container, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="https://certs.example.org") as client:
        yield client


def items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["items"]
    return found


@pytest.fixture
def api_client(container: Container) -> Iterator[TestClient]:
    """The app as it is, with no test principals: real tokens only."""
    with TestClient(create_app(container), base_url="https://certs.example.org") as client:
        yield client
