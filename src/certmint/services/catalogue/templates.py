"""Certificate templates: made from a gallery layout or uploaded, versioned, published, previewed.

Every edit makes a new draft version; publishing freezes a version (its content hash covers the
SVG) and only published versions can be attached to a batch. Certificates record the exact
version they were made from, so a later edit never changes a certificate already issued.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.templates import Template, TemplateVersion, TemplateVersionStatus
from certmint.rendering import (
    PLACEHOLDER_PATTERN,
    Colours,
    Design,
    FontSet,
    Paper,
    PdfMetadata,
    RenderError,
    Signatory,
    build_template,
    certificate_pdf,
    certificate_png,
    certificate_svg,
    get_layout,
    sample_values,
    sanitise_svg,
)
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.links import Links
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "PreviewFormat",
    "SavedVersion",
    "create_template",
    "default_name",
    "design_from_json",
    "design_to_json",
    "gallery_design",
    "get_template",
    "get_template_version",
    "layout_thumbnail",
    "list_template_versions",
    "list_templates",
    "list_templates_page",
    "parse_design",
    "preview_design",
    "preview_template",
    "publish_template_version",
    "revise_template",
    "upload_template",
]


@dataclass(frozen=True)
class SavedVersion:
    """A new version and what the sanitiser removed from the uploaded SVG it was made from
    (``docs/templates.md`` lists what is removed; empty for a design or a clean file). The list
    is the answer to the upload only: it is not stored."""

    version: TemplateVersion
    removed: tuple[str, ...] = ()


PreviewFormat = Literal["pdf", "png", "svg"]


@contextmanager
def _render_errors(what: str) -> Iterator[None]:
    """Rendering errors are the admin's input problems at this boundary."""
    try:
        yield
    except RenderError as exc:
        raise InvalidInput([str(exc)], f"{what} rejected") from exc


def design_to_json(design: Design) -> dict[str, Any]:
    """The designer's inputs as stored with a version (images as base64), to reopen the designer."""
    return {
        "layout": design.layout,
        "paper": design.paper.value,
        **{
            name: getattr(design, name)
            for name in (
                "title",
                "subtitle",
                "description",
                "details",
                "issuer_name",
                "date_label",
                "number_label",
                "language",
                "direction",
            )
        },
        "logos": [base64.b64encode(logo).decode() for logo in design.logos],
        "signatories": [
            {
                "name": s.name,
                "designation": s.designation,
                "image": base64.b64encode(s.image).decode() if s.image else None,
            }
            for s in design.signatories
        ],
        "colours": asdict(design.colours),
    }


def design_from_json(data: Mapping[str, Any]) -> Design:
    fields = {
        k: v for k, v in data.items() if k not in ("paper", "logos", "signatories", "colours")
    }
    return Design(
        **fields,
        paper=Paper(data.get("paper", Paper.A4.value)),
        logos=tuple(base64.b64decode(logo) for logo in data.get("logos", ())),
        signatories=tuple(
            Signatory(
                s["name"], s["designation"], base64.b64decode(s["image"]) if s["image"] else None
            )
            for s in data.get("signatories", ())
        ),
        colours=Colours(**data.get("colours", {})),
    )


def parse_design(data: Mapping[str, Any]) -> Design:
    """A design sent as JSON (the shape ``design_to_json`` stores, images as base64); anything
    wrong with it is ``InvalidInput``."""
    with _render_errors("design"):
        try:
            return design_from_json(data)
        except (ValueError, TypeError, KeyError) as exc:  # bad base64, paper, missing field
            raise InvalidInput([f"design: {exc}"], "design rejected") from exc


def _new_version(
    uow: OpenUnitOfWork, template_id: UUID, svg: bytes, design: Design | None, now: datetime
) -> TemplateVersion:
    version = TemplateVersion(
        id=uuid.uuid4(),
        template_id=template_id,
        number=uow.templates.next_number(template_id),
        status=TemplateVersionStatus.DRAFT,
        svg=svg.decode("utf-8"),
        design=design_to_json(design) if design is not None else None,
        content_hash=None,
        created_at=now,
        published_at=None,
    )
    uow.templates.add_version(version)
    return version


def _create(
    uow: UnitOfWork,
    principal: Principal,
    name: str,
    svg: bytes,
    design: Design | None,
    *,
    publish: bool,
) -> TemplateVersion:
    organisation_id, actor = principal.organisation_id, principal.actor
    now = datetime.now(UTC)
    with uow as tx:
        if tx.organisations.get(organisation_id) is None:
            raise NotFound("organisation", organisation_id)
        template = Template(uuid.uuid4(), organisation_id, name.strip() or "Untitled", now)
        tx.templates.add(template)
        version = _new_version(tx, template.id, svg, design, now)
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action="template.created",
            subject_type="template",
            subject_id=template.id,
            details={
                "name": template.name,
                "version": version.number,
                "source": "upload" if design is None else design.layout,
            },
            at=now,
        )
        if publish:
            version = _publish(tx, organisation_id, version, actor, now)
        tx.commit()
    return version


