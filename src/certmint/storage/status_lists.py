"""Status lists and the places certificates hold in them.

A list's bits are not stored: a certificate's bit is set exactly when its status says so
(revoked or superseded for the revocation list), so the bitstring is derived from the
certificates whenever a bit changes, signed in the same transaction and kept with the list
(``publish``) for verifiers to be served as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from certmint.domain.status_lists import PublishedStatusList, StatusList, StatusPurpose
from certmint.storage.bulk import bulk_insert
from certmint.storage.tables import (
    CertificateRow,
    OrganisationRow,
    StatusListEntryRow,
    StatusListRow,
)

__all__ = ["SqlAlchemyStatusListRepository"]


def _list(row: StatusListRow) -> StatusList:
    return StatusList(
        id=row.id,
        organisation_id=row.organisation_id,
        purpose=StatusPurpose(row.purpose),
        sequence=row.sequence,
        size=row.size,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _published(row: StatusListRow) -> PublishedStatusList:
    return PublishedStatusList(_list(row), row.credential, row.signed_for)


class SqlAlchemyStatusListRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def latest(self, organisation_id: UUID, purpose: StatusPurpose) -> StatusList | None:
        row = self._session.scalar(
            select(StatusListRow)
            .where(
                StatusListRow.organisation_id == organisation_id,
                StatusListRow.purpose == purpose.value,
            )
            .order_by(StatusListRow.sequence.desc())
            .limit(1)
        )
        return None if row is None else _list(row)

    def get(
        self, organisation_id: UUID, purpose: StatusPurpose, sequence: int
    ) -> StatusList | None:
        row = self._session.scalar(
            select(StatusListRow).where(
                StatusListRow.organisation_id == organisation_id,
                StatusListRow.purpose == purpose.value,
                StatusListRow.sequence == sequence,
            )
        )
        return None if row is None else _list(row)

    def add(self, status_list: StatusList) -> StatusList:
        """Open ``status_list``, or return the list of its sequence number that a concurrent
        issuer opened first (two issuers of an organisation meeting its first certificates
        both find no list and open number 1; the unique index settles which one is kept)."""
        row = StatusListRow(
            id=status_list.id,
            organisation_id=status_list.organisation_id,
            purpose=status_list.purpose.value,
            sequence=status_list.sequence,
            size=status_list.size,
            created_at=status_list.created_at,
            updated_at=status_list.updated_at,
        )
        try:
            # Flushed now: entries inserted in bulk right after refer to it.
            with self._session.begin_nested():
                self._session.add(row)
        except IntegrityError:
            opened = self.get(
                status_list.organisation_id, status_list.purpose, status_list.sequence
            )
            if opened is None:  # the conflict was not over the sequence number
                raise
            return opened
        return status_list

    def allocated(self, status_list_id: UUID) -> int:
        return (
            self._session.scalar(
                select(func.count())
                .select_from(StatusListEntryRow)
                .where(StatusListEntryRow.status_list_id == status_list_id)
            )
            or 0
        )

    def taken_per_block(self, status_list_id: UUID, block: int) -> dict[int, int]:
        """How many indexes are taken in each block of ``block`` indexes (absent: none)."""
        number = StatusListEntryRow.index // block
        rows = self._session.execute(
            select(number, func.count())
            .where(StatusListEntryRow.status_list_id == status_list_id)
            .group_by(number)
        )
        return {int(n): count for n, count in rows}

    def taken_between(self, status_list_id: UUID, start: int, end: int) -> set[int]:
        """Taken indexes in ``[start, end)``."""
        return set(
            self._session.scalars(
                select(StatusListEntryRow.index).where(
                    StatusListEntryRow.status_list_id == status_list_id,
                    StatusListEntryRow.index >= start,
                    StatusListEntryRow.index < end,
                )
            )
        )

    def add_entries(self, status_list_id: UUID, entries: Iterable[tuple[int, UUID | None]]) -> None:
        """Take the places (``index``, the certificate holding it; ``None``: a credential
        issued through the VC-API).

        Inserted in index order: two issuers that drew some of the same indexes then meet at
        the lowest of them, where one waits for the other and fails on the unique index once
        it commits. In any other order each could hold an index the other waits for, a
        deadlock PostgreSQL breaks only after a second."""
        bulk_insert(
            self._session,
            StatusListEntryRow,
            [
                {"status_list_id": status_list_id, "index": index, "certificate_id": certificate_id}
                for index, certificate_id in sorted(entries, key=lambda entry: entry[0])
            ],
        )

    def set_indexes(self, status_list_id: UUID, statuses: Sequence[str]) -> list[int]:
        """Indexes whose certificate's status is one of ``statuses`` (the bits that are set)."""
        return list(
            self._session.scalars(
                select(StatusListEntryRow.index)
                .join(CertificateRow, CertificateRow.id == StatusListEntryRow.certificate_id)
                .where(
                    StatusListEntryRow.status_list_id == status_list_id,
                    CertificateRow.status.in_(statuses),
                )
            )
        )

    def lists_of(self, certificate_id: UUID) -> list[StatusList]:
        rows = self._session.scalars(
            select(StatusListRow)
            .join(StatusListEntryRow, StatusListEntryRow.status_list_id == StatusListRow.id)
            .where(StatusListEntryRow.certificate_id == certificate_id)
        )
        return [_list(row) for row in rows]

    def touch(self, status_list_ids: Iterable[UUID], at: datetime) -> None:
        """Record that bits changed (the served list's ETag and Last-Modified follow)."""
        ids = list(status_list_ids)
        if ids:
            self._session.execute(
                update(StatusListRow).where(StatusListRow.id.in_(ids)).values(updated_at=at)
            )

    def publish(
        self, status_list_id: UUID, credential: dict[str, Any], signed_for: datetime
    ) -> None:
        """Keep the signed credential verifiers are served (signed for ``updated_at`` =
        ``signed_for``)."""
        self._session.execute(
            update(StatusListRow)
            .where(StatusListRow.id == status_list_id)
            .values(credential=credential, signed_for=signed_for)
        )

    def published(
        self, slug: str, purpose: StatusPurpose, sequence: int
    ) -> PublishedStatusList | None:
        """The list at ``/orgs/<slug>/status/<purpose>/<sequence>``, with its signed copy (one
        query)."""
        row = self._session.scalar(
            select(StatusListRow)
            .join(OrganisationRow, OrganisationRow.id == StatusListRow.organisation_id)
            .where(
                OrganisationRow.slug == slug,
                StatusListRow.purpose == purpose.value,
                StatusListRow.sequence == sequence,
            )
        )
        return None if row is None else _published(row)

    def all_published(self) -> list[PublishedStatusList]:
        """Every list with its signed copy (a few per organisation: one per 131,072 places)."""
        rows = self._session.scalars(
            select(StatusListRow).order_by(StatusListRow.organisation_id, StatusListRow.sequence)
        )
        return [_published(row) for row in rows]
