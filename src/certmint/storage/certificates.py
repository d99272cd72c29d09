"""Certificates, written in bulk at issuance and changed only in their status afterwards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Select, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.storage.bulk import CHUNK, bulk_insert
from certmint.storage.search import contains
from certmint.storage.tables import AchievementRow, CertificateRow, LearnerRow

__all__ = [
    "CertificateFilter",
    "CertificateStamp",
    "CertificateStampReader",
    "SqlAlchemyCertificateRepository",
]

# What can change about a certificate once issued: its status, when, and its replacement.
CertificateStamp = tuple[CertificateStatus, datetime | None, UUID | None]
# Built once: the verification page runs it on every view.
_STAMP = select(
    CertificateRow.status, CertificateRow.status_changed_at, CertificateRow.superseded_by_id
).where(CertificateRow.id == bindparam("id"))


def _stamp(row: Any) -> CertificateStamp | None:
    return None if row is None else (CertificateStatus(row[0]), row[1], row[2])


class CertificateStampReader:
    """Certificate stamps read outside any unit of work: the one query of a repeat view of a
    verification page, the most frequent request Certmint serves.

    ``engine`` is one of its own, in autocommit, without a pool ping or reset (see
    ``create_database_engine``): a single-statement read needs no transaction, so PostgreSQL
    answers in one round trip instead of four (ping, BEGIN, SELECT, ROLLBACK). The statement
    is compiled once and run on the driver's cursor, with the column types' own converters:
    SQLAlchemy's per-execution work cost more than the query (270 us of CPU against 40 us on
    SQLite, 530 against 200 on PostgreSQL). Without the ping, a connection the server dropped
    (a restart) fails once; the pool is then renewed and the read tried again.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        dialect = engine.dialect
        self._sql = str(_STAMP.compile(dialect=dialect))
        self._positional = dialect.positional
        self._bind = CertificateRow.__table__.c.id.type.dialect_impl(dialect).bind_processor(
            dialect
        )
        self._results = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in _STAMP.selected_columns
        ]

    def __call__(self, certificate_id: UUID) -> CertificateStamp | None:
        value = certificate_id if self._bind is None else self._bind(certificate_id)
        parameters = (value,) if self._positional else {"id": value}
        dialect = self.engine.dialect
        retried = False
        while True:
            connection = self.engine.raw_connection()
            cursor = None
            try:
                cursor = connection.cursor()
                cursor.execute(self._sql, parameters)
                row = cursor.fetchone()
                cursor.close()
            except dialect.loaded_dbapi.Error as exc:
                dropped = dialect.is_disconnect(exc, connection.dbapi_connection, cursor)
                if retried or not dropped:
                    raise
                retried = True
                connection.invalidate(exc)
                self.engine.dispose()  # the others in the pool are as dead as this one
                continue
            finally:
                connection.close()
            if row is None:
                return None
            return _stamp(
                [v if p is None else p(v) for p, v in zip(self._results, row, strict=True)]
            )


def _certificate(row: CertificateRow) -> Certificate:
    return Certificate(
        id=row.id,
        number=row.number,
        organisation_id=row.organisation_id,
        achievement_id=row.achievement_id,
        learner_id=row.learner_id,
        template_version_id=row.template_version_id,
        status=CertificateStatus(row.status),
        snapshot=row.snapshot,
        credential=row.credential,
        issued_at=row.issued_at,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        supersedes_id=row.supersedes_id,
        superseded_by_id=row.superseded_by_id,
        status_reason=row.status_reason,
        status_changed_at=row.status_changed_at,
    )


def _values(c: Certificate) -> dict[str, Any]:
    return {
        "id": c.id,
        "number": c.number,
        "organisation_id": c.organisation_id,
        "achievement_id": c.achievement_id,
        "learner_id": c.learner_id,
        "template_version_id": c.template_version_id,
        "status": c.status.value,
        "snapshot": c.snapshot,
        "credential": c.credential,
        "issued_at": c.issued_at,
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "supersedes_id": c.supersedes_id,
        "superseded_by_id": c.superseded_by_id,
        "status_reason": c.status_reason,
        "status_changed_at": c.status_changed_at,
    }


class CertificateFilter:
    """Which certificates a listing wants (all optional, combined with AND)."""

    def __init__(
        self,
        *,
        achievement_ids: Sequence[UUID] | None = None,
        learner_id: UUID | None = None,
        statuses: Sequence[CertificateStatus] | None = None,
        text: str | None = None,
    ) -> None:
        self.achievement_ids = achievement_ids
        self.learner_id = learner_id
        self.statuses = statuses
        self.text = text.strip() if text else None

    def apply(self, query: Select[CertificateRow]) -> Select[CertificateRow]:
        if self.achievement_ids is not None:
            query = query.where(CertificateRow.achievement_id.in_(self.achievement_ids))
        if self.learner_id is not None:
            query = query.where(CertificateRow.learner_id == self.learner_id)
        if self.statuses is not None:
            query = query.where(CertificateRow.status.in_([s.value for s in self.statuses]))
        if self.text:
            # A number, or part of the learner's name or e-mail address, in any case.
            query = query.join(LearnerRow, LearnerRow.id == CertificateRow.learner_id).where(
                or_(
                    contains(CertificateRow.number, self.text),
                    contains(LearnerRow.name, self.text),
                    contains(LearnerRow.email, self.text),
                )
            )
        return query


class SqlAlchemyCertificateRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add_many(self, certificates: Sequence[Certificate]) -> None:
        bulk_insert(self._session, CertificateRow, [_values(c) for c in certificates])

    def add(self, certificate: Certificate) -> None:
        self.add_many([certificate])

    def get(self, certificate_id: UUID) -> Certificate | None:
        """By id alone: for public verification, where the id itself is the secret."""
        row = self._session.get(CertificateRow, certificate_id)
        return None if row is None else _certificate(row)

    def stamp(self, certificate_id: UUID) -> CertificateStamp | None:
        """The certificate's status, without loading its documents (a cache's freshness check)."""
        return _stamp(self._session.execute(_STAMP, {"id": certificate_id}).one_or_none())

    def get_for(self, organisation_id: UUID, certificate_id: UUID) -> Certificate | None:
        found = self.get(certificate_id)
        return found if found is not None and found.organisation_id == organisation_id else None

    def current_holders(self, achievement_id: UUID, learner_ids: Iterable[UUID]) -> set[UUID]:
        """Learners who already hold a current (not superseded) certificate of the achievement."""
        held: set[UUID] = set()
        ids = list(learner_ids)
        for start in range(0, len(ids), CHUNK):
            held.update(
                self._session.scalars(
                    select(CertificateRow.learner_id).where(
                        CertificateRow.achievement_id == achievement_id,
                        CertificateRow.learner_id.in_(ids[start : start + CHUNK]),
                        CertificateRow.status != CertificateStatus.SUPERSEDED.value,
                    )
                )
            )
        return held

    def numbers_taken(self, organisation_id: UUID, numbers: Sequence[str]) -> set[str]:
        return set(
            self._session.scalars(
                select(CertificateRow.number).where(
                    CertificateRow.organisation_id == organisation_id,
                    CertificateRow.number.in_(numbers),
                )
            )
        )

    def search(
        self, organisation_id: UUID, where: CertificateFilter, *, limit: int, offset: int
    ) -> list[Certificate]:
        """A page of a listing for people: newest first, numbered pages (``offset``)."""
        query = (
            where.apply(
                select(CertificateRow).where(CertificateRow.organisation_id == organisation_id)
            )
            .order_by(CertificateRow.issued_at.desc(), CertificateRow.id)
            .limit(limit)
            .offset(offset)
        )
        return [_certificate(row) for row in self._session.scalars(query)]

    def list(
        self,
        organisation_id: UUID,
        where: CertificateFilter,
        *,
        limit: int = 100,
        after: UUID | None = None,
    ) -> list[Certificate]:
        query = (
            where.apply(
                select(CertificateRow).where(CertificateRow.organisation_id == organisation_id)
            )
            .order_by(CertificateRow.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(CertificateRow.id > after)
        return [_certificate(row) for row in self._session.scalars(query)]

    def counts_by_batch(self, organisation_id: UUID) -> dict[UUID, dict[CertificateStatus, int]]:
        """Per batch, how many of its certificates are in each status."""
        rows = self._session.execute(
            select(AchievementRow.batch_id, CertificateRow.status, func.count())
            .join(AchievementRow, AchievementRow.id == CertificateRow.achievement_id)
            .where(CertificateRow.organisation_id == organisation_id)
            .group_by(AchievementRow.batch_id, CertificateRow.status)
        )
        found: dict[UUID, dict[CertificateStatus, int]] = {}
        for batch_id, status, count in rows:
            found.setdefault(batch_id, {})[CertificateStatus(status)] = count
        return found

    def any_of(self, achievement_id: UUID) -> bool:
        """Whether the achievement ever awarded a certificate, whatever became of it."""
        found = self._session.scalar(
            select(CertificateRow.id)
            .where(CertificateRow.achievement_id == achievement_id)
            .limit(1)
        )
        return found is not None

    def counts_by_achievement(self, achievement_ids: Sequence[UUID]) -> dict[UUID, int]:
        """How many current (active or suspended) certificates each achievement has."""
        rows = self._session.execute(
            select(CertificateRow.achievement_id, func.count())
            .where(
                CertificateRow.achievement_id.in_(achievement_ids),
                CertificateRow.status.in_(
                    [CertificateStatus.ACTIVE.value, CertificateStatus.SUSPENDED.value]
                ),
            )
            .group_by(CertificateRow.achievement_id)
        )
        return {achievement_id: count for achievement_id, count in rows}  # noqa: C416 - Rows

    def count(self, organisation_id: UUID, where: CertificateFilter) -> int:
        query = where.apply(
            select(CertificateRow).where(CertificateRow.organisation_id == organisation_id)
        )
        return self._session.scalar(select(func.count()).select_from(query.subquery())) or 0

    def set_status(
        self,
        certificate_id: UUID,
        status: CertificateStatus,
        *,
        reason: str | None,
        at: datetime,
        superseded_by: UUID | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status.value,
            "status_reason": reason,
            "status_changed_at": at,
        }
        if superseded_by is not None:
            values["superseded_by_id"] = superseded_by
        self._session.execute(
            update(CertificateRow).where(CertificateRow.id == certificate_id).values(**values)
        )
