"""The unit of work: a read-only one refuses to write, loudly and at once."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from certmint.storage.tables import OrganisationRow
from certmint.storage.unit_of_work import ReadOnlyViolation, SqlAlchemyUnitOfWork
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
