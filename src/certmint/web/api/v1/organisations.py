"""The instance's organisations, for its operator (a token made with ``--operator``): create,
rename, brand, suspend and reinstate tenants. Each organisation's own work is done with its own
tokens; an operator token reaches nothing inside another organisation."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field

from certmint.domain.ids import url_id
from certmint.domain.organisations import Organisation
from certmint.services.errors import InvalidInput
from certmint.services.issuers.organisations import (
    OrganisationChanges,
    add_organisation,
    change_organisation,
    list_organisations_page,
    organisation_overview,
)
from certmint.services.links import Links
from certmint.web.api.v1.identifiers import ID_EXAMPLE
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import ContainerDep, OperatorDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["organisations"])

SlugPath = Path(max_length=60, description="The organisation's slug.", examples=["state-board"])
COLOUR = Field(default=None, max_length=7, description="#rrggbb; empty: the instance's own.")


class OrganisationIn(BaseModel):
    name: str = Field(max_length=200, examples=["State Board of Education"])
    slug: str | None = Field(
        default=None,
        max_length=60,
        description="In its URLs and DID; made from the name when not given. Fixed once made.",
        examples=["state-board"],
    )
    url: str = Field(default="", max_length=500, examples=["https://board.example"])


class OrganisationPatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=500)
    primary_colour: str | None = COLOUR
    accent_colour: str | None = COLOUR
    email_sender: str | None = Field(
        default=None, max_length=320, description="From address; empty: CERTMINT_MAIL_FROM."
    )
    logo: str | None = Field(
        default=None,
        max_length=700_000,
        description="A PNG or JPEG image (at most 512 KB), base64; empty removes the logo.",
    )
    suspended: bool | None = Field(
        default=None,
        description="A suspended organisation issues nothing; its certificates still verify.",
    )
    suspension_shown: bool | None = Field(
        default=None, description="Whether its verification pages say the issuer is suspended."
    )


class OrganisationAdminOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    slug: str = Field(examples=["state-board"])
    name: str
    url: str
    did: str = Field(examples=["did:web:certs.example.org:orgs:state-board"])
    default: bool = Field(description="The instance's own organisation (the bare did:web).")
    suspended: bool
    suspended_at: datetime | None
    suspension_shown: bool
    primary_colour: str
    accent_colour: str
    logo: bool = Field(description="Whether it has a logo (served at /orgs/<slug>/logo).")
    email_sender: str

    @classmethod
    def of(cls, organisation: Organisation, links: Links) -> OrganisationAdminOut:
        return cls(
            id=url_id(organisation.id),
            slug=organisation.slug,
            name=organisation.name,
            url=organisation.url,
            did=links.did(organisation),
            default=organisation.is_default,
            suspended=organisation.suspended,
            suspended_at=organisation.suspended_at,
            suspension_shown=organisation.suspension_shown,
            primary_colour=organisation.branding.primary_colour,
            accent_colour=organisation.branding.accent_colour,
            logo=bool(organisation.branding.logo_type),
            email_sender=organisation.email_sender,
        )


def _logo(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        raise InvalidInput(
            ["logo: base64 of a PNG or JPEG image"], "organisation not changed"
        ) from None


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationAdminOut,
    summary="Create an organisation",
    description="A new tenant with its signing key (its DID document answers at once). "
    "Operator tokens only.",
    responses=problems(401, 403, 409, 422),
)
def create(
    body: OrganisationIn, principal: OperatorDep, container: ContainerDep
) -> OrganisationAdminOut:
    organisation = add_organisation(
        container.uow(),
        container.signing.key_store,
        principal,
        body.name,
        slug=body.slug,
        url=body.url,
    )
    return OrganisationAdminOut.of(organisation, container.links)


@router.get(
    "/organisations",
    response_model=Page[OrganisationAdminOut],
    summary="List the instance's organisations",
    responses=problems(401, 403, 422),
)
def organisations(
    request: Request, principal: OperatorDep, container: ContainerDep, paging: PagingDep
) -> Page[OrganisationAdminOut]:
    rows = list_organisations_page(
        container.uow(), principal, after=paging.after_uuid, limit=paging.fetch
    )
    links = container.links
    return page_of(
        request, rows, paging, lambda o: o.id, lambda o: OrganisationAdminOut.of(o, links)
    )


@router.get(
    "/organisations/{slug}",
    response_model=OrganisationAdminOut,
    summary="One organisation",
    responses=problems(401, 403, 404, 422),
)
def organisation(
    principal: OperatorDep, container: ContainerDep, slug: str = SlugPath
) -> OrganisationAdminOut:
    overview = organisation_overview(container.uow(), principal, slug)
    return OrganisationAdminOut.of(overview.organisation, container.links)


@router.patch(
    "/organisations/{slug}",
    response_model=OrganisationAdminOut,
    summary="Rename, brand, suspend or reinstate an organisation",
    description="Only the fields given change; the slug never does.",
    responses=problems(401, 403, 404, 422),
)
def update(
    body: OrganisationPatch, principal: OperatorDep, container: ContainerDep, slug: str = SlugPath
) -> OrganisationAdminOut:
    changes = OrganisationChanges(
        name=body.name,
        url=body.url,
        primary_colour=body.primary_colour,
        accent_colour=body.accent_colour,
        email_sender=body.email_sender,
        logo=_logo(body.logo),
        suspended=body.suspended,
        suspension_shown=body.suspension_shown,
    )
    changed = change_organisation(container.uow(), principal, slug, changes)
    return OrganisationAdminOut.of(changed, container.links)
