"""Walking the pages as a person does: read a page's text, links and forms, and follow the links.

Used by the tests that must reach every page without a list of them (the Hindi pages, the
links each role is shown), so a page added later is checked too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit

from fastapi.testclient import TestClient

__all__ = ["Form", "PageParts", "Visit", "crawl", "parse"]

# Attributes whose text a person reads or hears (data-shown/-failed: admin.js shows them).
SHOWN_ATTRIBUTES = {"alt", "placeholder", "aria-label", "title", "data-shown", "data-failed"}
# Code (samples, JSON, event names) and what was typed into a form stay as written.
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "noscript", "textarea"}


@dataclass(frozen=True)
class Form:
    """Where a form (or one of its buttons, with ``formaction``) sends what is typed."""

    method: str
    action: str


@dataclass
class PageParts:
    chunks: list[str] = field(default_factory=list)  # the visible text
    links: list[str] = field(default_factory=list)  # every <a href>, as written
    forms: list[Form] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.parts = PageParts()
        self._page = page
        self._form: Form | None = None
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skipping += 1
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if value and name in SHOWN_ATTRIBUTES:
                self.parts.chunks.append(value)
        if tag == "a" and values.get("href"):
            self.parts.links.append(values["href"])
        if tag == "form":
            method = values.get("method", "get").upper()
            self._form = Form(method, values.get("action") or self._page)
            self.parts.forms.append(self._form)
        if tag == "button" and values.get("formaction") and self._form is not None:
            self.parts.forms.append(Form(self._form.method, values["formaction"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS:
            self._skipping -= 1
        if tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.parts.chunks.append(data)


def parse(html: str, page: str = "") -> PageParts:
    """The text, links and forms of ``html`` (served at ``page``, a form's default action)."""
    parser = _Parser(page)
    parser.feed(html)
    return parser.parts


@dataclass(frozen=True)
class Visit:
    url: str
    response: Any  # httpx.Response
    parts: PageParts | None  # None: not an HTML page
    found_on: str | None  # the page whose link led here (None: where the walk began)


def crawl(
    client: TestClient,
    start: str,
    headers: dict[str, str],
    follow: Callable[[SplitResult], str | None],
) -> Iterator[Visit]:
    """Every page reached from ``start`` by following links (and redirects) breadth first.

    ``follow`` gets each same-site link, absolute, and says which URL to fetch for it (None:
    not followed); each URL is fetched once. HTML pages are parsed for further links."""
    base = urlsplit(str(client.base_url))
    queue: list[tuple[str, str | None]] = [(start, None)]
    seen = {start}
    while queue:
        url, found_on = queue.pop(0)
        response = client.get(url, headers=headers, follow_redirects=False)
        html = response.headers.get("content-type", "").startswith("text/html")
        parts = parse(response.text, url) if html else None
        yield Visit(url, response, parts, found_on)
        targets = list(parts.links) if parts is not None else []
        if response.is_redirect:
            targets.append(response.headers["location"])
        for link in targets:
            target = urlsplit(urljoin(f"{base.scheme}://{base.netloc}{url}", link))
            if target.netloc != base.netloc:
                continue
            next_url = follow(target)
            if next_url is not None and next_url not in seen:
                seen.add(next_url)
                queue.append((next_url, url))
