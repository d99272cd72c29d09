"""Finding 12b: no page had a Content-Security-Policy, so another site could frame the admin
pages (clickjacking) and nothing backed up the escaping if markup ever slipped through."""

from __future__ import annotations

from urllib.parse import SplitResult

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World
from tests.web.crawl import crawl

REQUIRED = (
    "frame-ancestors 'none'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
)


def _admin_pages(target: SplitResult) -> str | None:
    if target.path == "/logout" or "lang=" in target.query:
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def test_every_html_page_an_admin_reaches_has_the_policy(api: TestClient, world: World) -> None:
    visits = list(crawl(api, "/admin", world.headers("admin"), _admin_pages))
    html = [v for v in visits if v.parts is not None and v.response.status_code == 200]
    assert len(html) >= 10, [v.url for v in visits]
    for visit in html:
        policy = visit.response.headers.get("content-security-policy", "")
        missing = [p for p in REQUIRED if p not in policy]
        assert not missing, (visit.url, policy)
        assert "'unsafe-eval'" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
        assert visit.response.headers["x-content-type-options"] == "nosniff"


def test_public_pages_and_the_api_docs_cannot_be_framed(api: TestClient, world: World) -> None:
    for url in ("/login", "/verify", f"/v/{world.id('certificate')}", "/api/v1/docs"):
        response = api.get(url, headers={"Accept": "text/html"})
        assert response.status_code == 200, url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], url
