from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from certmint.bootstrap import Container
from certmint.config import Settings
from certmint.rendering import FontSet
from certmint.services.issuance.in_process import InProcessExecutor
from certmint.services.issuers.signing import Signing
from certmint.storage.certificates import CertificateStamp, SqlAlchemyCertificateRepository
from certmint.web.app import create_app
from tests.web.browser import browser, live_server, open_page, page, shot  # noqa: F401 - fixtures


class _TestContainer(Container):
    def close(self) -> None:
        """The engine belongs to the test session, not to one app."""


@pytest.fixture
def container(
    engine: Engine,
    session_factory: sessionmaker[Session],
    signing: Signing,
    fonts: FontSet,
    tmp_path: Path,
) -> Container:
    # Verification counts are written at shutdown only: the periodic writer runs on another
    # thread, and a test's one connection (the rolled-back transaction) must not be used from
    # two threads at once (PostgreSQL loses savepoints).
    settings = Settings(
        home=tmp_path, base_url=signing.links.base_url, verification_count_flush_seconds=86_400
    )
    container = _TestContainer(settings, engine, session_factory)
    # The session's signing set-up and fonts stand in for the lazily built ones, and status
    # reads go through the test's transaction (the container's own reader would not see it).
    # Issue jobs run at once, inside the request: the test's one connection must not be used
    # from two threads (so nothing is announced to the deliveries' thread either; the
    # after-commit path has tests of its own in tests/services).
    container.__dict__.update(
        signing=signing,
        fonts=fonts,
        certificate_stamps=_stamps_in(session_factory),
        executor=InProcessExecutor(container.uow, run=lambda work: work()),
    )
    return container


def _stamps_in(session_factory: sessionmaker[Session]) -> Callable[[UUID], CertificateStamp | None]:
    def read(certificate_id: UUID) -> CertificateStamp | None:
        with session_factory() as session:
            return SqlAlchemyCertificateRepository(session).stamp(certificate_id)

    return read


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container)) as client:
        yield client


@pytest.fixture
def https_client(container: Container) -> Iterator[TestClient]:
    """A client that behaves like a browser on the instance's https origin: it keeps cookies
    (the session cookie is Secure there) and shows redirects instead of following them."""
    app = create_app(container)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def login_form(client: TestClient, url: str = "/login") -> dict[str, str]:
    """What a sign-in form carries besides what is typed: opens the page, as a browser does
    (which sets the pre-session CSRF cookie), and returns its hidden token field (none if the
    page has none: then the post says whether it needed one)."""
    opened = client.get(url)
    assert opened.status_code == 200, opened.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', opened.text)
    return {} if found is None else {"csrf_token": found.group(1)}


def sign_in(client: TestClient, email: str, password: str, **form: str) -> str:
    """Sign in through the form; returns the session's CSRF token (for unsafe requests)."""
    data = {"email": email, "password": password, **login_form(client), **form}
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.text
    return csrf_token_of(client)


def csrf_token_of(client: TestClient) -> str:
    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    return str(me.json()["csrf_token"])
