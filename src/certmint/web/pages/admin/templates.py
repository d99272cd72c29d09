"""Templates: the gallery of layouts, the designer with its live preview, versions, publish.

Admins make templates; course managers see them and may preview changes, which saves nothing.
The preview works without JavaScript (the Preview button posts the form to ``.../preview``,
which re-renders the page with the image) and with it (``admin.js`` posts the form to
``preview.png`` a moment after each change).
"""

from __future__ import annotations

import base64
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.rendering import GALLERY, MAX_SIGNATORIES, Design, Paper, Signatory
from certmint.services.catalogue.achievements import template_usage
from certmint.services.catalogue.templates import (
    create_template,
    design_from_json,
    get_template,
    layout_thumbnail,
    list_templates,
    preview_design,
    preview_template,
    publish_template_version,
    revise_template,
)
from certmint.services.errors import InvalidInput, NotFound
from certmint.web.deps import ContainerDep, PageAdminDep, PageStaffDep
from certmint.web.i18n import N_, translate
from certmint.web.pages.admin.common import FormDep, field, page_id, redirect, render, upload

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_templates"
LAYOUTS = {layout.id: layout for layout in GALLERY}
# The designer's text fields and their labels (translated by the template).
TEXT_FIELDS = (
    ("title", N_("Title")),
    ("subtitle", N_("Line above the name")),
    ("description", N_("Line below the name")),
    ("details", N_("Details line")),
    ("issuer_name", N_("Issuer")),
)
# Shown after a redirect (``?done=``); translated by the template.
MESSAGES = {"saved": N_("Saved as a new draft version."), "published": N_("Version published.")}
DEFAULT_NAME = N_("%(layout)s certificate")  # also the gallery's placeholder


def _png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/templates", name="admin_templates")
def gallery(request: Request, principal: PageStaffDep, container: ContainerDep) -> Response:
    templates = list_templates(container.uow(), principal.organisation_id)
    return render(
        request, "templates.html", {"layouts": GALLERY, "templates": templates}, section=SECTION
    )


@router.get("/templates/layouts/{layout_id}.png", name="admin_layout_thumbnail")
def thumbnail(layout_id: str, _principal: PageStaffDep, container: ContainerDep) -> Response:
    if layout_id not in LAYOUTS:
        raise NotFound("layout", layout_id)
    return Response(
        layout_thumbnail(layout_id, container.fonts),
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=86400"},
    )


@router.post("/templates", name="admin_template_create")
def create(
    request: Request, principal: PageAdminDep, container: ContainerDep, form: FormDep
) -> Response:
    layout = field(form, "layout")
    if layout not in LAYOUTS:
        raise NotFound("layout", layout)
    design = Design(layout=layout)
    version = create_template(
        container.uow(),
        principal,
        design,
        name=field(form, "name").strip()
        or translate(request, DEFAULT_NAME, layout=translate(request, LAYOUTS[layout].name)),
    )
    return redirect(request, "admin_template", template_id=version.template_id)


def _designer(
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    template_id: str,
    *,
    design: Design | None = None,
    preview: bytes | None = None,
    problems: tuple[object, ...] = (),
) -> Response:
    """The designer page; with ``problems`` (the form's design was refused), a 422."""
    template, versions = get_template(
        container.uow(), principal.organisation_id, page_id(template_id, "template")
    )
    latest = versions[-1]
    if design is None:
        design = design_from_json(latest.design) if latest.design else None
    return render(
        request,
        "template.html",
        {
            "template": template,
            "versions": list(reversed(versions)),
            "used_by": template_usage(container.uow(), principal, [v.id for v in versions]),
            "latest": latest,
            "design": design,
            "layouts": GALLERY,
            "papers": list(Paper),
            "text_fields": TEXT_FIELDS,
            "signatory_rows": MAX_SIGNATORIES,
            "preview": base64.b64encode(preview).decode() if preview else None,
            "problems": problems,
            "message": MESSAGES.get(request.query_params.get("done", "")),
        },
        section=SECTION,
        status_code=422 if problems else 200,
    )


