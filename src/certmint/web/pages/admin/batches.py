"""A batch: its achievements, the criteria editor, attaching a template, and the dry run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.criteria import CriteriaProblem
from certmint.domain.messages import Sentence
from certmint.rendering import MAX_SIGNATORIES
from certmint.services.catalogue.achievements import (
    detach_achievement,
    edit_achievement,
    get_achievement,
    move_achievement,
)
from certmint.services.errors import InvalidInput
from certmint.services.read_models.batch_page import (
    attach_achievement,
    batch_dry_run,
    batch_view,
    criteria_from_text,
    describe_criteria,
)
from certmint.web.bounds import whole_number
from certmint.web.deps import ContainerDep, PageStaffDep
from certmint.web.i18n import N_, translate
from certmint.web.pages.admin.common import FormDep, field, page_id, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_dashboard"
EXAMPLE_CRITERIA = '{"all": [\n  {"completed": true},\n  {"score": {"over": "best", ">=": 60}}\n]}'
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
    batch_id: str,
    *,
    form: dict[str, Any] | None = None,
    problems: tuple[object, ...] = (),
    sentence: Sentence | None = None,
    status_code: int = 200,
) -> Response:
    view = batch_view(container.uow(), principal, page_id(batch_id, "batch"))
    # Criteria problems name their JSON path ("$.all[1].score"): shown at the editor.
    at_path = [p for p in problems if isinstance(p, CriteriaProblem)]
    return render(
        request,
        "batch.html",
        {
            "view": view,
            "form": form
            or {"criteria": EXAMPLE_CRITERIA, "name": translate(request, DEFAULT_NAME)},
            "problems": [p for p in problems if not isinstance(p, CriteriaProblem)],
            "criteria_problems": at_path,
            "sentence": sentence,
            "signatory_rows": MAX_SIGNATORIES,
            "message": MESSAGES.get(request.query_params.get("done", "")),
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/batches/{batch_id}", name="admin_batch")
def batch_page(
    batch_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    return _batch_page(request, principal, container, batch_id)


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


@router.post("/batches/{batch_id}/achievements", name="admin_achievement_add")
def add(
    batch_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """ "Check" shows the criteria's sentence (or where they are wrong); "Attach" saves."""
    values = {name: value for name, value in form.items() if isinstance(value, str)}
    try:
        if field(form, "action") == "check":
            sentence = describe_criteria(criteria_from_text(field(form, "criteria")))
            return _batch_page(
                request, principal, container, batch_id, form=values, sentence=sentence
            )
        attach_achievement(
            container.uow(),
            principal,
            page_id(batch_id, "batch"),
            template_version_id=page_id(field(form, "template_version_id"), "template version"),
            name=field(form, "name"),
            criteria_text=field(form, "criteria"),
            description=field(form, "description"),
            valid_for_days=_days(request, field(form, "valid_for_days")),
            auto_issue=bool(field(form, "auto_issue")),
            signatories=_signatories(form),
        )
    except InvalidInput as exc:
        return _batch_page(
            request,
            principal,
            container,
            batch_id,
            form=values,
            problems=exc.problems,
            status_code=422,
        )
    return redirect(request, "admin_batch", done="attached", batch_id=batch_id)


@router.post("/achievements/{achievement_id}/edit", name="admin_achievement_edit")
def edit(
    achievement_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Change an achievement that has awarded nothing yet; a refusal keeps what was typed."""
    found = get_achievement(
        container.uow(), principal.organisation_id, page_id(achievement_id, "achievement")
    )
    try:
        edited = edit_achievement(
            container.uow(),
            principal,
            found.id,
            name=field(form, "name"),
            criteria=criteria_from_text(field(form, "criteria")),
            description=field(form, "description"),
            valid_for_days=_days(request, field(form, "valid_for_days")),
        )
    except InvalidInput as exc:
        return _batch_page(
            request,
            principal,
            container,
            str(found.batch_id),
            problems=exc.problems,
            status_code=422,
        )
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
