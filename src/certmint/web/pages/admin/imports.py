"""The enrolment CSV import: every bad line named, nothing written unless the file is clean."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from certmint.services.catalogue.imports import import_enrolments
from certmint.services.errors import ImportRejected, InvalidInput
from certmint.services.issuance.requests import request_automatic_issuance
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.i18n import N_, translate
from certmint.web.pages.admin.common import FormDep, field, render, upload

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_import"
SHOWN_PROBLEMS = 200  # a file with 100,000 bad lines still renders a readable page


@router.get("/import", name="admin_import")
def import_page(request: Request, _principal: PageAdminDep) -> Response:
    return render(request, "import.html", {}, section=SECTION)


@router.post("/import", name="admin_import_upload")
def upload_csv(
    request: Request, principal: PageAdminDep, container: ContainerDep, form: FormDep
) -> Response:
    data = upload(form, "file")
    dry_run = bool(field(form, "dry_run"))
    context: dict[str, object] = {"dry_run": dry_run}
    if data is None:
        context["problems"] = [translate(request, N_("file: choose a CSV file to import"))]
        return render(request, "import.html", context, section=SECTION, status_code=422)
    try:
        summary = import_enrolments(
            container.uow(),
            principal.organisation_id,
            data,
            dry_run=dry_run,
            actor=principal.actor,
            source="web",
            principal=principal,
        )
    except InvalidInput as exc:
        problems = exc.problems
        context |= {
            "problems": problems[:SHOWN_PROBLEMS],
            "hidden": max(0, len(problems) - SHOWN_PROBLEMS),
            "rejected": isinstance(exc, ImportRejected),
        }
        return render(request, "import.html", context, section=SECTION, status_code=422)
    # Automatic issuance runs on the executor (the broker's workers, or a thread of this
    # process): the page answers at once and links to the jobs.
    automatic = request_automatic_issuance(
        container.uow(),
        container.signing,
        container.executor,
        principal.organisation_id,
        [] if dry_run else summary.changed_enrolment_ids,
        actor=principal.actor,
    )
    context |= {"summary": summary, "automatic": automatic}
    return render(request, "import.html", context, section=SECTION)