def create_template(
    uow: UnitOfWork,
    principal: Principal,
    design: Design,
    *,
    name: str | None = None,
    publish: bool = False,
) -> TemplateVersion:
    """A new template from a gallery layout (admins: course managers use templates, admins
    make them); returns its first version."""
    authorization.require(principal, authorization.Action.ADMINISTER)
    with _render_errors("design"):
        svg = build_template(design)
    return _create(uow, principal, name or default_name(design.title), svg, design, publish=publish)


def default_name(title: str) -> str:
    """A template's name when the admin gives none: its title, where each placeholder (filled
    per achievement, so unknown here) reads as an ellipsis: "Certificate of …", not
    "Certificate of {{achievement.name}}" in every list."""
    return " ".join(PLACEHOLDER_PATTERN.sub("…", title).split()) or "Certificate"


def upload_template(
    uow: UnitOfWork, principal: Principal, svg: bytes, *, name: str, publish: bool = False
) -> SavedVersion:
    """A new template from an uploaded SVG (admins), sanitised (scripts, handlers, external
    references and the like removed or refused) and its placeholders checked; with what was
    removed."""
    authorization.require(principal, authorization.Action.ADMINISTER)
    with _render_errors("SVG"):
        clean = sanitise_svg(svg)
    version = _create(uow, principal, name, clean.svg, None, publish=publish)
    return SavedVersion(version, clean.removed)


def revise_template(
    uow: UnitOfWork,
    principal: Principal,
    template_id: UUID,
    *,
    design: Design | None = None,
    svg: bytes | None = None,
) -> SavedVersion:
    """An edit (admins): a new draft version (with what was removed from an uploaded SVG);
    published versions are never touched."""
    authorization.require(principal, authorization.Action.ADMINISTER)
    organisation_id = principal.organisation_id
    if (design is None) == (svg is None):
        raise InvalidInput(["give either a design or an SVG"], "template edit rejected")
    removed: tuple[str, ...] = ()
    with _render_errors("template"):
        if design is not None:
            content = build_template(design)
        else:
            clean = sanitise_svg(svg or b"")
            content, removed = clean.svg, clean.removed
    now = datetime.now(UTC)
    with uow as tx:
        template = tx.templates.get(organisation_id, template_id)
        if template is None:
            raise NotFound("template", template_id)
        version = _new_version(tx, template.id, content, design, now)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="template.revised",
            subject_type="template",
            subject_id=template.id,
            details={"version": version.number},
            at=now,
        )
        tx.commit()
    return SavedVersion(version, removed)


def _publish(
    uow: OpenUnitOfWork,
    organisation_id: UUID,
    version: TemplateVersion,
    actor: str,
    now: datetime,
) -> TemplateVersion:
    content_hash = "sha256:" + hashlib.sha256(version.svg.encode("utf-8")).hexdigest()
    if not uow.templates.publish(version.id, content_hash, now):
        raise Conflict(f"template version {version.id} is already published")
    record(
        uow,
        organisation_id=organisation_id,
        actor=actor,
        action="template.published",
        subject_type="template_version",
        subject_id=version.id,
        details={"content_hash": content_hash},
        at=now,
    )
    return replace(
        version, status=TemplateVersionStatus.PUBLISHED, content_hash=content_hash, published_at=now
    )


def publish_template_version(
    uow: UnitOfWork, principal: Principal, version_id: UUID
) -> TemplateVersion:
    """Freeze a draft so it can be attached to batches (admins); raises ``Conflict`` if already
    published."""
    authorization.require(principal, authorization.Action.ADMINISTER)
    organisation_id = principal.organisation_id
    with uow as tx:
        found = tx.templates.get_version(organisation_id, version_id)
        if found is None:
            raise NotFound("template version", version_id)
        version = _publish(tx, organisation_id, found[1], principal.actor, datetime.now(UTC))
        tx.commit()
    return version


def get_template_version(
    uow: UnitOfWork, organisation_id: UUID, version_id: UUID
) -> TemplateVersion:
    with uow as tx:
        found = tx.templates.get_version(organisation_id, version_id)
    if found is None:
        raise NotFound("template version", version_id)
    return found[1]


def get_template(
    uow: UnitOfWork, organisation_id: UUID, template_id: UUID
) -> tuple[Template, list[TemplateVersion]]:
    """A template with its versions, oldest first."""
    with uow as tx:
        template = tx.templates.get(organisation_id, template_id)
        if template is None:
            raise NotFound("template", template_id)
        return template, tx.templates.versions(template.id)


def list_templates(
    uow: UnitOfWork, organisation_id: UUID
) -> list[tuple[Template, list[TemplateVersion]]]:
    with uow as tx:
        return [(t, tx.templates.versions(t.id)) for t in tx.templates.list(organisation_id)]


def list_templates_page(
    uow: UnitOfWork, organisation_id: UUID, *, after: UUID | None, limit: int
) -> list[tuple[Template, TemplateVersion | None]]:
    """Templates in id order, each with its latest version."""
    with uow as tx:
        return [
            (t, tx.templates.latest_version(t.id))
            for t in tx.templates.page(organisation_id, after=after, limit=limit)
        ]


