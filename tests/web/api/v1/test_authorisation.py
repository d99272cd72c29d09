"""Every route of the app, called by every kind of caller, with this organisation's ids.

The routes come from the app's own OpenAPI document, so a new route is tried automatically,
and one missing from ``ROUTES`` below fails the test until someone says who may call it.
Callers: nobody (no token), a learner, a course manager of this organisation's *other*
course, the admin, a course manager and a learner of *another* organisation, a course manager
of the course the ids belong to, and this organisation's admin. Across tenants and course scopes nothing is ever a 2xx that
shows this organisation's objects: an id of theirs is a 404, a role that may not act is a 403.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.api.v1.conftest import World

Access = Literal["public", "signed_in", "staff", "admin", "operator"]
Body = Callable[[World], dict[str, Any]]

# Path parameters -> the world's object; "course-scoped" ones belong to course C1.
PARAMS = {
    "course_id": "course",
    "batch_id": "batch",
    "learner_id": "learner",
    "template_id": "template",
    "version_id": "version",
    "achievement_id": "achievement",
    "certificate_id": "certificate",
    "job_id": "job",
    "webhook_id": "webhook",
}
COURSE_SCOPED = {"course", "batch", "learner", "achievement", "certificate", "job"}
SUCCESS = range(200, 300)


@dataclass(frozen=True)
class Rule:
    access: Access
    ok: int = 200  # what this organisation's admin gets
    body: Body | None = None
    files: bool = False
    params: dict[str, str] = field(default_factory=dict)  # a different world object
    reads: bool = True  # false: changes state, so the in-scope manager does not call it
    problems: bool = True  # errors are RFC 9457 documents (the VC-API has its own shape)


def _rows(world: World) -> dict[str, Any]:
    return {
        "rows": [
            {
                "course_id": "C1",
                "batch_id": "B1",
                "learner_id": "L9",
                "name": "New Learner",
                "status": "enrolled",
            }
        ]
    }


DESIGN = {"layout": "classic-1-1", "signatories": [{"name": "A. Dean", "designation": "Dean"}]}


def _design(world: World) -> dict[str, Any]:
    return {"name": "Matrix", "design": DESIGN}


def _achievement(world: World) -> dict[str, Any]:
    return {
        "name": "Merit",
        "template_version_id": world.id("version"),
        "criteria": {"completed": True},
        "signatories": [{"name": "Meera Iyer", "designation": "Dean"}],
    }


def _credential(world: World) -> dict[str, Any]:
    return {"credential": {"type": ["VerifiableCredential"]}}


def _vc_issue(world: World) -> dict[str, Any]:
    return {
        "credential": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"id": "did:example:1"},
        }
    }


def _vc_verify(world: World) -> dict[str, Any]:
    return {"verifiableCredential": {"type": ["VerifiableCredential"]}}


def _vp_verify(world: World) -> dict[str, Any]:
    return {"verifiablePresentation": {"type": ["VerifiablePresentation"]}}


ROUTES: dict[tuple[str, str], Rule] = {
    # Served to verifiers and browsers: public by design.
    ("GET", "/healthz"): Rule("public"),
    ("GET", "/.well-known/did.json"): Rule("public"),
    ("GET", "/orgs/{slug}/did.json"): Rule("public", ok=404),
    ("GET", "/orgs/{slug}/logo"): Rule("public", ok=404),
    ("GET", "/orgs/{slug}/status/{purpose}/{sequence}"): Rule("public"),
    ("GET", "/v/{reference}"): Rule("public", params={"reference": "certificate"}),
    ("GET", "/v/{reference}/credential.json"): Rule("public", params={"reference": "certificate"}),
    ("GET", "/v/{reference}/preview.png"): Rule("public", params={"reference": "certificate"}),
    ("GET", "/v/{reference}/{filename}"): Rule("public", ok=404),
    ("GET", "/verify"): Rule("public"),
    ("POST", "/verify"): Rule("public", files=True, problems=False),  # an HTML page
    ("POST", "/vc-api/credentials/issue"): Rule("admin", ok=201, body=_vc_issue, reads=False),
    ("POST", "/vc-api/credentials/verify"): Rule("public", ok=400, body=_vc_verify, problems=False),
    ("POST", "/vc-api/presentations/verify"): Rule(
        "public", ok=400, body=_vp_verify, problems=False
    ),
    # The REST API.
    ("GET", "/api/v1/me"): Rule("signed_in"),
    ("GET", "/api/v1/organisation"): Rule("staff"),
    ("GET", "/api/v1/courses"): Rule("staff"),
    ("GET", "/api/v1/courses/{course_id}"): Rule("staff"),
    ("GET", "/api/v1/courses/{course_id}/batches"): Rule("staff"),
    ("GET", "/api/v1/batches/{batch_id}"): Rule("staff"),
    ("GET", "/api/v1/learners"): Rule("staff"),
    ("GET", "/api/v1/learners/{learner_id}"): Rule("staff"),
    ("POST", "/api/v1/enrolments"): Rule("staff", body=_rows, reads=False),
    ("GET", "/api/v1/batches/{batch_id}/enrolments"): Rule("staff"),
    ("GET", "/api/v1/templates"): Rule("staff"),
    ("POST", "/api/v1/templates"): Rule("admin", ok=201, body=_design, reads=False),
    ("GET", "/api/v1/templates/{template_id}"): Rule("staff"),
    ("GET", "/api/v1/templates/{template_id}/versions"): Rule("staff"),
    ("POST", "/api/v1/templates/{template_id}/versions"): Rule(
        "admin", ok=201, body=lambda w: {"design": DESIGN}, reads=False
    ),
    ("GET", "/api/v1/template-versions/{version_id}"): Rule("staff"),
    ("GET", "/api/v1/template-versions/{version_id}/preview"): Rule("staff"),
    ("POST", "/api/v1/template-versions/{version_id}/publish"): Rule(
        "admin", params={"version_id": "draft_version"}, reads=False
    ),
    ("GET", "/api/v1/batches/{batch_id}/achievements"): Rule("staff"),
    ("POST", "/api/v1/batches/{batch_id}/achievements"): Rule(
        "staff", ok=201, body=_achievement, reads=False
    ),
    ("GET", "/api/v1/achievements/{achievement_id}"): Rule("staff"),
    ("GET", "/api/v1/achievements/{achievement_id}/dry-run"): Rule("staff"),
    ("POST", "/api/v1/achievements/{achievement_id}/issuance"): Rule("staff", ok=202, reads=False),
    ("GET", "/api/v1/jobs/{job_id}"): Rule("staff"),
    ("GET", "/api/v1/certificates"): Rule("staff"),
    ("GET", "/api/v1/certificates/{certificate_id}"): Rule("staff"),
    ("GET", "/api/v1/certificates/{certificate_id}/download"): Rule("staff"),
    ("POST", "/api/v1/certificates/{certificate_id}/reissue"): Rule(
        "staff", ok=201, body=lambda w: {"reason": "name fix", "name": "Asha R."}, reads=False
    ),
    ("POST", "/api/v1/certificates/{certificate_id}/revoke"): Rule(
        "staff",
        body=lambda w: {"reason": "issued in error"},
        params={"certificate_id": "certificate2"},
        reads=False,
    ),
    ("POST", "/api/v1/certificates/{certificate_id}/suspend"): Rule(
        "staff",
        body=lambda w: {"reason": "under review"},
        params={"certificate_id": "certificate3"},
        reads=False,
    ),
    ("POST", "/api/v1/certificates/{certificate_id}/reinstate"): Rule(
        "staff", body=lambda w: {}, params={"certificate_id": "certificate3"}, reads=False
    ),
    ("POST", "/api/v1/verifications"): Rule("public", body=_credential),
    ("POST", "/api/v1/verifications/file"): Rule("public", files=True),
    ("GET", "/api/v1/verifications/{certificate_id}"): Rule("public"),
    ("POST", "/api/v1/keys/rotate"): Rule("admin", ok=201, body=lambda w: {}, reads=False),
    ("POST", "/api/v1/webhooks"): Rule(
        "admin", ok=201, body=lambda w: {"url": "https://x.example/h"}, reads=False
    ),
    ("GET", "/api/v1/webhooks"): Rule("admin"),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Rule("admin", ok=204, reads=False),
    # The instance's organisations: the operator's (our admin's token holds the grant).
    ("GET", "/api/v1/organisations"): Rule("operator"),
    ("POST", "/api/v1/organisations"): Rule(
        "operator", ok=201, body=lambda w: {"name": "Third Board"}, reads=False
    ),
    ("GET", "/api/v1/organisations/{slug}"): Rule("operator"),
    ("PATCH", "/api/v1/organisations/{slug}"): Rule(
        "operator", body=lambda w: {"primary_colour": "#112233"}, reads=False
    ),
}

OUTSIDERS = (
    "anonymous",
    "learner",
    "other_manager",
    "other_admin",
    "other_org_manager",
    "other_org_learner",
)
# The other organisation's callers: nothing of this organisation is theirs.
OTHER_ORGANISATION = ("other_admin", "other_org_manager", "other_org_learner")


def _routes(api: TestClient) -> list[tuple[str, str]]:
    spec = api.get("/api/v1/openapi.json").json()
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method in operations
    ]


def path_value(name: str, world: World, params: dict[str, str] | None = None) -> str:
    """A real value for the path parameter ``name``: an id of this organisation's world object
    (``params`` choosing another object than the usual one), else its slug and status list."""
    target = (params or {}).get(name) or PARAMS.get(name)
    if target is None:
        return {"slug": "home-institute", "purpose": "revocation", "sequence": "1"}.get(name, "x")
    return world.id(target)


def _url(path: str, rule: Rule, world: World) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: path_value(m.group(1), world, rule.params), path)


def _call(api: TestClient, method: str, url: str, rule: Rule, world: World, caller: str) -> Any:
    kwargs: dict[str, Any] = {"headers": world.headers(caller)}
    if rule.body is not None:
        kwargs["json"] = rule.body(world)
    if rule.files:
        kwargs["files"] = {"file": ("c.json", b'{"type": ["VerifiableCredential"]}')}
    return api.request(method, url, **kwargs)


def _scoped_ids(path: str, rule: Rule) -> set[str]:
    names = {rule.params.get(n) or PARAMS.get(n) for n in re.findall(r"\{(\w+)\}", path)}
    return {n for n in names if n is not None}


def _expected_for(caller: str, path: str, rule: Rule) -> set[int] | None:
    """The statuses a caller may get; None: a 2xx is allowed if it shows nothing of ours."""
    if rule.access == "public":
        return None
    if caller == "anonymous":
        return {401}
    if rule.access == "signed_in":
        return None
    if caller in ("learner", "other_org_learner") or rule.access == "operator":
        return {403}
    ids = _scoped_ids(path, rule)
    if caller == "other_org_manager" and rule.access == "admin":
        return {403}
    if caller in ("other_admin", "other_org_manager"):
        return {404} if ids else None
    if caller == "other_manager":
        if rule.access == "admin":
            return {403}
        if ids & COURSE_SCOPED:
            return {404}
        if path == "/api/v1/enrolments":
            return {422}  # rows of a course that is not theirs
        return None
    raise AssertionError(caller)


def _leaks(response: Any, world: World, names: set[str]) -> list[str]:
    text = response.text
    return [name for name in names if world.id(name) in text or str(world.ids[name]) in text]


def test_every_route_has_a_rule(api: TestClient) -> None:
    routes = set(_routes(api))
    assert routes - set(ROUTES) == set(), "new routes: say who may call them in ROUTES"
    assert set(ROUTES) - routes == set(), "ROUTES names routes that no longer exist"


def _third_certificate(uow: SqlAlchemyUnitOfWork, signing: Signing, world: World) -> None:
    """One more certificate (of a second achievement), to suspend and reinstate."""
    achievement = add_achievement(
        uow,
        Principal.at_shell(world.organisation.id),
        batch_id=world.ids["batch"],
        template_version_id=world.ids["version"],
        name="Attendance",
        criteria={"completed": True},
        signatories=[("Meera Iyer", "Dean")],
    )
    issued = issue_achievement(uow, signing, IssueRequest(world.organisation.id, achievement.id))
    world.ids["certificate3"] = issued.certificate_ids[0]


def test_every_route_with_every_caller(
    api: TestClient, world: World, uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    _third_certificate(uow, signing, world)
    # One client makes every call: the per-client rate limit of the public verification
    # routes and the VC-API (tests/web/test_rate_limit.py) would answer 429 to most of them.
    api.app.state.rate_limit = None  # type: ignore[attr-defined]
    failures: list[str] = []
    everything = set(world.ids)
    routes = _routes(api)
    calls = [(caller, route) for caller in OUTSIDERS for route in routes]
    calls += [("manager", r) for r in routes if ROUTES[r].reads]
    calls += [("admin", r) for r in routes]
    for caller, (method, path) in calls:
        rule = ROUTES[(method, path)]
        url = _url(path, rule, world)
        response = _call(api, method, url, rule, world, caller)
        status = response.status_code
        where = f"{caller} {method} {url}: {status} {response.text[:200]}"
        if status >= 500:
            failures.append(f"server error: {where}")
            continue
        if status >= 400 and rule.problems:
            problem_type = response.headers.get("content-type", "")
            if problem_type != "application/problem+json":
                failures.append(f"not a problem document: {where}")
        if caller == "admin":
            if status != rule.ok:
                failures.append(f"expected {rule.ok}: {where}")
            continue
        if caller == "manager":
            if rule.access in ("admin", "operator") and status != 403:
                failures.append(f"expected 403: {where}")
            elif rule.access in ("staff", "signed_in") and status != rule.ok:
                failures.append(f"expected {rule.ok}: {where}")
            continue
        expected = _expected_for(caller, path, rule)
        if expected is not None and status not in expected:
            failures.append(f"expected {sorted(expected)}: {where}")
        if status in SUCCESS and rule.access != "public":
            hidden = everything if caller in OTHER_ORGANISATION else COURSE_SCOPED
            if caller == "learner":
                hidden = hidden - {"learner"}  # their own record
            leaked = _leaks(response, world, hidden & everything)
            if leaked:
                failures.append(f"shows {leaked}: {where}")
    assert not failures, "\n".join(failures)


def test_public_answers_show_no_personal_data(api: TestClient, world: World) -> None:
    """The public verification answers never carry the learner's e-mail address."""
    for url in (
        f"/api/v1/verifications/{world.id('certificate')}",
        f"/v/{world.id('certificate')}",
    ):
        response = api.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 200
        assert "@example.org" not in json.dumps(response.json())
