"""Alembic is the only path to the schema: the migrations must build exactly the models."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from certmint.storage.database import create_database_engine
from certmint.storage.migrate import (
    current_revision,
    downgrade_database,
    head_revision,
    upgrade_database,
)
from certmint.storage.tables import Base

VERSIONS = Path(str(files("certmint.storage.migrations") / "versions"))


def _diff(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_models_and_migrations_agree(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert _diff(engine) == []


def _round_trip(url: str) -> None:
    engine = create_database_engine(url)
    try:
        upgrade_database(engine)
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        assert _diff(engine) == []
        downgrade_database(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_and_downgrade_on_empty_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'empty.db'}")


def test_upgrade_and_downgrade_on_empty_postgresql(postgres_url: str) -> None:
    _round_trip(postgres_url)


def test_a_colour_the_domain_refuses_is_emptied(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'colours.db'}")
    try:
        upgrade_database(engine, "0015")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisations (id, slug, name, url, is_default, created_at,"
                    " primary_colour, accent_colour, email_sender, logo_type, suspension_shown)"
                    " VALUES ('0b0b0b0b0b0b4b0b8b0b0b0b0b0b0b0b', 'ok', 'Ok', '', 0,"
                    " '2026-12-01 00:00:00', :bad, '#0b6e4f', '', '', 0)"
                ),
                {"bad": "#123456\n"},
            )
        upgrade_database(engine)
        with engine.connect() as connection:
            kept = connection.execute(
                text("SELECT primary_colour, accent_colour FROM organisations")
            )
            assert kept.one() == ("", "#0b6e4f")
    finally:
        engine.dispose()


def test_revision_files_are_named_and_titled() -> None:
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert files
    for path in files:
        rev, _, slug = path.stem.partition("_")
        assert rev.isdigit() and slug, path.name
        source = path.read_text()
        assert source.startswith('"""') and "def downgrade" in source, path.name
        assert "pass\n" not in source.split("def downgrade", 1)[1], f"{path.name}: empty downgrade"


@pytest.mark.parametrize("pragma", ["journal_mode", "foreign_keys"])
def test_sqlite_pragmas(tmp_path: Path, pragma: str) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as connection:
        value = connection.exec_driver_sql(f"PRAGMA {pragma}").scalar()
    engine.dispose()
    assert value == {"journal_mode": "wal", "foreign_keys": 1}[pragma]
