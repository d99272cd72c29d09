"""Who may change what: every route that writes, of the REST API and of the pages, called by
every kind of caller, with the outcome checked in the database.

The routes and how to call them come from the two authorisation tests
(``tests/web/api/v1/test_authorisation.py`` and ``tests/web/pages/test_authorisation.py``), so a
new write route is tried here too as soon as it has a rule there. The callers: nobody, a
learner, the manager of the course the ids belong to, the manager of the organisation's other
course, another organisation's admin using our ids, and our admin. Each caller gets a world of
its own (its writes cannot spoil the next caller's).

- a caller who may change the object (our admin; the course's manager on their course's
  learners, enrolments, achievements and certificates; a learner on their own corrections and
  profile) gets the route's success status;
- every other call is refused with the status the route's rule names (401 or a redirect to the
  sign-in page for nobody, 403 for a role, 404 for an object out of reach, 422 for enrolment
  rows of a course that is not theirs), and **nothing of the organisation changed**: its
  courses, batches, learners, enrolments, templates and versions, achievements, certificates,
  status lists, webhooks, signing keys, users, corrections, e-mail templates, jobs and audit
  log are compared row by row before and after each call. Another organisation's admin, and
  the other course's manager, change nothing of ours even where their call succeeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.bootstrap import Container
from certmint.services.issuers.signing import Signing
from certmint.storage.tables import Base
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.app import create_app
from tests.web.api.v1 import test_authorisation as api_rules
from tests.web.pages import test_authorisation as page_rules

CALLERS = (
    "anonymous",
    "learner",
    "manager",
    "other_manager",
    "other_admin",
    "other_org_manager",
    "other_org_learner",
    "admin",
)
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Rows of the organisation's own (organisation_id), and of what hangs from its courses and
# templates. Left out: what reading or a refused sign-in legitimately stamps (sessions' and
# tokens' last use, sign-in throttles), the outbox (the mail task works on it meanwhile) and
# verification counts.
OWN_TABLES = (
    "courses",
    "learners",
    "templates",
    "certificates",
    "status_lists",
    "webhooks",
    "signing_keys",
    "users",
    "name_corrections",
    "email_templates",
    "jobs",
    "audit_events",
)

Snapshot = dict[str, frozenset[tuple[str, ...]]]


def snapshot(session: Session, organisation_id: UUID) -> Snapshot:
    """Every row the organisation owns, table by table."""
    tables = Base.metadata.tables

    def rows(name: str, where: Any) -> frozenset[tuple[str, ...]]:
        found = session.execute(select(tables[name]).where(where))
        return frozenset(tuple(map(str, row)) for row in found)

    shot = {
        name: rows(name, tables[name].c.organisation_id == organisation_id) for name in OWN_TABLES
    }
    courses = select(tables["courses"].c.id).where(
        tables["courses"].c.organisation_id == organisation_id
    )
    batches = select(tables["batches"].c.id).where(tables["batches"].c.course_id.in_(courses))
    templates = select(tables["templates"].c.id).where(
        tables["templates"].c.organisation_id == organisation_id
    )
    shot["organisations"] = rows("organisations", tables["organisations"].c.id == organisation_id)
    shot["batches"] = rows("batches", tables["batches"].c.course_id.in_(courses))
    shot["enrolments"] = rows("enrolments", tables["enrolments"].c.batch_id.in_(batches))
    shot["achievements"] = rows("achievements", tables["achievements"].c.batch_id.in_(batches))
    shot["template_versions"] = rows(
        "template_versions", tables["template_versions"].c.template_id.in_(templates)
    )
    return shot


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


@pytest.fixture
def pages(uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session) -> page_rules.Pages:
    """The pages' world (which holds the API's), with the certificate the API's suspend and
    reinstate rules name: one of another learner than the signed-in one, not used otherwise."""
    built = page_rules.build_pages(uow, signing)
    ids = built.world.ids
    certificates = Base.metadata.tables["certificates"]
    ids["certificate3"] = session.scalars(
        select(certificates.c.id)
        .where(
            certificates.c.organisation_id == built.world.organisation.id,
            certificates.c.learner_id != ids["learner"],
            certificates.c.id.not_in([ids["certificate"], ids["certificate2"]]),
        )
        .limit(1)
    ).one()
    return built


@pytest.fixture
def client(container: Container, pages: page_rules.Pages) -> Iterator[TestClient]:
    app = create_app(container)
    with TestClient(app, base_url="https://certs.example.org", follow_redirects=False) as client:
        yield client


def _writes(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The unsafe routes, signing out last (it ends the caller's session)."""
    unsafe = [route for route in routes if route[0] in UNSAFE]
    return sorted(unsafe, key=lambda route: route == ("POST", "/logout"))


