"""Certificate templates: designed from a gallery layout or uploaded as SVG, in versions.

A new template or an edit makes a draft version; publishing freezes it (its SVG's hash is kept)
so achievements can use it. Anyone staff may look and preview; admins create and publish.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from certmint.domain.ids import url_id
from certmint.domain.templates import Template, TemplateVersion
from certmint.services.catalogue.templates import (
    SavedVersion,
    create_template,
    get_template,
    get_template_version,
    list_template_versions,
    list_templates_page,
    parse_design,
    preview_template,
    publish_template_version,
    revise_template,
    upload_template,
)
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import AdminDep, ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["templates"])

MAX_SVG = 5_000_000
PREVIEW_TYPES = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml"}


class SignatoryIn(BaseModel):
    name: str = Field(max_length=200, examples=["Dr. Meera Iyer"])
    designation: str = Field(max_length=200, examples=["Director"])
    image: str | None = Field(
        default=None, max_length=2_000_000, description="A signature image, base64."
    )


class DesignIn(BaseModel):
    """The designer's choices. Texts may hold placeholders such as ``{{recipient.name}}``."""

    layout: str = Field(
        max_length=100, description="A gallery layout id.", examples=["classic-1-1"]
    )
    paper: Literal["a4", "letter"] = "a4"
    title: str = Field(default="Certificate of {{achievement.name}}", max_length=500)
    subtitle: str = Field(default="This is to certify that", max_length=500)
    description: str = Field(default="has successfully completed {{course.name}}", max_length=500)
    details: str = Field(default="{{batch.name}} · Issued on {{issued_on}}", max_length=500)
    issuer_name: str = Field(default="{{issuer.name}}", max_length=500)
    date_label: str = Field(default="Date of issue", max_length=100)
    number_label: str = Field(default="Certificate No.", max_length=100)
    language: str = Field(default="en", max_length=35)
    direction: Literal["ltr", "rtl"] = "ltr"
    logos: list[str] = Field(default_factory=list, max_length=4, description="Images, base64.")
    signatories: list[SignatoryIn] = Field(default_factory=list, max_length=4)
    colours: dict[str, str] = Field(
        default_factory=dict,
        description="primary, accent, text, muted, background, on_primary: #rgb or #rrggbb.",
        examples=[{"primary": "#1d3557"}],
    )


class RevisionIn(BaseModel):
    """Exactly one of a design or an SVG of your own (sanitised on the way in)."""

    design: DesignIn | None = None
    svg: str | None = Field(default=None, max_length=MAX_SVG)

    @model_validator(mode="after")
    def _one_source(self) -> RevisionIn:
        if (self.design is None) == (self.svg is None):
            raise ValueError("give exactly one of design or svg")
        return self


