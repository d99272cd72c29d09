"""Is the database answering?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["check_database"]


def check_database(uow: SqlAlchemyUnitOfWork) -> bool:
    try:
        with uow:
            uow.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
