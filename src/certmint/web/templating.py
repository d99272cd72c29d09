"""Server-rendered pages: one Jinja2 environment with autoescaping and gettext, built once per
app (``web/i18n.py`` chooses each request's language).

Globals every template can use:

- ``csrf_input()``: the hidden ``csrf_token`` field a form posted with a session cookie must
  carry (empty when nobody is signed in; the token is the one ``web/deps.py`` put on
  ``request.state``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup

from certmint.domain.ids import url_id
from certmint.web.i18n import Catalogues, i18n_context, install_i18n

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "csrf_input", "make_templates"]

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


def make_templates(catalogues: Catalogues) -> Jinja2Templates:
    templates = Jinja2Templates(directory=TEMPLATES_DIR, context_processors=[i18n_context])
    install_i18n(templates.env, catalogues)
    templates.env.filters["short_id"] = url_id
    templates.env.globals["csrf_input"] = csrf_input
    return templates
