"""Opening a status list when a concurrent issuer opened the same one first."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from certmint.domain.status_lists import StatusPurpose
from certmint.services.verification.status_lists import allocate_indexes
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import make_organisation


def test_the_list_a_concurrent_issuer_opened_first_is_the_one_used(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    # Two issuers of a new organisation both find no list and open number 1; the one whose
    # insert comes second takes the first one's list, and its transaction goes on.
    organisation = make_organisation(uow)
    now = datetime.now(UTC)
    with uow:
        first, _ = allocate_indexes(uow, organisation.id, StatusPurpose.REVOCATION, 1, now)
        uow.commit()
    with uow:
        opened = uow.status_lists.add(replace(first, id=uuid.uuid4()))
        assert opened == first
        uow.status_lists.add_entries(opened.id, [(7, None)])
        uow.commit()
    with uow:
        assert uow.status_lists.latest(organisation.id, StatusPurpose.REVOCATION) == first
        assert uow.status_lists.allocated(first.id) == 1
