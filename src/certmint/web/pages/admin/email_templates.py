"""Settings, e-mail templates (admins only): for each kind of e-mail to learners, the wording sent
now (the organisation's own or the default), edited with a preview filled with sample values,
saved or reset to the default. Checking, saving and the audit log are
``services.notifications.email_templates``'s; a rejected template comes back with the text as
typed."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.accounts import Principal
from certmint.domain.email_templates import PLACEHOLDERS, EmailTemplate
from certmint.domain.notifications import NotificationKind
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.notifications.email_templates import (
    FILTERS,
    RenderedEmail,
    email_template,
    preview_email_template,
    reset_email_template,
    set_email_template,
)
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.pages.admin.common import FormDep, field, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_settings"
# What the page says after a change (a fixed key in the URL, never text from the request).
DONE = ("saved", "reset")


def _kind(text: str) -> NotificationKind:
    if text not in NotificationKind._value2member_map_:
        raise NotFound("e-mail template", text)
    return NotificationKind(text)


def _typed(form: FormData) -> EmailTemplate:
    return EmailTemplate(field(form, "subject"), field(form, "text"), field(form, "html") or None)


@router.get("/settings", name=SECTION)
def email_templates_page(
    request: Request, principal: PageAdminDep, container: ContainerDep
) -> Response:
    """Every kind of e-mail with its subject now, and whether it is the organisation's own."""
    kinds = [
        (kind, *email_template(container.uow(), principal.organisation_id, kind))
        for kind in NotificationKind
    ]
    return render(request, "email_templates.html", {"kinds": kinds}, section=SECTION)


def _editor(
    request: Request,
    principal: Principal,
    container: ContainerDep,
    kind: NotificationKind,
    *,
    typed: EmailTemplate | None = None,
    preview: RenderedEmail | None = None,
    problems: Sequence[object] = (),
    status_code: int = 200,
) -> Response:
    current, own = email_template(container.uow(), principal.organisation_id, kind)
    if typed is None and preview is None:
        preview = preview_email_template(container.uow(), principal.organisation_id, kind)
    done = request.query_params.get("done", "")
    return render(
        request,
        "email_template.html",
        {
            "kind": kind,
            "own": own,
            "template": typed or current,
            "preview": preview,
            "placeholders": PLACEHOLDERS,
            "filters": sorted(FILTERS),
            "problems": problems,
            "done": done if done in DONE else "",
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/settings/emails/{kind}", name="admin_email_template")
def email_template_page(
    kind: str, request: Request, principal: PageAdminDep, container: ContainerDep
) -> Response:
    return _editor(request, principal, container, _kind(kind))


@router.post("/settings/emails/{kind}", name="admin_email_template_save")
def save_or_preview(
    kind: str,
    request: Request,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """``action=preview`` shows the typed text with sample values (nothing saved); otherwise
    the text is saved. Either way a rejected template is shown again as typed."""
    chosen, typed = _kind(kind), _typed(form)
    try:
        if field(form, "action") == "preview":
            preview = preview_email_template(
                container.uow(), principal.organisation_id, chosen, typed
            )
            return _editor(request, principal, container, chosen, typed=typed, preview=preview)
        set_email_template(container.uow(), principal, chosen, typed)
    except InvalidInput as exc:
        return _editor(
            request,
            principal,
            container,
            chosen,
            typed=typed,
            problems=exc.problems,
            status_code=422,
        )
    return redirect(request, "admin_email_template", done="saved", kind=chosen.value)


@router.post("/settings/emails/{kind}/reset", name="admin_email_template_reset")
def reset(
    kind: str,
    request: Request,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    chosen = _kind(kind)
    reset_email_template(container.uow(), principal, chosen)
    return redirect(request, "admin_email_template", done="reset", kind=chosen.value)
