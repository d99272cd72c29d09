"""Every page of the app (each route not in the OpenAPI document), called by every kind of caller.

The routes come from the app itself, so a new page is tried automatically, and one missing from
``ROUTES`` below fails the test until someone says who may call it (the REST API has its own
test, ``tests/web/api/v1/test_authorisation.py``). Callers sign in as browsers do, with a session
cookie, and send the session's CSRF token with unsafe requests: nobody; a learner (only their
own certificates); a course manager of this organisation's *other* course; the admin, a course
manager and a learner of *another* organisation using our ids; the manager of the course the
ids belong to; and our admin (who also operates the instance). Across tenants and course scopes nothing is ever a 2xx that shows this organisation's
objects: an id of theirs is a 404, a role that may not act is a 403, and nobody is a redirect
to the sign-in page (a 401 for the JSON progress endpoint). Every unsafe request without the
CSRF token is refused. And every link, button and form a page shows is one its viewer may use:
each role follows every link it is shown and finds no 403 or 404.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import SplitResult, quote, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Match

from certmint.bootstrap import Container
from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.certificates.corrections import request_name_correction
from certmint.services.certificates.profiles import set_public_profile
from certmint.services.identity.sessions import start_session
from certmint.services.identity.sign_in_links import invite_user
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.learner_certificates import learner_certificates
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web import login_csrf
from certmint.web.app import create_app
from certmint.web.deps import CSRF_HEADER, SESSION_COOKIE
from tests.factories import make_user
from tests.web.api.v1.conftest import World, build_world
from tests.web.crawl import Visit, crawl

Access = Literal["public", "signed_in", "learner", "staff", "admin", "operator"]
Form = Callable[["Pages"], dict[str, Any]]

# Path parameters -> the world's object (url_id form unless the route takes plain UUIDs).
PARAMS = {
    "course_id": "course",
    "batch_id": "batch",
    "learner_id": "learner",
    "template_id": "template",
    "version_id": "version",
    "achievement_id": "achievement",
    "certificate_id": "certificate",
    "reference": "own_certificate",
    "job_id": "job",
    "correction_id": "correction",
    "user_id": "user",
    "webhook_id": "webhook",
}
COURSE_SCOPED = {
    "course",
    "batch",
    "learner",
    "achievement",
    "certificate",
    "certificate2",
    "own_certificate",
    "job",
    "correction",
}
# Printed on this organisation's pages: the learners of course C1, and its courses' names
# (the other organisation has a "Data Science" course of its own).
LEARNER_NAMES = ("Asha Rao", "Ben Okafor", "Chen Wei")
OTHER = {"token": "not-a-token", "layout_id": "classic-1-1", "action": "revoke"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Served by the framework (the API's documentation); /static is a mount of files, not a route.
FRAMEWORK = {"/api/v1/openapi.json", "/api/v1/docs", "/docs/oauth2-redirect"}


@dataclass(frozen=True)
class Rule:
    access: Access
    ok: int = 200  # what the caller the page is for gets (our admin; the learner on theirs)
    throttled: bool = False  # failed sign-ins from one client end in a 429
    form: Form | None = None
    files: bool = False
    params: dict[str, str] = field(default_factory=dict)  # a different world object
    values: dict[str, str] = field(default_factory=dict)  # a path segment's literal value
    reads: bool = True  # false: changes state, so the in-scope manager does not call it
    csrf: bool = True  # unsafe requests need the session's CSRF token
    login: bool = False  # a sign-in form: it carries the pre-session CSRF token instead
    json: bool = False  # a JSON endpoint: nobody gets 401, not a redirect


@dataclass
class Pages:
    """The world of the API test, plus what the pages need: sessions for every caller, a
    learner's own certificates and their pending name corrections, a public profile."""

    world: World
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    profile: str = ""
    login_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def id(self, name: str) -> str:
        if name == "correction" or name == "correction2":
            return str(self.world.ids[name])  # the correction routes take plain UUIDs
        return self.world.id(name)

    def headers(self, caller: str, method: str, *, csrf: bool = True) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        headers = {"Cookie": f"{SESSION_COOKIE}={self.cookies[caller]}"}
        if csrf and method in UNSAFE:
            headers[CSRF_HEADER] = self.csrf[caller]
        return headers


def _design(pages: Pages) -> dict[str, Any]:
    return {
        "layout": "classic-1-1",
        "title": "Certificate of Merit",
        "signatory_1_name": "Meera Iyer",
        "signatory_1_designation": "Dean",
    }


