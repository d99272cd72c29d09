"""What every certificate of one achievement shares (its organisation, batch, template version,
criteria, key and issuer profile), read once per job rather than once per learner."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from certmint.credentials import AchievementInfo, IssuerProfile
from certmint.domain.achievements import Achievement
from certmint.domain.courses import Batch, Course
from certmint.domain.criteria import Criterion, describe, parse_criteria
from certmint.domain.organisations import Organisation
from certmint.domain.templates import TemplateVersion
from certmint.services.errors import NotFound
from certmint.services.issuers.keys import IssuerKey, issuer_key
from certmint.services.issuers.organisations import require_active
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["AchievementContext", "achievement_context"]


@dataclass(frozen=True)
class AchievementContext:
    """Everything about the achievement that is the same for every learner."""

    organisation: Organisation
    course: Course
    batch: Batch
    achievement: Achievement
    version: TemplateVersion
    criterion: Criterion
    key: IssuerKey
    issuer: IssuerProfile
    info: AchievementInfo
    links: Links


def achievement_context(
    uow: UnitOfWork, signing: Signing, organisation_id: UUID, achievement_id: UUID
) -> AchievementContext:
    """The achievement's context (its key unsealed, its issuer profile built), read in one
    transaction before any chunk runs."""
    with uow as tx:
        organisation = tx.organisations.get(organisation_id)
        achievement = tx.achievements.get(organisation_id, achievement_id)
        if organisation is None or achievement is None:
            raise NotFound("achievement", achievement_id)
        course_batch = tx.roster.get_batch(organisation_id, achievement.batch_id)
        found = tx.templates.get_version(organisation_id, achievement.template_version_id)
        if course_batch is None or found is None:
            raise NotFound("achievement", achievement_id)
    require_active(organisation)
    key = issuer_key(uow, signing.key_store, organisation, signing.links)
    course, batch = course_batch
    criterion = parse_criteria(achievement.criteria)
    return AchievementContext(
        organisation=organisation,
        course=course,
        batch=batch,
        achievement=achievement,
        version=found[1],
        criterion=criterion,
        key=key,
        issuer=IssuerProfile(
            did=signing.links.did(organisation),
            name=organisation.name,
            url=signing.links.issuer_site(organisation),
        ),
        info=AchievementInfo(
            id=signing.links.achievement(achievement.id),
            name=achievement.name,
            description=achievement.description or f"{course.name}, {batch.name}",
            criteria=describe(criterion),
        ),
        links=signing.links,
    )
