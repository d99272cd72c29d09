"""Achievements: what batches award."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from uuid import UUID

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from certmint.domain.achievements import Achievement
from certmint.storage.pages import keyset
from certmint.storage.tables import AchievementRow, BatchRow, CourseRow

__all__ = ["SqlAlchemyAchievementRepository"]


def _achievement(row: AchievementRow) -> Achievement:
    return Achievement(
        id=row.id,
        batch_id=row.batch_id,
        template_version_id=row.template_version_id,
        name=row.name,
        description=row.description,
        criteria=row.criteria,
        signatories=tuple((s["name"], s["designation"]) for s in row.signatories),
        valid_for_days=row.valid_for_days,
        auto_issue=row.auto_issue,
        created_at=row.created_at,
    )


class SqlAlchemyAchievementRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, achievement: Achievement) -> None:
        self._session.add(
            AchievementRow(
                id=achievement.id,
                batch_id=achievement.batch_id,
                template_version_id=achievement.template_version_id,
                name=achievement.name,
                description=achievement.description,
                criteria=achievement.criteria,
                signatories=[{"name": n, "designation": d} for n, d in achievement.signatories],
                valid_for_days=achievement.valid_for_days,
                auto_issue=achievement.auto_issue,
                created_at=achievement.created_at,
            )
        )

    def _owned(self, organisation_id: UUID) -> Select[AchievementRow]:
        return (
            select(AchievementRow)
            .join(BatchRow, BatchRow.id == AchievementRow.batch_id)
            .join(CourseRow, CourseRow.id == BatchRow.course_id)
            .where(CourseRow.organisation_id == organisation_id)
        )

    def get(self, organisation_id: UUID, achievement_id: UUID) -> Achievement | None:
        row = self._session.scalar(
            self._owned(organisation_id).where(AchievementRow.id == achievement_id)
        )
        return None if row is None else _achievement(row)

    def for_batch(self, organisation_id: UUID, batch_id: UUID) -> list[Achievement]:
        rows = self._session.scalars(
            self._owned(organisation_id)
            .where(AchievementRow.batch_id == batch_id)
            .order_by(AchievementRow.created_at)
        )
        return [_achievement(row) for row in rows]

    def batch_page(
        self, organisation_id: UUID, batch_id: UUID, *, after: UUID | None, limit: int
    ) -> list[Achievement]:
        query = self._owned(organisation_id).where(AchievementRow.batch_id == batch_id)
        rows = self._session.scalars(keyset(query, AchievementRow.id, after=after, limit=limit))
        return [_achievement(row) for row in rows]

    def ids_in_courses(self, course_ids: Collection[UUID]) -> list[UUID]:
        """Every achievement awarded in these courses (a course manager's certificates)."""
        return list(
            self._session.scalars(
                select(AchievementRow.id)
                .join(BatchRow, BatchRow.id == AchievementRow.batch_id)
                .where(BatchRow.course_id.in_(list(course_ids)))
            )
        )

    def update(self, achievement_id: UUID, **values: Any) -> None:
        self._session.execute(
            update(AchievementRow).where(AchievementRow.id == achievement_id).values(**values)
        )

    def remove(self, achievement_id: UUID) -> None:
        """Only for one that never awarded anything (certificates keep theirs for good)."""
        self._session.execute(delete(AchievementRow).where(AchievementRow.id == achievement_id))

    def set_template_version(self, achievement_id: UUID, template_version_id: UUID) -> None:
        """Certificates issued from now on use this version; issued ones keep theirs."""
        self._session.execute(
            update(AchievementRow)
            .where(AchievementRow.id == achievement_id)
            .values(template_version_id=template_version_id)
        )

    def using_versions(
        self, organisation_id: UUID, version_ids: Collection[UUID]
    ) -> list[tuple[UUID, str, str, str, UUID]]:
        """Who attaches these versions: (version id, achievement, course, batch names, batch)."""
        rows = self._session.execute(
            select(
                AchievementRow.template_version_id,
                AchievementRow.name,
                CourseRow.name,
                BatchRow.name,
                BatchRow.id,
            )
            .join(BatchRow, BatchRow.id == AchievementRow.batch_id)
            .join(CourseRow, CourseRow.id == BatchRow.course_id)
            .where(
                CourseRow.organisation_id == organisation_id,
                AchievementRow.template_version_id.in_(list(version_ids)),
            )
            .order_by(CourseRow.name, BatchRow.name, AchievementRow.name)
        )
        return [(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    def auto_issue_for_batches(self, batch_ids: list[UUID]) -> list[Achievement]:
        rows = self._session.scalars(
            select(AchievementRow).where(
                AchievementRow.batch_id.in_(batch_ids), AchievementRow.auto_issue
            )
        )
        return [_achievement(row) for row in rows]
