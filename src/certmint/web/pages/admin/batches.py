"""A batch: its achievements, the criteria editor, attaching a template, and the dry run."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.criteria import to_json
from certmint.rendering import MAX_SIGNATORIES
from certmint.services.catalogue.achievements import (
    add_achievement,
    detach_achievement,
    edit_achievement,
    move_achievement,
)
from certmint.services.errors import InvalidInput
from certmint.services.read_models.batch_page import (
    batch_dry_run,
    batch_view,
)
from certmint.services.read_models.criteria_builder import BatchSurvey, editable, survey_batch
from certmint.web.bounds import whole_number
from certmint.web.deps import ContainerDep, PageStaffDep
from certmint.web.i18n import N_, translate
from certmint.web.pages.admin.common import FormDep, field, page_id, redirect, render
from certmint.web.pages.admin.criteria_form import (
    START,
    CriteriaForm,
    builder_context,
    criteria_form,
    initial_form,
)

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_dashboard"
# Shown after a redirect (``?done=``); translated by the template.
MESSAGES = {
    "attached": N_("Achievement attached. Check the dry run, then issue."),
    "edited": N_("Achievement saved. Check the dry run, then issue."),
    "detached": N_("Achievement detached: the batch no longer awards it."),
    "moved": N_(
        "Moved to the newer template version: certificates issued from now on use it; "
        "those already issued keep theirs."
    ),
}
DEFAULT_NAME = N_("Completion")


def _batch_page(
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    batch_id: UUID,
    *,
    form: dict[str, Any] | None = None,
    cf: CriteriaForm | None = None,
    found: BatchSurvey | None = None,
    problems: tuple[object, ...] = (),
    confirm: bool = False,
    status_code: int = 200,
) -> Response:
    """The batch page; the attach form shows ``form`` and the builder ``cf`` as submitted."""
    view = batch_view(container.uow(), principal, batch_id)
    cf = cf or initial_form(START)
    found = found or survey_batch(container.uow(), principal, batch_id, cf.criterion)
    return render(
        request,
        "batch.html",
        {
            "view": view,
            "form": form or {"name": translate(request, DEFAULT_NAME)},
            "problems": problems,
            "signatory_rows": MAX_SIGNATORIES,
            "message": MESSAGES.get(request.query_params.get("done", "")),
            **builder_context(cf, found, confirm=confirm),
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/batches/{batch_id}", name="admin_batch")
def batch_page(
    batch_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    return _batch_page(request, principal, container, page_id(batch_id, "batch"))


def _days(request: Request, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    days = whole_number(text, max_digits=9)  # the service bounds it further
    if days is None:
        problem = translate(request, N_("valid_for_days: a whole number of days"))
        raise InvalidInput([problem], "achievement rejected")
    return days


def _signatories(form: FormData) -> list[tuple[str, str]]:
    pairs = []
    for n in range(1, MAX_SIGNATORIES + 1):
        name = field(form, f"signatory_{n}_name").strip()
        if name:
            pairs.append((name, field(form, f"signatory_{n}_designation").strip()))
    return pairs


def _stays(form: FormData) -> bool:
    """The submission asks to see the form again: "Check criteria", a condition added or
    removed, or the builder started again (also the Enter key, whose first submit button is a
    hidden "Check")."""
    return field(form, "action") == "check" or any(
        field(form, name) for name in ("add", "remove", "restart")
    )


def _needs_confirming(form: FormData, found: BatchSurvey) -> bool:
    """Conditions that nobody's data can meet are said before saving, once."""
    return bool(found.warnings) and field(form, "action") not in ("attach_anyway", "save_anyway")


