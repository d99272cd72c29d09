"""Achievements: what a batch awards (a published template and the criteria), and the dry run
that shows who would be awarded and why before anything is issued."""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from certmint.domain.achievements import Achievement
from certmint.domain.criteria import parse_criteria
from certmint.domain.ids import url_id
from certmint.services.authorization import achievement_for, batch_for, load
from certmint.services.catalogue.achievements import (
    DryRunRow,
    add_achievement,
    dry_run,
    list_achievements_page,
)
from certmint.services.read_models.criteria_builder import criteria_warnings
from certmint.web.api.v1.identifiers import ID_EXAMPLE, IdPath, parse_id
from certmint.web.api.v1.learners import LearnerOut
from certmint.web.api.v1.pagination import Page, PagingDep, page_of
from certmint.web.deps import ContainerDep, StaffDep
from certmint.web.problems import problems

__all__ = ["router"]

router = APIRouter(tags=["achievements"])


class SignatoryOut(BaseModel):
    name: str = Field(max_length=200, examples=["Dr. Meera Iyer"])
    designation: str = Field(max_length=200, examples=["Director"])


class AchievementIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Completion",
                    "template_version_id": ID_EXAMPLE,
                    "criteria": {
                        "all": [
                            {"completed": True},
                            {"score": {"assessment": "final", ">=": 60}},
                        ]
                    },
                    "signatories": [{"name": "Dr. Meera Iyer", "designation": "Director"}],
                    "auto_issue": True,
                }
            ]
        }
    )

    name: str = Field(max_length=200)
    template_version_id: str = Field(max_length=64, description="A published template version.")
    criteria: Any = Field(description="Issuance criteria (docs/criteria.md).")
    description: str = Field(default="", max_length=2_000)
    valid_for_days: int | None = Field(default=None, description="Certificates expire after.")
    auto_issue: bool = Field(
        default=False, description="Award at once whenever an enrolment change qualifies a learner."
    )
    signatories: list[SignatoryOut] = Field(default_factory=list, max_length=10)


class AchievementOut(BaseModel):
    id: str = Field(examples=[ID_EXAMPLE])
    batch_id: str = Field(examples=[ID_EXAMPLE])
    template_version_id: str = Field(examples=[ID_EXAMPLE])
    name: str = Field(examples=["Completion"])
    description: str
    criteria: dict[str, Any] = Field(examples=[{"completed": True}])
    signatories: list[SignatoryOut]
    valid_for_days: int | None
    auto_issue: bool
    created_at: datetime

    @classmethod
    def of(cls, achievement: Achievement) -> AchievementOut:
        return cls(
            id=url_id(achievement.id),
            batch_id=url_id(achievement.batch_id),
            template_version_id=url_id(achievement.template_version_id),
            name=achievement.name,
            description=achievement.description,
            criteria=achievement.criteria,
            signatories=[SignatoryOut(name=n, designation=d) for n, d in achievement.signatories],
            valid_for_days=achievement.valid_for_days,
            auto_issue=achievement.auto_issue,
            created_at=achievement.created_at,
        )


class AttachedOut(AchievementOut):
    warnings: list[str] = Field(
        description="Conditions that no learner's data in the batch can meet: an assessment, "
        "attribute or attribute value that no import of the batch holds (misspelt?). The "
        "achievement is attached all the same; correct it while it has awarded nothing.",
        examples=[["no learner has a score in finl; the imports hold final, quiz"]],
    )


class DryRunOut(BaseModel):
    learner: LearnerOut
    awarded: bool = Field(description="Whether issuing now would award this learner.")
    reasons: list[str] = Field(examples=[["completed", "score 82 >= 60 in final"]])
    already_issued: bool = Field(description="The learner already holds this achievement.")

    @classmethod
    def of(cls, row: DryRunRow) -> DryRunOut:
        return cls(
            learner=LearnerOut.of(row.learner),
            awarded=row.decision.awarded and not row.already_issued,
            reasons=list(map(str, row.decision.reasons)),
            already_issued=row.already_issued,
        )


@router.get(
    "/batches/{batch_id}/achievements",
    response_model=Page[AchievementOut],
    summary="List a batch's achievements",
    responses=problems(401, 403, 404, 422),
)
def achievements(
    batch_id: IdPath,
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[AchievementOut]:
    _course, batch = load(container.uow(), batch_for, principal, parse_id("batch", batch_id))
    rows = list_achievements_page(
        container.uow(),
        principal.organisation_id,
        batch.id,
        after=paging.after_uuid,
        limit=paging.fetch,
    )
    return page_of(request, rows, paging, lambda a: a.id, AchievementOut.of)


@router.post(
    "/batches/{batch_id}/achievements",
    status_code=201,
    response_model=AttachedOut,
    summary="Attach an achievement to a batch",
    description="A published template version and the criteria learners must meet. Bad "
    "criteria are a 422 naming each problem by its JSON path; a draft template or a name "
    "the batch already awards is a 409. `warnings` names conditions that no learner's data "
    "in the batch can meet (an assessment, attribute or value no import holds).",
    responses=problems(401, 403, 404, 409, 422),
)
def create(
    batch_id: IdPath, body: AchievementIn, principal: StaffDep, container: ContainerDep
) -> AttachedOut:
    achievement = add_achievement(
        container.uow(),
        principal,
        batch_id=parse_id("batch", batch_id),
        template_version_id=parse_id("template version", body.template_version_id),
        name=body.name,
        criteria=body.criteria,
        description=body.description,
        valid_for_days=body.valid_for_days,
        auto_issue=body.auto_issue,
        signatories=[(s.name, s.designation) for s in body.signatories],
    )
    said = criteria_warnings(
        container.uow(), principal, achievement.batch_id, parse_criteria(achievement.criteria)
    )
    return AttachedOut(**AchievementOut.of(achievement).model_dump(), warnings=list(map(str, said)))


@router.get(
    "/achievements/{achievement_id}",
    response_model=AchievementOut,
    summary="Get an achievement",
    responses=problems(401, 403, 404, 422),
)
def achievement(
    achievement_id: IdPath, principal: StaffDep, container: ContainerDep
) -> AchievementOut:
    found = load(
        container.uow(), achievement_for, principal, parse_id("achievement", achievement_id)
    )
    return AchievementOut.of(found)


@router.get(
    "/achievements/{achievement_id}/dry-run",
    response_model=Page[DryRunOut],
    summary="Who would be awarded, and why",
    description="Every learner of the batch with the decision and its reasons; nothing is written.",
    responses=problems(401, 403, 404, 422),
)
def preview_issuance(
    achievement_id: IdPath,
    request: Request,
    principal: StaffDep,
    container: ContainerDep,
    paging: PagingDep,
) -> Page[DryRunOut]:
    found = load(
        container.uow(), achievement_for, principal, parse_id("achievement", achievement_id)
    )
    rows = list(
        islice(
            dry_run(
                container.uow(),
                principal.organisation_id,
                found.id,
                page=paging.fetch,
                after=paging.after_uuid,
            ),
            paging.fetch,
        )
    )
    return page_of(request, rows, paging, lambda row: row.enrolment_id, DryRunOut.of)