class TemplateIn(RevisionIn):
    """A new template."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Completion",
                    "design": {
                        "layout": "classic-1-1",
                        "title": "Certificate of {{achievement.name}}",
                        "signatories": [{"name": "Dr. Meera Iyer", "designation": "Director"}],
                    },
                    "publish": True,
                }
            ]
        }
    )

    name: str | None = Field(default=None, max_length=200, examples=["Completion"])
    publish: bool = Field(default=False, description="Publish the first version at once.")


class VersionOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    template_id: str = Field(examples=[ID_EXAMPLE])
    number: int = Field(examples=[1])
    status: Literal["draft", "published"]
    content_hash: str | None = Field(description="sha256 of the published SVG.")
    created_at: datetime
    published_at: datetime | None
    design: dict[str, Any] | None = Field(
        description="The designer's choices (none for uploaded SVGs)."
    )
    removed: list[str] | None = Field(
        default=None,
        description="In the answer to an uploaded SVG only: what the sanitiser removed from it "
        "(docs/templates.md), one entry each, empty when nothing was; not stored, so null "
        "when a version is read later or was made from a design.",
        examples=[["element <script>", "attribute onload='alert(1)' on <svg>"]],
    )

    @classmethod
    def saved(cls, saved: SavedVersion, *, uploaded: bool) -> VersionOut:
        """A new version, with what was removed from its SVG when one was uploaded."""
        out = cls.of(saved.version)
        return out.model_copy(update={"removed": list(saved.removed)}) if uploaded else out

    @classmethod
    def of(cls, version: TemplateVersion) -> VersionOut:
        return cls(
            id=url_id(version.id),
            template_id=url_id(version.template_id),
            number=version.number,
            status=version.status.value,
            content_hash=version.content_hash,
            created_at=version.created_at,
            published_at=version.published_at,
            design=version.design,
        )


class TemplateOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    name: str = Field(examples=["Completion"])
    created_at: datetime
    latest_version: VersionOut | None

    @classmethod
    def of(cls, row: tuple[Template, TemplateVersion | None]) -> TemplateOut:
        template, latest = row
        return cls(
            id=url_id(template.id),
            name=template.name,
            created_at=template.created_at,
            latest_version=VersionOut.of(latest) if latest else None,
        )


def _design(design: DesignIn | None) -> Any:
    return None if design is None else parse_design(design.model_dump())


@router.get(
    "/templates",
    response_model=Page[TemplateOut],
    summary="List templates",
    responses=problems(401, 403, 422),
)
def templates(
    request: Request, principal: StaffDep, container: ContainerDep, paging: PagingDep
) -> Page[TemplateOut]:
    rows = list_templates_page(
        container.uow(), principal.organisation_id, after=paging.after_uuid, limit=paging.fetch
    )
    return page_of(request, rows, paging, lambda row: row[0].id, TemplateOut.of)


@router.post(
    "/templates",
    status_code=201,
    response_model=VersionOut,
    summary="Create a template",
    description="Give exactly one of `design` (a gallery layout and your texts, logos and "
    "signatures) or `svg`. Returns the first version, a draft unless `publish` is true.",
    responses=problems(401, 403, 409, 422),
)
def create(body: TemplateIn, principal: AdminDep, container: ContainerDep) -> VersionOut:
    uow = container.uow()
    if body.svg is not None:
        uploaded = upload_template(
            uow,
            principal,
            body.svg.encode("utf-8"),
            name=body.name or "Uploaded template",
            publish=body.publish,
        )
        return VersionOut.saved(uploaded, uploaded=True)
    version = create_template(
        uow,
        principal,
        _design(body.design),
        name=body.name,
        publish=body.publish,
    )
    return VersionOut.of(version)


@router.get(
    "/templates/{template_id}",
    response_model=TemplateOut,
    summary="Get a template",
    responses=problems(401, 403, 404, 422),
)
def template(template_id: IdPath, principal: StaffDep, container: ContainerDep) -> TemplateOut:
    found, versions = get_template(
        container.uow(), principal.organisation_id, parse_id("template", template_id)
    )
    return TemplateOut.of((found, versions[-1] if versions else None))


@router.get(
    "/templates/{template_id}/versions",
    response_model=Page[VersionOut],
    summary="List a template's versions",
    responses=problems(401, 403, 404, 422),
)
def versions(
    template_id: IdPath,
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[VersionOut]:
    rows = list_template_versions(
        container.uow(),
        principal.organisation_id,
        parse_id("template", template_id),
        after=paging.after_int,
        limit=paging.fetch,
    )
    return page_of(request, rows, paging, lambda v: v.number, VersionOut.of)


@router.post(
    "/templates/{template_id}/versions",
    status_code=201,
    response_model=VersionOut,
    summary="Revise a template",
    description="A new draft version from a design or an SVG; published versions never change.",
    responses=problems(401, 403, 404, 422),
)
def revise(
    template_id: IdPath, body: RevisionIn, principal: AdminDep, container: ContainerDep
) -> VersionOut:
    saved = revise_template(
        container.uow(),
        principal,
        parse_id("template", template_id),
        design=_design(body.design),
        svg=body.svg.encode("utf-8") if body.svg is not None else None,
    )
    return VersionOut.saved(saved, uploaded=body.svg is not None)


@router.get(
    "/template-versions/{version_id}",
    response_model=VersionOut,
    summary="Get a template version",
    responses=problems(401, 403, 404, 422),
)
def version(version_id: IdPath, principal: StaffDep, container: ContainerDep) -> VersionOut:
    found = get_template_version(
        container.uow(), principal.organisation_id, parse_id("template version", version_id)
    )
    return VersionOut.of(found)


@router.get(
    "/template-versions/{version_id}/preview",
    summary="Preview a template version",
    description="The version rendered with sample values and your organisation's name.",
    response_class=Response,
    responses={
        200: {
            "description": "The rendered certificate.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in PREVIEW_TYPES.values()
            },
        },
        **problems(401, 403, 404, 422),
    },
)
def preview(
    version_id: IdPath,
    principal: StaffDep,
    container: ContainerDep,
    format: Literal["png", "pdf", "svg"] = Query(default="png"),
) -> Response:
    body = preview_template(
        container.uow(),
        principal.organisation_id,
        parse_id("template version", version_id),
        fonts=container.fonts,
        links=container.links,
        output=format,
    )
    return Response(body, media_type=PREVIEW_TYPES[format], headers={"Cache-Control": "no-store"})


@router.post(
    "/template-versions/{version_id}/publish",
    response_model=VersionOut,
    summary="Publish a template version",
    description="Freeze a draft so achievements can use it. Publishing twice is a 409.",
    responses=problems(401, 403, 404, 409, 422),
)
def publish(version_id: IdPath, principal: AdminDep, container: ContainerDep) -> VersionOut:
    version = publish_template_version(
        container.uow(),
        principal,
        parse_id("template version", version_id),
    )
    return VersionOut.of(version)
