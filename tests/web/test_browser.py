"""The browser-test fixtures themselves: the accessibility check fails when it should, and the
live server is the product with its own database, seedable through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.web.browser import SCREENSHOTS, LiveServer, assert_accessible

pytestmark = pytest.mark.slow


def test_axe_fails_on_serious_violations(page: Page) -> None:
    page.set_content('<html><body><main><img src="x.png"><button></button></main></body></html>')
    with pytest.raises(AssertionError, match=r"critical button-name .*critical image-alt"):
        assert_accessible(page)


def test_axe_passes_an_accessible_page(page: Page) -> None:
    page.set_content(
        '<html lang="en"><head><title>Fine</title></head>'
        '<body><main><h1>Fine</h1><img src="x.png" alt="A logo"></main></body></html>'
    )
    assert_accessible(page)


def test_live_server_and_screenshots(
    live_server: LiveServer, page: Page, shot: Callable[..., Path]
) -> None:
    health = httpx.get(live_server.url("/healthz")).json()
    assert health["database"] == "ok"
    live_server.cli("init", "--org-name", "Live Academy")
    did = httpx.get(live_server.url("/.well-known/did.json")).json()
    assert did["id"] == "did:web:127.0.0.1%3A" + live_server.base_url.rsplit(":", 1)[1]
    page.goto(live_server.url("/.well-known/did.json"))
    path = shot("did")
    assert path == SCREENSHOTS / "test_live_server_and_screenshots-did.png"
    assert path.read_bytes().startswith(b"\x89PNG")