@router.get("/templates/{template_id}", name="admin_template")
def designer(
    template_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    return _designer(request, principal, container, template_id)


def _design_from_form(form: FormData, base: Design | None) -> Design:
    """The designer's form on top of the last saved design: images not uploaded again are
    kept unless their "remove" box is ticked."""
    base = base or Design(layout=field(form, "layout"))
    logos = [] if field(form, "remove_logos") else list(base.logos)
    for n in (1, 2):
        image = upload(form, f"logo_{n}")
        if image is not None:
            if n <= len(logos):
                logos[n - 1] = image
            else:
                logos.append(image)
    signatories = []
    for n in range(1, MAX_SIGNATORIES + 1):
        name = field(form, f"signatory_{n}_name").strip()
        if not name:
            continue
        kept = base.signatories[n - 1].image if n <= len(base.signatories) else None
        image = upload(form, f"signatory_{n}_image")
        if field(form, f"signatory_{n}_remove_image"):
            kept = None
        signatories.append(
            Signatory(name, field(form, f"signatory_{n}_designation").strip(), image or kept)
        )
    paper = field(form, "paper", base.paper.value)
    return replace(
        base,
        layout=field(form, "layout", base.layout),
        paper=Paper(paper) if paper in {p.value for p in Paper} else base.paper,
        logos=tuple(logos),
        signatories=tuple(signatories),
        title=field(form, "title", base.title),
        subtitle=field(form, "subtitle", base.subtitle),
        description=field(form, "description", base.description),
        details=field(form, "details", base.details),
        issuer_name=field(form, "issuer_name", base.issuer_name),
    )


def _saved_design(
    container: ContainerDep, principal: PageStaffDep, template_id: str
) -> Design | None:
    _, versions = get_template(
        container.uow(), principal.organisation_id, page_id(template_id, "template")
    )
    latest = versions[-1].design
    return design_from_json(latest) if latest else None


@router.post("/templates/{template_id}", name="admin_template_save")
def save(
    template_id: str,
    request: Request,
    principal: PageAdminDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Save the form as a new draft version."""
    design = _design_from_form(form, _saved_design(container, principal, template_id))
    try:
        revise_template(
            container.uow(),
            principal,
            page_id(template_id, "template"),
            design=design,
        )
    except InvalidInput as exc:
        return _designer(
            request, principal, container, template_id, design=design, problems=exc.problems
        )
    return redirect(request, "admin_template", done="saved", template_id=template_id)


@router.post("/templates/{template_id}/preview", name="admin_template_preview_page")
def preview_page(
    template_id: str,
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """The designer again, with the form as it stands and its preview; nothing is saved."""
    design = _design_from_form(form, _saved_design(container, principal, template_id))
    try:
        preview = preview_design(
            container.uow(),
            principal.organisation_id,
            design,
            fonts=container.fonts,
            links=container.links,
        )
    except InvalidInput as exc:
        return _designer(
            request, principal, container, template_id, design=design, problems=exc.problems
        )
    return _designer(request, principal, container, template_id, design=design, preview=preview)


@router.post("/templates/{template_id}/preview.png", name="admin_template_preview")
def live_preview(
    template_id: str, principal: PageStaffDep, container: ContainerDep, form: FormDep
) -> Response:
    """The live preview's image for the form as it stands (problems as a 422 problem)."""
    design = _design_from_form(form, _saved_design(container, principal, template_id))
    return _png(
        preview_design(
            container.uow(),
            principal.organisation_id,
            design,
            fonts=container.fonts,
            links=container.links,
        )
    )


@router.get("/templates/versions/{version_id}/preview.png", name="admin_version_preview")
def version_preview(version_id: str, principal: PageStaffDep, container: ContainerDep) -> Response:
    return _png(
        preview_template(
            container.uow(),
            principal.organisation_id,
            page_id(version_id, "template version"),
            fonts=container.fonts,
            links=container.links,
            output="png",
        )
    )


@router.post("/templates/versions/{version_id}/publish", name="admin_version_publish")
def publish(
    version_id: str,
    request: Request,
    principal: PageAdminDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    version = publish_template_version(
        container.uow(),
        principal,
        page_id(version_id, "template version"),
    )
    return redirect(request, "admin_template", done="published", template_id=version.template_id)
