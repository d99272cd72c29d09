"""A disk that fills up while the server runs: a request that must write answers 503 with one
sentence (a page for a browser, a problem document for the API), never a traceback, and a
certificate's picture is still served, uncached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from certmint.config import load_settings
from certmint.web.app import create_app
from certmint.web.startup import open_for_serving
from tests.broken_homes import BrokenDisk, broken_disk
from tests.cli_homes import SeededHome, invoke_ok, seed_home


@pytest.fixture
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[SeededHome, str]:
    monkeypatch.setenv("CERTMINT_HOME", str(tmp_path / "home"))
    seed = seed_home(tmp_path / "home", tmp_path, ("Completion",))
    token = json.loads(invoke_ok("tokens", "create", "--name", "LMS", "--json"))["token"]
    return seed, token


@pytest.fixture
def disk(seeded: tuple[SeededHome, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[BrokenDisk]:
    with broken_disk() as made:
        if isinstance(made, str):
            pytest.skip(made)
        made.place(seeded[0].home)
        monkeypatch.setenv("CERTMINT_HOME", str(made.home))
        yield made


def test_a_disk_that_fills_up_while_serving(
    seeded: tuple[SeededHome, str], disk: BrokenDisk, caplog: pytest.LogCaptureFixture
) -> None:
    seed, token = seeded
    first, second = seed.certificate_ids
    container = open_for_serving(load_settings())
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            with disk.full():
                revoke = f"/api/v1/certificates/{first}/revoke"
                api = client.post(
                    revoke,
                    json={"reason": "issued in error"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                page = client.post(
                    revoke,
                    json={"reason": "issued in error"},
                    headers={"Authorization": f"Bearer {token}", "Accept": "text/html"},
                )
                picture = client.get(f"/v/{second}/preview.png")
            after = client.get(
                f"/api/v1/certificates/{first}", headers={"Authorization": f"Bearer {token}"}
            )
    finally:
        container.close()
    assert api.status_code == 503, api.text
    assert api.headers["content-type"] == "application/problem+json"
    assert api.headers["retry-after"] == "60"
    assert api.json()["detail"] == (
        "the server's disk is full, so nothing can be saved now: please try again later; "
        "the operator has been told"
    )
    assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
    assert "disk is full, so nothing can be saved now" in page.text
    for answer in (api.text, page.text):
        assert "Traceback" not in answer and str(disk.home) not in answer  # no paths either
    assert any("no space left" in r.getMessage() for r in caplog.records)  # the operator's
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    assert after.json()["status"] == "active"  # nothing of the refused revocation was kept
