"""The unit of work: a read-only one refuses to write, loudly and at once; one the database
refused for a concurrent transaction's sake says so."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from certmint.domain.status_lists import StatusPurpose
from certmint.services.verification.status_lists import allocate_indexes
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.errors import ConcurrentTransaction
from certmint.storage.tables import OrganisationRow
from certmint.storage.unit_of_work import ReadOnlyViolation, SqlAlchemyUnitOfWork
from tests.conftest import ThrowawayPostgres
from tests.factories import make_organisation


def test_a_read_only_unit_of_work_reads(session_factory: sessionmaker[Session]) -> None:
    organisation = make_organisation(SqlAlchemyUnitOfWork(session_factory), "Reads Academy")
    with SqlAlchemyUnitOfWork(session_factory, read_only=True) as uow:
        assert uow.organisations.get(organisation.id) == organisation
        uow.commit()  # nothing written: committing is harmless


def test_a_read_only_unit_of_work_refuses_added_rows(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(ReadOnlyViolation, match="may not add, change or delete"):
        make_organisation(SqlAlchemyUnitOfWork(session_factory, read_only=True), "Nope")


def test_a_read_only_unit_of_work_refuses_statements_that_write(
    session_factory: sessionmaker[Session],
) -> None:
    organisation = make_organisation(SqlAlchemyUnitOfWork(session_factory), "Statements")
    with SqlAlchemyUnitOfWork(session_factory, read_only=True) as uow:
        rename = update(OrganisationRow).where(OrganisationRow.id == organisation.id)
        with pytest.raises(ReadOnlyViolation, match="may not run UPDATE"):
            uow.session.execute(rename.values(name="Renamed"))
    with SqlAlchemyUnitOfWork(session_factory) as uow:
        found = uow.organisations.get(organisation.id)
        assert found is not None and found.name == "Statements"


def test_a_place_another_transaction_took_first_is_a_concurrent_transaction(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    organisation = make_organisation(uow, "Races Academy")
    with uow:
        status_list, _ = allocate_indexes(
            uow, organisation.id, StatusPurpose.REVOCATION, 1, datetime.now(UTC)
        )
        uow.status_lists.add_entries(status_list.id, [(7, None)])
        uow.commit()

    def take_again() -> None:
        with uow:
            uow.status_lists.add_entries(status_list.id, [(8, None), (7, None)])
            uow.commit()

    with pytest.raises(ConcurrentTransaction) as raised:
        take_again()
    assert isinstance(raised.value.__cause__, IntegrityError)
    with uow:
        assert uow.status_lists.allocated(status_list.id) == 1  # nothing of it was kept


def test_a_deadlock_is_a_concurrent_transaction(postgres_server: str) -> None:
    # Two transactions insert the same two keys in opposite orders: PostgreSQL aborts one.
    with ThrowawayPostgres(postgres_server) as url:
        engine = create_database_engine(url)
        try:
            with engine.begin() as connection:
                connection.execute(text("CREATE TABLE race (k integer PRIMARY KEY)"))
            factory = create_session_factory(engine)
            both_hold_one = threading.Barrier(2, timeout=30)
            outcomes: list[str] = []

            def insert(first: int, second: int) -> None:
                try:
                    with SqlAlchemyUnitOfWork(factory) as tx:
                        tx.session.execute(text("INSERT INTO race VALUES (:k)"), {"k": first})
                        both_hold_one.wait()
                        tx.session.execute(text("INSERT INTO race VALUES (:k)"), {"k": second})
                        tx.commit()
                    outcomes.append("committed")
                except ConcurrentTransaction as exc:
                    outcomes.append(type(exc.__cause__.orig).__name__)  # type: ignore[union-attr]

            threads = [threading.Thread(target=insert, args=keys) for keys in ((1, 2), (2, 1))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            assert sorted(outcomes) == ["DeadlockDetected", "committed"]
        finally:
            engine.dispose()