def _may_change(caller: str, access: str) -> bool:
    """Whether ``caller`` may use a route of this access on this organisation's objects."""
    return {
        "admin": access != "learner",
        "manager": access in ("public", "signed_in", "staff"),
        "learner": access in ("public", "signed_in", "learner"),
    }.get(caller, access in ("public", "signed_in"))


def _ours(caller: str, access: str) -> bool:
    """Whether the call may change this organisation's rows when it succeeds: staff in their
    scope, a learner on their own corrections and profile, anyone signed in on their own
    account (signing out, a new password)."""
    if access == "signed_in":
        return caller != "anonymous"
    return caller in ("admin", "manager") or (caller == "learner" and access == "learner")


def _check(
    caller: str,
    where: str,
    status: int,
    allowed: bool,
    ok: set[int],
    refused: set[int] | None,
    diff: list[str],
    *,
    ours: bool,
) -> list[str]:
    """What is wrong with one call's outcome (``ours``: the caller may change our objects)."""
    if status >= 500:
        return [f"server error: {where}"]
    if allowed and caller in ("admin", "manager"):
        return [] if status in ok else [f"expected {sorted(ok)}: {where}"]
    failures = []
    if refused is not None and status not in refused:
        failures.append(f"expected {sorted(refused)}: {where}")
    if diff and not (allowed and ours and status < 400):
        failures.append(f"changed {diff}: {where}")
    return failures


def _page_refusal(caller: str, path: str, rule: page_rules.Rule) -> set[int] | None:
    if caller == "manager":
        return {403}
    if caller == "admin":
        return {403}  # a learner's page
    return page_rules._expected_for(caller, path, rule)


@pytest.mark.parametrize("caller", CALLERS)
def test_api_writes(
    client: TestClient, pages: page_rules.Pages, session: Session, caller: str
) -> None:
    world = pages.world
    org = world.organisation.id
    routes = _writes(api_rules._routes(client))
    assert routes, "no write routes found"
    failures: list[str] = []
    before = snapshot(session, org)
    for method, path in routes:
        rule = api_rules.ROUTES[(method, path)]
        url = api_rules._url(path, rule, world)
        response = api_rules._call(client, method, url, rule, world, caller)
        after = snapshot(session, org)
        allowed = _may_change(caller, rule.access)
        refused = (
            {403} if caller in ("manager", "admin") else api_rules._expected_for(caller, path, rule)
        )
        where = f"{caller} {method} {url}: {response.status_code} {response.text[:160]}"
        failures += _check(
            caller,
            where,
            response.status_code,
            allowed,
            {rule.ok},
            refused,
            changed(before, after),
            ours=_ours(caller, rule.access),
        )
        before = after
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("caller", CALLERS)
def test_page_writes(
    client: TestClient, pages: page_rules.Pages, session: Session, caller: str
) -> None:
    org = pages.world.organisation.id
    openapi = client.get("/api/v1/openapi.json").json()
    routes = _writes(page_rules.page_routes(client.app, openapi))  # type: ignore[arg-type]
    assert routes, "no write routes found"
    failures: list[str] = []
    before = snapshot(session, org)
    for method, path in routes:
        rule = page_rules.ROUTES[(method, path)]
        url = page_rules._url(path, rule, pages)
        response = page_rules._call(client, method, url, rule, pages, caller)
        after = snapshot(session, org)
        allowed = _may_change(caller, rule.access)
        ok = {rule.ok, 429} if rule.throttled else {rule.ok}
        where = f"{caller} {method} {url}: {response.status_code} {response.text[:160]}"
        failures += _check(
            caller,
            where,
            response.status_code,
            allowed,
            ok,
            _page_refusal(caller, path, rule),
            changed(before, after),
            ours=_ours(caller, rule.access),
        )
        before = after
    assert not failures, "\n".join(failures)
