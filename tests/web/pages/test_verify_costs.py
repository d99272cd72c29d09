"""What a view of ``/v/<id>`` costs: transactions on the real engine, and private keys opened.

A real instance (its own SQLite file, or a throwaway PostgreSQL database, migrated as a server
finds it) with the real sealed key store: the transactions are counted with SQLAlchemy's engine
events on the container's engines, the keys at the key store's one entry point that unseals a
private key (``FileKeyStore.get``). A public page view opens no private key: status lists are
signed when their bits change (issuance, revoke), not when someone looks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from certmint.bootstrap import Container, bootstrap
from certmint.config import Settings
from certmint.credentials import Ed25519KeyPair, FileKeyStore
from certmint.domain.accounts import Principal
from certmint.domain.ids import url_id
from certmint.rendering import FontSet
from certmint.services.certificates.lifecycle import revoke_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.web.app import create_app
from tests.conftest import ThrowawayPostgres
from tests.factories import enrolment_row, scenario


class Transactions:
    """BEGINs seen on an engine (SQLAlchemy's ``begin`` event: one per transaction)."""

    def __init__(self, *engines: Engine) -> None:
        self.count = 0
        self._engines = engines
        for engine in engines:
            event.listen(engine, "begin", self._began)

    def _began(self, _connection: Any) -> None:
        self.count += 1

    def during(self, action: Callable[[], object]) -> int:
        before = self.count
        action()
        return self.count - before

    def close(self) -> None:
        for engine in self._engines:
            event.remove(engine, "begin", self._began)


@pytest.fixture
def real_instance(tmp_path: Path, database_url: str, fonts: FontSet) -> Iterator[Container]:
    def make(url: str) -> Container:
        settings = Settings(
            home=tmp_path / "home",
            database_url=url,
            base_url="https://certs.example.org",
            master_secret="a-test-secret-of-enough-length",
            verification_count_flush_seconds=86_400,
        )
        (tmp_path / "home").mkdir(exist_ok=True)
        container = bootstrap(settings, migrate=True)
        container.__dict__.update(fonts=fonts)
        return container

    if database_url.startswith("postgresql"):
        with ThrowawayPostgres(database_url) as url:
            container = make(url)
            yield container
            container.close()
        return
    container = make("")
    yield container
    container.close()


@pytest.fixture
def unsealed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The key ids unsealed, in order (the real ``get`` still runs)."""
    opened: list[str] = []
    real = FileKeyStore.get

    def get(store: FileKeyStore, key_id: str) -> Ed25519KeyPair:
        opened.append(key_id)
        return real(store, key_id)

    monkeypatch.setattr(FileKeyStore, "get", get)
    return opened


def test_a_view_opens_one_transaction_cold_none_warm_and_never_a_private_key(
    real_instance: Container, unsealed: list[str]
) -> None:
    container = real_instance
    s = scenario(container.uow(), container.signing, [enrolment_row("L1"), enrolment_row("L2")])
    summary = issue_achievement(
        container.uow(), container.signing, IssueRequest(s.organisation.id, s.achievement_id)
    )
    first, second = (f"/v/{url_id(i)}" for i in summary.certificate_ids)
    assert unsealed, "issuing signs: it opens the key (and signs the new status list with it)"
    counted = Transactions(container.engine, container.certificate_stamps.engine)
    try:
        with TestClient(create_app(container)) as client:
            unsealed.clear()
            cold = counted.during(lambda: _valid(client, first))
            warm = counted.during(lambda: _valid(client, first))
            as_json = counted.during(
                lambda: client.get(first, headers={"Accept": "application/json"})
            )
            status_list = client.get(first + "/credential.json").json()["credentialStatus"]
            fetched = counted.during(
                lambda: client.get(status_list["statusListCredential"]).raise_for_status()
            )
            assert (cold, warm, as_json, fetched) == (1, 0, 0, 1)
            assert unsealed == []  # views and the status list fetch read what was signed
            # A revocation signs the list again, in its own transaction: the next view of any
            # certificate on that list shows it, still without a key.
            revoke_certificate(
                container.uow(),
                Principal.at_shell(s.organisation.id),
                summary.certificate_ids[1],
                reason="fraud",
                signing=container.signing,
            )
            assert len(unsealed) == 1
            unsealed.clear()
            revoked = counted.during(lambda: client.get(second))
            assert ">Revoked<" in client.get(second).text and revoked == 1
            assert counted.during(lambda: _valid(client, first)) == 0  # unchanged: still warm
            assert unsealed == []
    finally:
        counted.close()


def _valid(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and ">Valid<" in page.text, page.text
