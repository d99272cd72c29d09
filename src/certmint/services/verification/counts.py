"""How often each certificate was verified, for its organisation's admins: a counter and
nothing else (no address, time or device of whoever scanned it is kept).

The page adds to an in-memory tally; ``flush`` writes the tally in one transaction (an upsert
per certificate). Under load that is one write every few seconds instead of one per page view,
which on SQLite would queue every view behind the single writer. A crash loses at most the
views since the last flush, which a statistic can afford.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from uuid import UUID

from certmint.services.unit_of_work import UnitOfWork

__all__ = ["VerificationCounter", "verification_counts"]


class VerificationCounter:
    """Views counted in memory until flushed; safe to use from many threads."""

    def __init__(self) -> None:
        self._pending: Counter[UUID] = Counter()
        self._lock = threading.Lock()

    def add(self, certificate_id: UUID) -> None:
        with self._lock:
            self._pending[certificate_id] += 1

    def flush(self, uow: UnitOfWork) -> int:
        """Write the tally; returns how many certificates it touched. On failure the tally is
        kept for the next flush."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return 0
        try:
            with uow as tx:
                tx.verification_counts.add(pending)
                tx.commit()
        except Exception:
            with self._lock:
                self._pending.update(pending)
            raise
        return len(pending)


def verification_counts(
    uow: UnitOfWork, organisation_id: UUID, certificate_ids: Iterable[UUID]
) -> dict[UUID, int]:
    """How often each of the given certificates was verified: 0 if never, and 0 for another
    organisation's (whose counts are never read)."""
    ids = list(certificate_ids)
    with uow as tx:
        counted = tx.verification_counts.for_certificates(organisation_id, ids)
    return {i: counted.get(i, 0) for i in ids}