def list_template_versions(
    uow: UnitOfWork,
    organisation_id: UUID,
    template_id: UUID,
    *,
    after: int | None,
    limit: int,
) -> list[TemplateVersion]:
    """A template's versions by number, ``limit`` after number ``after``."""
    with uow as tx:
        if tx.templates.get(organisation_id, template_id) is None:
            raise NotFound("template", template_id)
        return tx.templates.versions_page(template_id, after=after, limit=limit)


def preview_template(
    uow: UnitOfWork,
    organisation_id: UUID,
    version_id: UUID,
    *,
    fonts: FontSet,
    links: Links,
    output: PreviewFormat = "pdf",
    values: Mapping[str, str] | None = None,
    learner_id: UUID | None = None,
    batch_id: UUID | None = None,
) -> bytes:
    """A version rendered with sample data and the organisation's own name; with a learner
    and a batch, their real name, course and batch; ``values`` override anything."""
    with uow as tx:
        organisation = tx.organisations.get(organisation_id)
        found = tx.templates.get_version(organisation_id, version_id)
        learner = tx.roster.get_learner(organisation_id, learner_id) if learner_id else None
        course_batch = tx.roster.get_batch(organisation_id, batch_id) if batch_id else None
    if organisation is None or found is None:
        raise NotFound("template version", version_id)
    if (learner_id and learner is None) or (batch_id and course_batch is None):
        raise NotFound("learner or batch", learner_id or batch_id)
    version = found[1]
    own = {"issuer.name": organisation.name, "issuer.url": organisation.url}
    if learner is not None:
        own["recipient.name"] = learner.name
    if course_batch is not None:
        own |= {
            "course.name": course_batch[0].name,
            "course.code": course_batch[0].external_id,
            "batch.name": course_batch[1].name,
        }
    filled = {**sample_values(), **{k: v for k, v in own.items() if v}, **(values or {})}
    template = version.svg.encode("utf-8")
    qr_url = links.template_preview()
    with _render_errors("preview values"):
        if output == "svg":
            return certificate_svg(template, filled, fonts=fonts, qr_url=qr_url)
        if output == "png":
            return certificate_png(template, filled, fonts=fonts, qr_url=qr_url)
        metadata = PdfMetadata(
            title=f"Preview of template version {version.number}",
            author=filled.get("issuer.name", ""),
            created=version.created_at,
        )
        return certificate_pdf(template, filled, fonts=fonts, qr_url=qr_url, metadata=metadata)


PREVIEW_WIDTH = 1000  # pixels: sharp on a laptop screen, about 0.1 s to render


def preview_design(
    uow: UnitOfWork,
    organisation_id: UUID,
    design: Design,
    *,
    fonts: FontSet,
    links: Links,
    width_px: int = PREVIEW_WIDTH,
) -> bytes:
    """The designer's live preview: ``design`` built and rendered as a PNG with sample data
    and the organisation's name, without saving anything."""
    with uow as tx:
        organisation = tx.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    own = {"issuer.name": organisation.name, "issuer.url": organisation.url}
    filled = {**sample_values(), **{k: v for k, v in own.items() if v}}
    with _render_errors("design"):
        return certificate_png(
            build_template(design),
            filled,
            fonts=fonts,
            qr_url=links.template_preview(),
            width_px=width_px,
        )


# Stand-ins for an organisation's logos in the gallery: two marks, told apart by shape and colour.
SAMPLE_LOGOS = tuple(
    (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">'
        f'<circle cx="50" cy="50" r="44" fill="none" stroke="{colour}" stroke-width="7"/>'
        f'<path d="{shape}" fill="{colour}"/></svg>'
    ).encode()
    for colour, shape in (
        ("#1f4e79", "M28 68 L50 26 L72 68 Z"),
        ("#8a3b12", "M30 30 H70 V70 H30 Z"),
    )
)


def gallery_design(layout_id: str) -> Design:
    """A layout as the gallery shows it: as many logos and signatories as it holds (two of a
    layout that holds up to four), so that layouts differing only in those counts look it."""
    layout = get_layout(layout_id)
    signatures = layout.max_signatures if layout.max_signatures <= 2 else 2
    return Design(
        layout=layout_id,
        logos=SAMPLE_LOGOS[: layout.max_logos],
        signatories=tuple(
            Signatory(f"{{{{signatory.{n}.name}}}}", f"{{{{signatory.{n}.designation}}}}")
            for n in range(1, signatures + 1)
        ),
    )


@lru_cache(maxsize=32)
def layout_thumbnail(layout_id: str, fonts: FontSet, *, width_px: int = 480) -> bytes:
    """A gallery layout with sample logos, signatories and data, as a small PNG (made once)."""
    with _render_errors("layout"):
        return certificate_png(
            build_template(gallery_design(layout_id)),
            sample_values(),
            fonts=fonts,
            qr_url="https://certs.example.org/v/preview",
            width_px=width_px,
        )
