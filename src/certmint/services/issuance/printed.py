"""What a certificate prints, frozen when it is issued: rendering and the verification page
read only this snapshot, never the achievement or the learner as they are later."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from certmint.domain.courses import Learner
from certmint.domain.ids import url_id
from certmint.services.issuance.context import AchievementContext

__all__ = ["snapshot"]


def format_day(day: date) -> str:
    """Dates as printed on certificates: ``15 May 2026`` (unambiguous in every locale)."""
    return f"{day.day} {day:%B %Y}"


def _signatories(ctx: AchievementContext) -> list[dict[str, str]]:
    """Who signs, as printed: the designer's signatories, else the achievement's."""
    design = ctx.version.design or {}
    named = [
        {"name": s["name"], "designation": s["designation"]}
        for s in design.get("signatories", ())
        if "{{" not in s["name"]
    ]
    return named or [{"name": n, "designation": d} for n, d in ctx.achievement.signatories]


def snapshot(
    ctx: AchievementContext,
    learner: Learner,
    *,
    certificate_id: UUID,
    number: str,
    issued: datetime,
    valid_until: datetime | None,
) -> dict[str, Any]:
    """The printed data, frozen: rendering and the verification page read only this."""
    values = {
        "recipient.name": learner.name,
        "course.name": ctx.course.name,
        "course.code": ctx.course.external_id,
        "batch.name": ctx.batch.name,
        "batch.start_date": format_day(ctx.batch.starts_on) if ctx.batch.starts_on else "",
        "batch.end_date": format_day(ctx.batch.ends_on) if ctx.batch.ends_on else "",
        "achievement.name": ctx.achievement.name,
        "achievement.description": ctx.info.description,
        "issued_on": format_day(issued.date()),
        "valid_until": format_day(valid_until.date()) if valid_until else "",
        "certificate.number": number,
        "certificate.id": url_id(certificate_id),
        "issuer.name": ctx.organisation.name,
        "issuer.url": ctx.organisation.url,
        "verification.url": ctx.links.verification(certificate_id),
    }
    signatories = _signatories(ctx)
    for n, signatory in enumerate(signatories, start=1):
        values[f"signatory.{n}.name"] = signatory["name"]
        values[f"signatory.{n}.designation"] = signatory["designation"]
    return {"values": values, "signatories": signatories}