def _attach(pages: Pages) -> dict[str, Any]:
    return {
        "action": "attach",
        "name": "Distinction",
        "template_version_id": pages.id("version"),
        "criteria": '{"completed": true}',
        "signatory_1_name": "Meera Iyer",
    }


CSV = (
    "course_id,course_name,batch_id,batch_name,learner_id,name,email,status,completed_on\n"
    "C1,Data Science,B1,Spring,L9,New Learner,l9@example.org,enrolled,\n"
)

ROUTES: dict[tuple[str, str], Rule] = {
    # The API's documentation and the sign-in pages: public by design.
    ("GET", "/api/v1/openapi.json"): Rule("public"),
    ("GET", "/api/v1/docs"): Rule("public"),
    ("GET", "/docs/oauth2-redirect"): Rule("public"),
    ("GET", "/login"): Rule("public"),
    ("POST", "/login"): Rule(
        "public",
        ok=401,
        throttled=True,
        form=lambda p: {"email": "nobody@example.org", "password": "x"},
        csrf=False,
        login=True,
    ),
    ("POST", "/login/link"): Rule(
        "public", form=lambda p: {"email": "nobody@example.org"}, csrf=False, login=True
    ),
    ("GET", "/login/link/{token}"): Rule("public"),
    ("POST", "/login/link/{token}"): Rule("public", ok=401, csrf=False, login=True),
    ("GET", "/login/forgot"): Rule("public"),
    ("POST", "/login/forgot"): Rule(
        "public", form=lambda p: {"email": "nobody@example.org"}, csrf=False, login=True
    ),
    ("GET", "/login/reset/{token}"): Rule("public"),
    ("POST", "/login/reset/{token}"): Rule(
        "public",
        ok=401,
        form=lambda p: dict.fromkeys(("new_password", "repeat_password"), "a new one, long enough"),
        csrf=False,
        login=True,
    ),
    ("POST", "/logout"): Rule("signed_in", ok=303, reads=False),
    ("GET", "/account"): Rule("signed_in"),
    # Switching to an organisation where the caller has no account: a 404 for everyone.
    ("POST", "/account/organisation"): Rule(
        "signed_in", ok=404, form=lambda p: {"organisation": "nowhere"}
    ),
    ("POST", "/account/password"): Rule(
        "signed_in",
        ok=422,  # the two new passwords differ: nothing changes
        form=lambda p: {"new_password": "a long new password", "repeat_password": "another"},
    ),
    ("GET", "/p/{token}"): Rule("public", params={"token": "profile"}),
    # A learner's own pages.
    ("GET", "/me"): Rule("learner"),
    ("GET", "/me/certificates/{reference}"): Rule("learner"),
    ("POST", "/me/certificates/{reference}/correction"): Rule(
        "learner", ok=303, form=lambda p: {"name": "Asha R. Rao"}, reads=False
    ),
    ("POST", "/me/profile"): Rule("learner", ok=303, form=lambda p: {"public": "true"}),
    # Name corrections, for admins.
    ("GET", "/admin/corrections"): Rule("admin"),
    ("POST", "/admin/corrections/{correction_id}/approve"): Rule("admin", ok=303, reads=False),
    ("POST", "/admin/corrections/{correction_id}/decline"): Rule(
        "admin",
        ok=303,
        form=lambda p: {"reason": "the name matches the register"},
        params={"correction_id": "correction2"},
        reads=False,
    ),
    # The admin pages.
    ("GET", "/admin"): Rule("staff"),
    ("GET", "/admin/templates"): Rule("staff"),
    ("GET", "/admin/templates/layouts/{layout_id}.png"): Rule("staff"),
    ("POST", "/admin/templates"): Rule(
        "admin", ok=303, form=lambda p: {"layout": "classic-1-1", "name": "Merit"}, reads=False
    ),
    ("GET", "/admin/templates/{template_id}"): Rule("staff"),
    ("POST", "/admin/templates/{template_id}"): Rule("admin", ok=303, form=_design, reads=False),
    ("POST", "/admin/templates/{template_id}/preview"): Rule("staff", form=_design),
    ("POST", "/admin/templates/{template_id}/preview.png"): Rule("staff", form=_design),
    ("GET", "/admin/templates/versions/{version_id}/preview.png"): Rule("staff"),
    ("POST", "/admin/templates/versions/{version_id}/publish"): Rule(
        "admin", ok=303, params={"version_id": "draft_version"}, reads=False
    ),
    ("GET", "/admin/batches/{batch_id}"): Rule("staff"),
    ("POST", "/admin/batches/{batch_id}/achievements"): Rule(
        "staff", ok=303, form=_attach, reads=False
    ),
    # The criteria builder's count and sample, as admin.js asks for it: reads only.
    ("POST", "/admin/batches/{batch_id}/criteria/preview"): Rule(
        "staff", form=lambda p: {"criteria": '{"completed": true}'}
    ),
    ("GET", "/admin/achievements/{achievement_id}/dry-run"): Rule("staff"),
    # The world's achievement has awarded certificates: its edit page says it cannot change.
    ("GET", "/admin/achievements/{achievement_id}/edit"): Rule("staff"),
    # The world's achievement has awarded certificates, so once let in the caller is refused
    # (409): the guard comes first.
    ("POST", "/admin/achievements/{achievement_id}/edit"): Rule(
        "staff",
        ok=409,
        form=lambda p: {"name": "X", "criteria": '{"completed": true}'},
        reads=False,
    ),
    ("POST", "/admin/achievements/{achievement_id}/detach"): Rule("staff", ok=409, reads=False),
    # Moving to a draft is refused (409) once the caller is let in: the world has no newer
    # published version, and the refusal proves the guard came first.
    ("POST", "/admin/achievements/{achievement_id}/template"): Rule(
        "staff", ok=409, form=lambda p: {"template_version_id": p.id("draft_version")}, reads=False
    ),
    ("GET", "/admin/import"): Rule("admin"),
    ("POST", "/admin/import"): Rule("admin", files=True, form=lambda p: {"dry_run": "1"}),
    ("POST", "/admin/achievements/{achievement_id}/issue"): Rule("staff", ok=303, reads=False),
    ("GET", "/admin/jobs/{job_id}"): Rule("staff"),
    ("GET", "/admin/jobs/{job_id}/progress"): Rule("staff", json=True),
    ("GET", "/admin/certificates"): Rule("staff"),
    ("POST", "/admin/certificates/download"): Rule(
        "staff", form=lambda p: {"id": [p.id("certificate")], "format": "ob3"}
    ),
    ("GET", "/admin/certificates/{certificate_id}"): Rule("staff"),
    ("POST", "/admin/certificates/{certificate_id}/{action}"): Rule(
        "staff",
        ok=303,
        form=lambda p: {"reason": "issued in error"},
        params={"certificate_id": "certificate2"},
        reads=False,
    ),
    ("GET", "/admin/audit"): Rule("admin"),
    ("GET", "/admin/users"): Rule("admin"),
    ("POST", "/admin/users/invite"): Rule(
        "admin",
        ok=200,  # no mail server here: the answer shows the sign-in link to hand over
        form=lambda p: {"role": "admin", "email": "new@example.org", "display_name": "New"},
        reads=False,
    ),
    ("POST", "/admin/users/{user_id}/scope"): Rule(
        "admin", ok=303, form=lambda p: {"course_ids": [p.id("course")]}, reads=False
    ),
    ("POST", "/admin/users/{user_id}/invitation"): Rule(
        "admin", ok=303, params={"user_id": "invited"}, reads=False
    ),
    ("POST", "/admin/users/{user_id}/link"): Rule(
        "admin", ok=200, params={"user_id": "invited"}, reads=False
    ),
    ("POST", "/admin/users/invite-batch"): Rule(
        "admin", ok=200, form=lambda p: {"batch": p.id("batch")}, reads=False
    ),
    ("POST", "/admin/users/{user_id}/{action}"): Rule(
        "admin", ok=303, values={"action": "disable"}, reads=False
    ),
    # Settings: the organisation's e-mail templates, webhooks and signing keys.
    ("GET", "/admin/settings"): Rule("admin"),
    ("GET", "/admin/settings/emails/{kind}"): Rule("admin", values={"kind": "issued"}),
    ("POST", "/admin/settings/emails/{kind}"): Rule(
        "admin",
        ok=303,
        form=lambda p: {"action": "save", "subject": "Hi {{ learner_name }}", "text": "Body"},
        values={"kind": "issued"},
        reads=False,
    ),
    ("POST", "/admin/settings/emails/{kind}/reset"): Rule(
        "admin", ok=303, values={"kind": "issued"}, reads=False
    ),
    ("GET", "/admin/settings/webhooks"): Rule("admin"),
    ("POST", "/admin/settings/webhooks"): Rule(
        "admin",  # the answer shows the new secret once
        form=lambda p: {"url": "https://lms.example/new", "events": ["certificate.issued"]},
        reads=False,
    ),
    ("POST", "/admin/settings/webhooks/{webhook_id}/remove"): Rule("admin", ok=303, reads=False),
    ("GET", "/admin/settings/keys"): Rule("admin"),
    ("POST", "/admin/settings/keys/rotate"): Rule(
        "admin", ok=303, form=lambda p: {"confirm": "yes"}, reads=False
    ),
    # The instance's organisations: the operator's (our admin holds the grant).
    ("GET", "/admin/organisations"): Rule("operator"),
    ("POST", "/admin/organisations"): Rule(
        "operator", ok=303, form=lambda p: {"name": "Third Board"}, reads=False
    ),
    ("GET", "/admin/organisations/{slug}"): Rule("operator", values={"slug": "other-college"}),
    ("POST", "/admin/organisations/{slug}"): Rule(
        "operator",
        ok=303,
        form=lambda p: {"name": "Other College", "primary_colour": "#112233"},
        values={"slug": "other-college"},
        reads=False,
    ),
    ("POST", "/admin/organisations/{slug}/admins"): Rule(
        "operator",
        form=lambda p: {"email": "head@other.example", "display_name": "Head"},
        values={"slug": "other-college"},
        reads=False,
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


def page_routes(app: FastAPI, openapi: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (method, path) the app serves that its OpenAPI document does not describe."""
    described = {
        (method.upper(), path)
        for path, operations in openapi["paths"].items()
        for method in operations
    }
    found = set()
    for route in iter_route_contexts(app.routes):
        methods = set(route.methods or ())
        if "GET" in methods:
            methods.discard("HEAD")  # the same handler
        found |= {(m, route.path) for m in methods if route.path is not None}
    return sorted(found - described)


def _caller_session(uow: SqlAlchemyUnitOfWork, pages: Pages, name: str, **user: Any) -> None:
    session, token = start_session(uow, make_user(uow, **user))
    pages.cookies[name], pages.csrf[name] = token, session.csrf_token


def _learner_certificates(uow: SqlAlchemyUnitOfWork, signing: Signing, world: World) -> None:
    """Two more achievements of the batch, so that the learner holds three certificates: one
    for the correction form, two with pending corrections to approve and to decline."""
    for name in ("Attendance", "Participation"):
        achievement = add_achievement(
            uow,
            Principal.at_shell(world.organisation.id),
            batch_id=world.ids["batch"],
            template_version_id=world.ids["version"],
            name=name,
            criteria={"completed": True},
            signatories=[("Meera Iyer", "Dean")],
        )
        issue_achievement(uow, signing, IssueRequest(world.organisation.id, achievement.id))


def build_pages(uow: SqlAlchemyUnitOfWork, signing: Signing) -> Pages:
    world = build_world(uow, signing)
    _learner_certificates(uow, signing, world)
    pages = Pages(world)
    home, other = world.organisation.id, world.other.id
    _caller_session(uow, pages, "admin", organisation_id=home, operator=True)
    _caller_session(uow, pages, "other_admin", organisation_id=other)
    other_course, _ = resolve_batch(uow, other, "B1")
    _caller_session(
        uow,
        pages,
        "other_org_manager",
        organisation_id=other,
        role=Role.COURSE_MANAGER,
        course_ids=[other_course.id],
    )
    with uow:
        other_learner = uow.users.by_email(other, "x1@example.org")
    assert other_learner is not None
    session, token = start_session(uow, other_learner)
    pages.cookies["other_org_learner"], pages.csrf["other_org_learner"] = token, session.csrf_token
    for name, course in (("manager", "course"), ("other_manager", "other_course")):
        user = {"role": Role.COURSE_MANAGER, "course_ids": [world.ids[course]]}
        _caller_session(uow, pages, name, organisation_id=home, **user)
    spare = make_user(uow, home, Role.COURSE_MANAGER, course_ids=[world.ids["course"]])
    world.ids["user"] = spare.id  # the account the users page changes
    world.ids["invited"] = invite_user(  # an invitation not yet taken up, to send again
        uow,
        Principal.at_shell(home),
        email="invited@example.org",
        display_name="Invited",
        role=Role.COURSE_MANAGER,
        course_ids=[world.ids["course"]],
    ).id
    with uow:
        learner_user = uow.users.by_email(home, "asha@example.org")
    assert learner_user is not None
    session, token = start_session(uow, learner_user)
    pages.cookies["learner"], pages.csrf["learner"] = token, session.csrf_token
    principal = Principal.of_user(learner_user)
    own = learner_certificates(uow, principal, links=signing.links)
    assert len(own) == 3
    world.ids["own_certificate"] = own[0].id
    for name, certificate in (("correction", own[1]), ("correction2", own[2])):
        correction = request_name_correction(
            uow, principal, certificate.id, requested_name="Asha Rani Rao"
        )
        world.ids[name] = correction.id
    if world.ids["certificate2"] in {c.id for c in own}:  # someone else's, for the learner
        world.ids["certificate2"], world.ids["certificate"] = (
            world.ids["certificate"],
            world.ids["certificate2"],
        )
    pages.profile = set_public_profile(uow, principal, enabled=True) or ""
    return pages


@pytest.fixture
def pages(uow: SqlAlchemyUnitOfWork, signing: Signing) -> Pages:
    return build_pages(uow, signing)


@pytest.fixture
def browser(container: Container, pages: Pages) -> Iterator[TestClient]:
    app = create_app(container)
    with TestClient(app, base_url="https://certs.example.org", follow_redirects=False) as client:
        yield client


def _url(path: str, rule: Rule, pages: Pages) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in rule.values:
            return rule.values[name]
        target = rule.params.get(name) or PARAMS.get(name)
        if target == "profile":
            return pages.profile
        if target is None:
            return OTHER[name]
        return pages.id(target)

    return re.sub(r"\{(\w+)\}", value, path)


def _call(
    client: TestClient,
    method: str,
    url: str,
    rule: Rule,
    pages: Pages,
    caller: str,
    *,
    csrf: bool = True,
) -> Any:
    kwargs: dict[str, Any] = {"headers": pages.headers(caller, method, csrf=csrf)}
    if rule.form is not None:
        kwargs["data"] = rule.form(pages)
    if rule.login:  # the browser's pre-session cookie, and the form's copy of it
        cookies = [kwargs["headers"].get("Cookie"), f"{login_csrf.COOKIE}={pages.login_token}"]
        kwargs["headers"]["Cookie"] = "; ".join(c for c in cookies if c)
        kwargs["data"] = {**kwargs.get("data", {}), login_csrf.FIELD: pages.login_token}
    if rule.files:
        kwargs["files"] = {"file": ("enrolments.csv", CSV.encode())}
    return client.request(method, url, **kwargs)


def _scoped_ids(path: str, rule: Rule) -> set[str]:
    names = {rule.params.get(n) or PARAMS.get(n) for n in re.findall(r"\{(\w+)\}", path)}
    return {n for n in names if n is not None and n != "profile"}


def _expected_for(caller: str, path: str, rule: Rule) -> set[int] | None:
    """The statuses a caller may get; None: a 2xx is allowed if it shows nothing of ours."""
    if rule.access == "public":
        return None
    if caller == "anonymous":
        return {401} if rule.json else {303}
    if rule.access == "signed_in":
        return None
    ids = _scoped_ids(path, rule)
    if caller == "learner":
        return {rule.ok} if rule.access == "learner" else {403}
    if caller == "other_org_learner":  # their own learner pages, with our ids a 404
        if rule.access != "learner":
            return {403}
        return {404} if ids else None
    if rule.access in ("learner", "operator"):
        return {403}  # staff have no learner pages; only our admin operates the instance
    if caller == "other_org_manager" and rule.access == "admin":
        return {403}
    if caller in ("other_admin", "other_org_manager"):
        return {404} if ids else None
    if caller == "other_manager":
        if rule.access == "admin":
            return {403}
        return {404} if ids & COURSE_SCOPED else None
    raise AssertionError(caller)


def _hidden(caller: str, pages: Pages) -> set[str]:
    """What of ours the caller must never be shown: ids (both forms) and names."""
    ids = pages.world.ids
    if caller in OTHER_ORGANISATION:
        names = set(ids)
    elif caller == "other_manager":
        names = COURSE_SCOPED
    elif caller == "learner":
        names = {"certificate2"}  # another learner's certificate
    else:
        names = set()
    shown = {url_id(ids[n]) for n in names if n in ids} | {str(ids[n]) for n in names if n in ids}
    if caller in (*OTHER_ORGANISATION, "other_manager"):
        shown |= set(LEARNER_NAMES)
    if caller in OTHER_ORGANISATION:
        shown |= {"Statistics", "Home Institute"}  # our course and our name
    elif caller == "other_manager":
        shown.add("Data Science")
    return shown - {""}


def _leaks(response: Any, hidden: set[str]) -> list[str]:
    if response.headers.get("content-type", "").startswith(("image/", "application/zip")):
        return []
    return sorted(value for value in hidden if value in response.text)


def _ordered(routes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Signing out last: it ends the caller's session."""
    return sorted(routes, key=lambda route: route == ("POST", "/logout"))


def test_every_page_has_a_rule(browser: TestClient) -> None:
    routes = set(page_routes(browser.app, browser.get("/api/v1/openapi.json").json()))  # type: ignore[arg-type]
    assert routes - set(ROUTES) == set(), "new pages: say who may call them in ROUTES"
    assert set(ROUTES) - routes == set(), "ROUTES names pages that no longer exist"


def test_every_page_with_every_caller(browser: TestClient, pages: Pages) -> None:
    routes = _ordered(page_routes(browser.app, browser.get("/api/v1/openapi.json").json()))  # type: ignore[arg-type]
    calls = [(caller, route) for caller in OUTSIDERS for route in routes]
    calls += [("manager", r) for r in routes if ROUTES[r].reads]
    calls += [("admin", r) for r in routes]
    failures: list[str] = []
    for caller, (method, path) in calls:
        rule = ROUTES[(method, path)]
        url = _url(path, rule, pages)
        response = _call(browser, method, url, rule, pages, caller)
        status = response.status_code
        where = f"{caller} {method} {url}: {status} {response.text[:200]}"
        if status >= 500:
            failures.append(f"server error: {where}")
            continue
        if caller == "anonymous" and rule.access != "public" and not rule.json:
            expected_location = f"/login?next={quote(url, safe='/')}"
            if response.headers.get("location") != expected_location:
                failures.append(f"not sent to {expected_location}: {where}")
        if caller == "admin":
            expected = {403} if rule.access == "learner" else {rule.ok}
            if rule.throttled:
                expected.add(429)
        elif caller == "manager":
            expected = {403} if rule.access in ("admin", "learner", "operator") else {rule.ok}
            if rule.access == "public":
                expected = set(range(200, 500))
        else:
            expected = _expected_for(caller, path, rule) or set(range(200, 500))
        if status not in expected:
            failures.append(f"expected {sorted(expected)[:4]}: {where}")
        if status < 300 and rule.access != "public":
            leaked = _leaks(response, _hidden(caller, pages))
            if leaked:
                failures.append(f"shows {leaked}: {where}")
    assert not failures, "\n".join(failures)


def test_unsafe_pages_refuse_requests_without_the_csrf_token(
    browser: TestClient, pages: Pages
) -> None:
    """A signed-in browser's POST without its session's CSRF token (or with a forged one) is a
    403 and changes nothing, whoever the page is for."""
    routes = page_routes(browser.app, browser.get("/api/v1/openapi.json").json())  # type: ignore[arg-type]
    checked = [r for r in routes if r[0] in UNSAFE and ROUTES[r].csrf]
    exempt = {r for r in routes if r[0] in UNSAFE} - set(checked)
    assert {path for _, path in exempt} == {
        "/login",
        "/login/link",
        "/login/link/{token}",
        "/login/forgot",
        "/login/reset/{token}",
    }
    failures = []
    for method, path in checked:
        rule = ROUTES[(method, path)]
        caller = "learner" if rule.access == "learner" else "admin"
        url = _url(path, rule, pages)
        missing = _call(browser, method, url, rule, pages, caller, csrf=False)
        forged = browser.request(
            method,
            url,
            headers={**pages.headers(caller, method, csrf=False), CSRF_HEADER: "forged"},
            data=rule.form(pages) if rule.form else None,
        )
        for response in (missing, forged):
            if response.status_code != 403:
                failures.append(f"{caller} {method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    # Nothing changed: the corrections are still pending, the certificate not revoked.
    admin = pages.headers("admin", "GET")
    assert browser.get("/admin/corrections", headers=admin).text.count("Asha Rani Rao") >= 2
    detail = browser.get(f"/admin/certificates/{pages.id('certificate2')}", headers=admin)
    assert "issued in error" not in detail.text


def test_a_learner_sees_only_their_own_certificates(browser: TestClient, pages: Pages) -> None:
    learner = pages.headers("learner", "GET")
    mine = browser.get(f"/me/certificates/{pages.id('own_certificate')}", headers=learner)
    assert mine.status_code == 200
    theirs = browser.get(f"/me/certificates/{pages.id('certificate2')}", headers=learner)
    assert theirs.status_code == 404
    listing = browser.get("/me", headers=learner).text
    assert pages.id("own_certificate") in listing
    assert pages.id("certificate2") not in listing


# Who may use a route of each access (ROUTES), and where each role's pages begin.
MAY_USE: dict[str, set[Access]] = {
    "admin": {"public", "signed_in", "staff", "admin", "operator"},
    "manager": {"public", "signed_in", "staff"},
    "other_manager": {"public", "signed_in", "staff"},
    "learner": {"public", "signed_in", "learner"},
    "other_admin": {"public", "signed_in", "staff", "admin"},
    "other_org_manager": {"public", "signed_in", "staff"},
    "other_org_learner": {"public", "signed_in", "learner"},
}
HOME = {
    "admin": "/admin",
    "manager": "/admin",
    "other_manager": "/admin",
    "learner": "/me",
    "other_admin": "/admin",
    "other_org_manager": "/admin",
    "other_org_learner": "/me",
}


def _rule_for(app: Any, method: str, path: str) -> tuple[str, Rule] | None:
    """The page route the app would answer ``method path`` with, and its rule."""
    scope = {"type": "http", "method": method, "path": path}
    for route in iter_route_contexts(app.routes):
        match, _ = route.matches(scope)
        if match is Match.FULL and route.path is not None:
            rule = ROUTES.get((method, route.path))
            return None if rule is None else (route.path, rule)
    return None


def _same_site(target: SplitResult) -> str | None:
    """Every link of this site, query included, but not the language switch (the same page
    again); signing out is a form, never followed."""
    if target.path == "/logout" or "lang=" in target.query:
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def _unusable(app: Any, caller: str, visit: Visit) -> list[str]:
    """What ``visit`` shows ``caller`` that they may not use: a link that answered 403/404,
    or a form posting to a page whose rule is not for them."""
    where = f"{caller}: {visit.url} (linked from {visit.found_on})"
    problems = []
    if visit.response.status_code in (403, 404) or visit.response.status_code >= 500:
        problems.append(f"{visit.response.status_code} {where}")
    for form in visit.parts.forms if visit.parts is not None else ():
        if form.method == "GET":
            continue  # a search form: it only reads, as the links do
        found = _rule_for(app, form.method, urlsplit(form.action).path)
        if found is None or found[1].access not in MAY_USE[caller]:
            problems.append(f"form {form.method} {form.action} on {where}")
    return problems


@pytest.mark.parametrize("caller", list(MAY_USE))
def test_every_link_a_page_shows_can_be_followed(
    browser: TestClient, pages: Pages, caller: str
) -> None:
    """Each role walks every page it can reach from its home page, following every link of
    this site (and submitting nothing): none answers 403 or 404, every form it is shown posts
    to a page that role may use, and no page shows the other organisation's objects."""
    headers = pages.headers(caller, "GET")
    visits = list(crawl(browser, HOME[caller], headers, _same_site))
    failures = {p for visit in visits for p in _unusable(browser.app, caller, visit)}
    # Neither organisation's pages show the other's: its name, its learner, its people. (Our
    # admin also operates the instance: its Organisations screen names every organisation.)
    if caller in OTHER_ORGANISATION:
        hidden = _hidden(caller, pages)
    else:
        hidden = {"Other College", "Learner X1", "x1@example.org"} if caller != "admin" else set()
    if hidden:
        failures |= {
            f"{caller}: {visit.url} shows {leaked}"
            for visit in visits
            if (leaked := _leaks(visit.response, hidden))
        }
    assert not failures, "\n".join(sorted(failures))
    pages_seen = [v.url for v in visits if v.parts is not None and v.response.status_code == 200]
    fewest = 8 if caller in ("admin", "manager", "other_admin") else 2
    assert len(pages_seen) >= fewest, pages_seen
