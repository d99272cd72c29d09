"""The container's units of work: writing by default, read-only inside ``reading_by_default``."""

from __future__ import annotations

from ipaddress import ip_network
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from certmint.bootstrap import Container, bootstrap, outbound_client, reading_by_default
from certmint.config import Settings, load_settings
from certmint.storage.unit_of_work import ReadOnlyViolation
from tests.factories import make_organisation


def test_units_of_work_read_only_by_default_only_inside_the_block(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    container = Container(Settings(), engine, session_factory)
    make_organisation(container.uow(), "Written Outside")
    with reading_by_default():
        with pytest.raises(ReadOnlyViolation):
            make_organisation(container.uow(), "Written By Mistake")
        make_organisation(container.uow(read_only=False), "Written On Purpose")
    make_organisation(container.uow(), "Written After")
    with container.uow() as uow:
        names = {o.name for o in uow.organisations.list()}
    assert {"Written Outside", "Written On Purpose", "Written After"} <= names
    assert "Written By Mistake" not in names


def test_an_unpooled_container_opens_a_connection_per_unit_of_work(tmp_path: Path) -> None:
    """What a worker pool's parent sweeps with: nothing open for its children to inherit."""
    container = bootstrap(Settings(home=tmp_path), migrate=True, pooled=False)
    try:
        assert isinstance(container.engine.pool, NullPool)
        make_organisation(container.uow(), "Swept")
        with container.uow() as uow:
            assert [o.name for o in uow.organisations.list()] == ["Swept"]
    finally:
        container.close()


def test_the_outbound_client_follows_the_operator_settings(
    certmint_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTMINT_OUTBOUND_ALLOW_NETWORKS", " 10.1.0.0/16, ::1 ")
    development = outbound_client(load_settings()).policy
    assert not development.require_https
    assert development.allowed_networks == (ip_network("10.1.0.0/16"), ip_network("::1/128"))
    production = outbound_client(
        load_settings(
            environment="production",
            master_secret="kq3Vd2m9X-Zp7Lw0sYbN4rTg8hJc1FeU6aQiOvRx5yE",  # production-grade
            base_url="https://certs.example.org",
        )
    ).policy
    assert production.require_https
    monkeypatch.delenv("CERTMINT_OUTBOUND_ALLOW_NETWORKS")
    assert outbound_client(load_settings()).policy.allowed_networks == ()
    with pytest.raises(ValidationError, match="outbound_allow_networks"):
        load_settings(outbound_allow_networks="127.0.0.1/8")  # host bits set: a typo, refused
