"""Browser tests: the real product served by uvicorn, driven by Debian's Chromium (Playwright).

Fixtures (``tests/web/conftest.py`` imports them, so every test under ``tests/web`` has them):

``live_server`` (one per test module)
    ``certmint serve`` in a subprocess on a free port, with a fresh ``CERTMINT_HOME`` and a fresh,
    migrated database: a SQLite file, or on the PostgreSQL pass a throwaway database on the
    suite's server. Nothing is rolled back between the tests of a module, so seed with distinct
    names (or seed once in a module-scoped fixture). Seed through the services with
    ``live_server.container`` (same database, same key store and master secret as the server)::

        s = scenario(live_server.container.uow(), live_server.container.signing, rows)

    or through the CLI with ``live_server.cli("issue", "--batch", "B1")``. ``live_server.url(path)``
    makes an absolute URL; it is also the instance's base URL, so QR codes open this server.

``page``
    A fresh browser context and page (desktop viewport, English). ``open_page(**options)`` makes
    more, with any ``Browser.new_context`` option: ``open_page(viewport={"width": 390, "height":
    844}, locale="hi-IN")`` for a phone in Hindi (the locale sets ``Accept-Language``).

``shot(step, page=None)``
    Saves a full-page screenshot to ``test-artifacts/screenshots/<test name>-<step>.png`` (of
    ``page`` by default) and returns its path. Look at them: the file tool shows PNGs.

``assert_accessible(page)`` (a function: ``from tests.web.browser import assert_accessible``)
    Runs axe-core (npm, pinned in ``tests/interop/package.json``) in the page and fails on any
    serious or critical violation, listing each rule, its help text and the elements.

Chromium and axe-core are services in ``require_service``'s sense: missing locally, the tests
skip; under ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pydantic import SecretStr

from certmint.bootstrap import Container, bootstrap
from certmint.config import Settings
from certmint.domain.accounts import Principal, Role
from certmint.rendering import read_qr_codes
from certmint.services.identity.tokens import create_token
from certmint.services.issuers.keys import ensure_signing_key
from tests.conftest import ThrowawayPostgres, require_service
from tests.factories import make_organisation
from tests.servers import free_port

__all__ = ["CHROMIUM", "LiveServer", "assert_accessible", "qr_url_of", "run_live_server"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Headless on a machine without network: no GPU, no sandbox (root), and nothing phoning home.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
AXE = ROOT / "tests" / "interop" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
MASTER_SECRET = "browser-tests-master-secret"  # a throwaway instance's own
START_TIMEOUT = 120.0  # generous: a loaded 2-core CI machine starts Python slowly


@dataclass
class LiveServer:
    """A running Certmint instance and the means to seed it."""

    base_url: str
    env: dict[str, str]
    container: Container
    log_path: Path

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``certmint ARGS`` in a subprocess against this instance's home and database."""
        result = subprocess.run(
            [sys.executable, "-m", "certmint", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def issuer(self, name: str) -> str:
        """A new default organisation with a signing key, and an admin token's secret for it
        (what the VC-API's issuer endpoint needs)."""
        uow, signing = self.container.uow(), self.container.signing
        organisation = make_organisation(uow, name, default=True)
        ensure_signing_key(uow, signing.key_store, organisation.id)
        _, secret = create_token(
            uow, Principal.at_shell(organisation.id), name="t", role=Role.ADMIN
        )
        return secret

    def log(self) -> str:
        """What the server printed (uvicorn's access log and any traceback)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _wait_until_up(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            pytest.fail(f"certmint serve exited with {process.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"certmint serve did not answer within {START_TIMEOUT} s:\n{log.read_text()}"
            )
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _serve(home: Path, database_url: str, extra: dict[str, str]) -> Iterator[LiveServer]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = Settings(
        home=home,
        database_url=database_url,
        base_url=base_url,
        master_secret=SecretStr(MASTER_SECRET),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env.update(
        CERTMINT_HOME=str(home),
        CERTMINT_DATABASE_URL=settings.effective_database_url,
        CERTMINT_BASE_URL=base_url,
        CERTMINT_MASTER_SECRET=MASTER_SECRET,
    )
    env.update(extra)
    home.mkdir(parents=True, exist_ok=True)
    container = bootstrap(settings, migrate=True)
    log_path = home / "serve.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "certmint", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(process, f"{base_url}/healthz", log_path)
        yield LiveServer(base_url, env, container, log_path)
    finally:
        _stop(process)
        container.close()


def run_live_server(
    home: Path, database_url: str, env: dict[str, str] | None = None
) -> Iterator[LiveServer]:
    """A fresh instance for ``database_url``'s kind: a new SQLite file in ``home``, or a
    throwaway PostgreSQL database on that server; ``env`` adds settings for the server
    (``CERTMINT_SMTP_URL``, say). Use it to make fixtures of other scopes."""
    if database_url.startswith("postgresql"):
        with ThrowawayPostgres(database_url) as url:
            yield from _serve(home, url, env or {})
        return
    yield from _serve(home, f"sqlite:///{home / 'certmint.db'}", env or {})


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, database_url: str
) -> Iterator[LiveServer]:
    yield from run_live_server(tmp_path_factory.mktemp("live") / "home", database_url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        require_service(f"Chromium at {CHROMIUM} (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    with ExitStack() as contexts:

        def open_page(**options: Any) -> Page:
            context = browser.new_context(**{"locale": "en-GB", **options})
            contexts.callback(context.close)
            return context.new_page()

        yield open_page


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


@pytest.fixture
def shot(request: pytest.FixtureRequest, page: Page) -> Callable[..., Path]:
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def shot(step: str, of: Page | None = None) -> Path:
        path = SCREENSHOTS / f"{test_name}-{step}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        (of or page).screenshot(path=str(path), full_page=True)
        return path

    return shot


def assert_accessible(page: Page) -> None:
    """Fail on axe-core's serious or critical violations in what ``page`` shows once it has
    settled: a part the script is refreshing is dimmed (``aria-busy``) for a moment, and its
    contrast is judged when the refresh is done, as a reader sees it."""
    expect(page.locator('[aria-busy="true"]')).to_have_count(0)
    if not AXE.is_file():
        require_service(f"axe-core at {AXE} (npm ci --prefix tests/interop)")
    # Evaluated, not added as a <script>: the pages' Content-Security-Policy refuses inline
    # scripts, and the tests keep it on to show the pages work under it.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))"""
    )
    assert not violations, "axe-core: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in violations
    )


def qr_url_of(pdf: bytes, tmp_path: Path) -> str:
    """The URL in the PDF's QR code, read from the page as poppler draws it."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: apt-get install poppler-utils"
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "150",
            "-png",
            "-singlefile",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    urls = [u for u in read_qr_codes((tmp_path / "p.png").read_bytes()) if "/v/" in u]
    assert len(urls) == 1, urls
    return urls[0]
