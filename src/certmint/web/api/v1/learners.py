"""Learners: people enrolled through imports, with the LMS's id and the name to print."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from certmint.domain.courses import Learner
from certmint.domain.ids import url_id
from certmint.services.authorization import learner_for, load, managed_course_ids
from certmint.services.catalogue.roster import list_learners
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["LearnerOut", "router"]

router = APIRouter(tags=["learners"])


class LearnerOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    external_id: str = Field(description="The LMS's id of the learner.", examples=["u-1042"])
    name: str = Field(description="The name printed on certificates.", examples=["Asha Rao"])
    email: str | None = Field(examples=["asha@example.org"])
    attributes: dict[str, str] = Field(examples=[{"roll_no": "DS-17"}])

    @classmethod
    def of(cls, learner: Learner) -> LearnerOut:
        return cls(
            id=url_id(learner.id),
            external_id=learner.external_id,
            name=learner.name,
            email=learner.email,
            attributes=learner.attributes,
        )


@router.get(
    "/learners",
    response_model=Page[LearnerOut],
    summary="List learners",
    description="Learners in creation order; a course manager sees those enrolled in their "
    "courses.",
    responses=problems(401, 403, 422),
)
def learners(
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[LearnerOut]:
    rows = list_learners(
        container.uow(),
        principal.organisation_id,
        course_ids=managed_course_ids(principal),
        after=paging.after_uuid,
        limit=paging.fetch,
    )
    return page_of(request, rows, paging, lambda learner: learner.id, LearnerOut.of)


@router.get(
    "/learners/{learner_id}",
    response_model=LearnerOut,
    summary="Get a learner",
    responses=problems(401, 403, 404, 422),
)
def learner(learner_id: IdPath, principal: StaffDep, container: ContainerDep) -> LearnerOut:
    return LearnerOut.of(
        load(container.uow(), learner_for, principal, parse_id("learner", learner_id))
    )
