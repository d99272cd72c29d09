"""Server-rendered pages: one Jinja2 environment with autoescaping and gettext, built once per
app (``web/i18n.py`` chooses each request's language).

Globals every template can use:

- ``csrf_input()``: the hidden ``csrf_token`` field a form posted with a session cookie must
  carry (empty when nobody is signed in; the token is the one ``web/deps.py`` put on
  ``request.state``).
- ``can(name)``: whether the person viewing the page may use the route called ``name`` (its
  guards, ``web.deps.RouteAccess``); links, buttons and forms a person cannot use are not shown.
- ``acting()``: the organisation the signed-in person's pages act in and the others they may
  switch to (``services.identity.memberships.ActingAs``), or None; looked up once a request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from certmint.domain.ids import url_id
from certmint.services.identity.memberships import ActingAs, acting_as
from certmint.web.deps import RouteAccess
from certmint.web.i18n import Catalogues, i18n_context, install_i18n

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "acting", "can", "csrf_input", "make_templates"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"


@pass_context
def csrf_input(context: Any) -> Markup:
    request = context.get("request")
    token = getattr(request.state, "csrf_token", None) if request is not None else None
    if not token:
        return Markup("")
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)


def _access(app: FastAPI, name: str) -> RouteAccess:
    """The access rule of the route called ``name``, read once per app."""
    rules: dict[str, RouteAccess] | None = getattr(app.state, "route_access", None)
    if rules is None:
        rules = {
            route.name: RouteAccess.of(route.dependant)
            for route in iter_route_contexts(app.routes)
            if route.name is not None and hasattr(route, "dependant")
        }
        app.state.route_access = rules
    return rules[name]  # a KeyError names a template's typo


@pass_context
def can(context: Any, name: str) -> bool:
    request = context["request"]
    return _access(request.app, name).admits(getattr(request.state, "principal", None))


@pass_context
def acting(context: Any) -> ActingAs | None:
    request = context["request"]
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return None
    if not hasattr(request.state, "acting"):
        uow = request.app.state.container.uow(read_only=True)
        request.state.acting = acting_as(uow, principal)
    found: ActingAs | None = request.state.acting
    return found


def make_templates(catalogues: Catalogues) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[i18n_context])
    install_i18n(templates.env, catalogues)
    templates.env.filters["short_id"] = url_id
    templates.env.globals["csrf_input"] = csrf_input
    templates.env.globals["can"] = can
    templates.env.globals["acting"] = acting
    return templates
