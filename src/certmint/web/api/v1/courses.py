"""Courses and their batches, as the LMS sent them (enrolment imports create and rename them)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from certmint.domain.courses import Batch, Course
from certmint.domain.ids import url_id
from certmint.services.authorization import batch_for, course_for, load, managed_course_ids
from certmint.services.catalogue.roster import list_batches, list_courses
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["BatchOut", "CourseOut", "router"]

router = APIRouter(tags=["courses"])


class CourseOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    external_id: str = Field(description="The LMS's id of the course.", examples=["DS101"])
    name: str = Field(examples=["Data Science Foundations"])

    @classmethod
    def of(cls, course: Course) -> CourseOut:
        return cls(id=url_id(course.id), external_id=course.external_id, name=course.name)


class BatchOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    course_id: str = Field(examples=[ID_EXAMPLE])
    external_id: str = Field(description="The LMS's id of the batch.", examples=["DS101-A"])
    name: str = Field(examples=["January 2026"])
    starts_on: date | None = None
    ends_on: date | None = None

    @classmethod
    def of(cls, batch: Batch) -> BatchOut:
        return cls(
            id=url_id(batch.id),
            course_id=url_id(batch.course_id),
            external_id=batch.external_id,
            name=batch.name,
            starts_on=batch.starts_on,
            ends_on=batch.ends_on,
        )


@router.get(
    "/courses",
    response_model=Page[CourseOut],
    summary="List courses",
    description="The organisation's courses in creation order; a course manager sees theirs.",
    responses=problems(401, 403, 422),
)
def courses(
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[CourseOut]:
    rows = list_courses(
        container.uow(),
        principal.organisation_id,
        course_ids=managed_course_ids(principal),
        after=paging.after_uuid,
        limit=paging.fetch,
    )
    return page_of(request, rows, paging, lambda c: c.id, CourseOut.of)


@router.get(
    "/courses/{course_id}",
    response_model=CourseOut,
    summary="Get a course",
    responses=problems(401, 403, 404, 422),
)
def course(course_id: IdPath, principal: StaffDep, container: ContainerDep) -> CourseOut:
    return CourseOut.of(load(container.uow(), course_for, principal, parse_id("course", course_id)))


@router.get(
    "/courses/{course_id}/batches",
    response_model=Page[BatchOut],
    summary="List a course's batches",
    responses=problems(401, 403, 404, 422),
)
def batches(
    course_id: IdPath,
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[BatchOut]:
    found = load(container.uow(), course_for, principal, parse_id("course", course_id))
    rows = list_batches(container.uow(), found.id, after=paging.after_uuid, limit=paging.fetch)
    return page_of(request, rows, paging, lambda b: b.id, BatchOut.of)


@router.get(
    "/batches/{batch_id}",
    response_model=BatchOut,
    summary="Get a batch",
    responses=problems(401, 403, 404, 422),
)
def batch(batch_id: IdPath, principal: StaffDep, container: ContainerDep) -> BatchOut:
    _course, found = load(container.uow(), batch_for, principal, parse_id("batch", batch_id))
    return BatchOut.of(found)
