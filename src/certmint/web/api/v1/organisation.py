"""The caller's organisation: who issues, under which DID."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from certmint.domain.ids import url_id
from certmint.services.issuers.organisations import get_organisation
from certmint.web.api.v1.identifiers import ID_EXAMPLE
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["organisation"])


class OrganisationOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    slug: str = Field(examples=["acme-institute"])
    name: str = Field(examples=["Acme Institute"])
    url: str = Field(description="The issuer's web site.", examples=["https://acme.example"])
    did: str = Field(
        description="The DID that signs this organisation's credentials.",
        examples=["did:web:certs.acme.example"],
    )


@router.get(
    "/organisation",
    response_model=OrganisationOut,
    summary="The caller's organisation",
    description="The organisation the API token belongs to, and the DID its credentials name "
    "as issuer.",
    responses=problems(401, 403),
)
def read_organisation(principal: StaffDep, container: ContainerDep) -> OrganisationOut:
    organisation = get_organisation(container.uow(), principal.organisation_id)
    return OrganisationOut(
        id=url_id(organisation.id),
        slug=organisation.slug,
        name=organisation.name,
        url=organisation.url,
        did=container.links.did(organisation),
    )