@router.post("/batches/{batch_id}/achievements", name="admin_achievement_add")
def add(
    batch_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Attach, or show the form again with the builder's count and sample ("Check criteria",
    a condition added or removed, or conditions to confirm)."""
    batch = page_id(batch_id, "batch")
    values = {name: value for name, value in form.items() if isinstance(value, str)}
    cf = criteria_form(form)
    found = survey_batch(container.uow(), principal, batch, cf.criterion)
    again = partial(
        _batch_page, request, principal, container, batch, form=values, cf=cf, found=found
    )
    if cf.criterion is None:
        return again(status_code=422)
    if _stays(form):
        return again()
    if _needs_confirming(form, found):
        return again(confirm=True)
    try:
        add_achievement(
            container.uow(),
            principal,
            batch_id=batch,
            template_version_id=page_id(field(form, "template_version_id"), "template version"),
            name=field(form, "name"),
            criteria=to_json(cf.criterion),
            description=field(form, "description"),
            valid_for_days=_days(request, field(form, "valid_for_days")),
            auto_issue=bool(field(form, "auto_issue")),
            signatories=_signatories(form),
        )
    except InvalidInput as exc:
        return again(problems=exc.problems, status_code=422)
    return redirect(request, "admin_batch", done="attached", batch_id=batch_id)


@router.post("/batches/{batch_id}/criteria/preview", name="admin_criteria_preview")
def criteria_preview(
    batch_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """The builder's count and sample for the criteria as they stand (admin.js asks for it as
    the fields change): the same piece of page the form shows, alone."""
    cf = criteria_form(form)
    found = survey_batch(container.uow(), principal, page_id(batch_id, "batch"), cf.criterion)
    return render(request, "_criteria_preview.html", builder_context(cf, found), section=SECTION)


def _edit_page(
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    achievement_id: str,
    *,
    form: FormData | None = None,
    problems: tuple[object, ...] = (),
    confirm: bool = False,
    status_code: int = 200,
) -> Response:
    editing = editable(container.uow(), principal, page_id(achievement_id, "achievement"))
    cf = criteria_form(form) if form is not None else initial_form(editing.achievement.criteria)
    found = survey_batch(container.uow(), principal, editing.batch.id, cf.criterion)
    a = editing.achievement
    shown = {"name": a.name, "description": a.description, "valid_for_days": a.valid_for_days}
    if form is not None:
        shown = {name: field(form, name) for name in shown}
    return render(
        request,
        "achievement_edit.html",
        {
            "editing": editing,
            "form": shown,
            "problems": problems,
            **builder_context(cf, found, confirm=confirm),
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/achievements/{achievement_id}/edit", name="admin_achievement_edit_page")
def edit_page(
    achievement_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    """An achievement's name, description, criteria (in the builder) and validity, to change
    while it has awarded nothing; and detaching it."""
    return _edit_page(request, principal, container, achievement_id)


@router.post("/achievements/{achievement_id}/edit", name="admin_achievement_edit")
def edit(
    achievement_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Change an achievement that has awarded nothing yet; a refusal keeps what was typed."""
    again = partial(_edit_page, request, principal, container, achievement_id, form=form)
    editing = editable(container.uow(), principal, page_id(achievement_id, "achievement"))
    cf = criteria_form(form)
    if editing.issued == 0:  # once it has awarded, the service's refusal answers
        if cf.criterion is None:
            return again(status_code=422)
        if _stays(form):
            return again()
        found = survey_batch(container.uow(), principal, editing.batch.id, cf.criterion)
        if _needs_confirming(form, found):
            return again(confirm=True)
    try:
        edited = edit_achievement(
            container.uow(),
            principal,
            editing.achievement.id,
            name=field(form, "name"),
            criteria=to_json(cf.criterion) if cf.criterion else None,
            description=field(form, "description"),
            valid_for_days=_days(request, field(form, "valid_for_days")),
        )
    except InvalidInput as exc:
        return again(problems=exc.problems, status_code=422)
    return redirect(request, "admin_batch", done="edited", batch_id=edited.batch_id)


@router.post("/achievements/{achievement_id}/detach", name="admin_achievement_detach")
def detach(
    achievement_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    detached = detach_achievement(
        container.uow(), principal, page_id(achievement_id, "achievement")
    )
    return redirect(request, "admin_batch", done="detached", batch_id=detached.batch_id)


@router.post("/achievements/{achievement_id}/template", name="admin_achievement_move")
def move(
    achievement_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Move an achievement to its template's newer published version."""
    moved = move_achievement(
        container.uow(),
        principal,
        page_id(achievement_id, "achievement"),
        page_id(field(form, "template_version_id"), "template version"),
    )
    return redirect(request, "admin_batch", done="moved", batch_id=moved.batch_id)


@router.get("/achievements/{achievement_id}/dry-run", name="admin_dry_run")
def dry_run_page(
    achievement_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    result = batch_dry_run(container.uow(), principal, page_id(achievement_id, "achievement"))
    return render(request, "dry_run.html", {"run": result}, section=SECTION)
