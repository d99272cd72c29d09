from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from certmint.bootstrap import Container
from certmint.config import Settings
from certmint.web.app import create_app


class _TestContainer(Container):
    def close(self) -> None:
        """The engine belongs to the test session, not to one app."""


@pytest.fixture
def client(engine: Engine, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    container = _TestContainer(Settings(), engine, session_factory)
    with TestClient(create_app(container)) as client:
        yield client
