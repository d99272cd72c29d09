"""Engines and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

__all__ = ["READ_ONLY", "SQLITE_SIDECARS", "create_database_engine", "create_session_factory"]

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
        _private_database_file(Path(parsed.database))
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


SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def _private_database_file(path: Path) -> None:
    """Make the SQLite file ourselves, mode 0600, before SQLite opens it: SQLite would create
    it (and then its -wal and -shm files, which take the database file's mode) under the
    process umask, world-readable under the usual 022, with webhook secrets and password
    hashes inside. A file of an older, laxer Certmint is made private again."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_SIDECARS)):
        with suppress(FileNotFoundError):
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Services return plain values after commit; expiring would trigger needless reloads.
    return sessionmaker(engine, expire_on_commit=False)
