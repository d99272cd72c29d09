"""Engines and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["READ_ONLY", "create_database_engine", "create_session_factory"]

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Execution option of a connection that only reads: SQLite begins it deferred (a WAL reader
# that neither waits for nor blocks the writer) instead of IMMEDIATE.
READ_ONLY = "certmint_read_only"


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


# Credentials and snapshots are JSON columns: the standard library's encoder took a tenth of a
# bulk issuance's time (about 60 us per credential), orjson takes 5 us; reads gain threefold.
_JSON = {"json_serializer": _json_text, "json_deserializer": orjson.loads}


def create_database_engine(url: str, *, ping: bool = True, **kwargs: Any) -> Engine:
    """An engine with the settings Certmint relies on.

    SQLite gets WAL (readers never block the writer), enforced foreign keys, and
    ``BEGIN IMMEDIATE`` transactions: a deferred transaction that later tries to write fails at
    once with "database is locked" when another connection writes, whatever the busy timeout,
    while an immediate one waits its turn. Units of work that only read (the public
    verification page) begin deferred instead: under WAL they never wait. pysqlite's own
    transaction handling is switched off so that SAVEPOINTs work (SQLAlchemy's "Serializable
    isolation / Savepoints" recipe).

    ``ping`` tests each pooled PostgreSQL connection before use (a round trip per checkout,
    but a restarted server costs no failed request); an engine without it must retry a read
    whose connection was invalidated.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=ping, **_JSON, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **_JSON, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Services return plain values after commit; expiring would trigger needless reloads.
    return sessionmaker(engine, expire_on_commit=False)
