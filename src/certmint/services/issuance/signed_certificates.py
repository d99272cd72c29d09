"""One certificate as issued: its Open Badges 3.0 credential, signed, with the printed snapshot
and its ``credentialStatus`` entry (not yet stored)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from uuid import UUID

from certmint.credentials import (
    CredentialData,
    EmailIdentity,
    ExternalIdentity,
    Recipient,
    ScoreResult,
    StatusEntry,
    build_credential,
)
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.courses import Enrolment, Learner
from certmint.domain.criteria import All, Criterion, Score
from certmint.services.issuance.context import AchievementContext
from certmint.services.issuance.printed import snapshot
from certmint.services.issuers.signing import Signing

__all__ = ["build_certificate", "draft_certificate"]


def _scored_assessment(criterion: Criterion) -> str | None:
    """The assessment the criteria require a score in (directly or inside an ``all``)."""
    if isinstance(criterion, Score):
        return criterion.assessment
    if isinstance(criterion, All):
        return next(filter(None, map(_scored_assessment, criterion.items)), None)
    return None


def _result(criterion: Criterion, enrolment: Enrolment) -> ScoreResult | None:
    """The score the criteria were about, when they name one assessment."""
    assessment = _scored_assessment(criterion)
    result = enrolment.result(assessment) if assessment else None
    return ScoreResult(f"{float(result.percent):g}") if result else None


def build_certificate(
    ctx: AchievementContext,
    signing: Signing,
    learner: Learner,
    enrolment: Enrolment,
    *,
    number: str,
    status: StatusEntry,
    issued: datetime,
    valid_from: datetime | None = None,
    supersedes: UUID | None = None,
) -> Certificate:
    """One signed certificate (not yet stored), with its ``credentialStatus`` entry."""
    draft = draft_certificate(
        ctx,
        learner,
        enrolment,
        number=number,
        status=status,
        issued=issued,
        valid_from=valid_from,
        supersedes=supersedes,
    )
    return replace(draft, credential=signing.sign(draft.credential, ctx.key, issued))


def draft_certificate(
    ctx: AchievementContext,
    learner: Learner,
    enrolment: Enrolment,
    *,
    number: str,
    status: StatusEntry,
    issued: datetime,
    valid_from: datetime | None = None,
    supersedes: UUID | None = None,
) -> Certificate:
    """The certificate with its credential not signed yet (signed by ``ctx.key`` at
    ``issued``, here or on a pool of processes: ``services.issuance.parallel_signing``)."""
    certificate_id = uuid.uuid4()
    valid_from = valid_from or issued
    days = ctx.achievement.valid_for_days
    valid_until = valid_from + timedelta(days=days) if days else None
    identity = (
        EmailIdentity(learner.email, secrets.token_hex(8))
        if learner.email
        else ExternalIdentity(learner.external_id)
    )
    credential = build_credential(
        CredentialData(
            certificate_id=certificate_id,
            issuer=ctx.issuer,
            recipient=Recipient(learner.name, identity),
            achievement=ctx.info,
            valid_from=valid_from,
            valid_until=valid_until,
            result=_result(ctx.criterion, enrolment),
            status=status,
        )
    )
    return Certificate(
        id=certificate_id,
        number=number,
        organisation_id=ctx.organisation.id,
        achievement_id=ctx.achievement.id,
        learner_id=learner.id,
        template_version_id=ctx.version.id,
        status=CertificateStatus.ACTIVE,
        snapshot=snapshot(
            ctx,
            learner,
            certificate_id=certificate_id,
            number=number,
            issued=valid_from,
            valid_until=valid_until,
        ),
        credential=credential,
        issued_at=issued,
        valid_from=valid_from,
        valid_until=valid_until,
        supersedes_id=supersedes,
    )
