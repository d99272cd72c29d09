"""Alembic environment: runs on a connection handed in by ``certmint.storage.migrate`` or on
``sqlalchemy.url`` / the Certmint settings when run as ``alembic upgrade head``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from certmint.storage.database import create_database_engine
from certmint.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from certmint.config import load_settings  # noqa: PLC0415 - only the CLI path needs settings

    return load_settings().effective_database_url


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_database_engine(_url())
    with engine.connect() as new_connection:
        _run(new_connection)
    engine.dispose()
