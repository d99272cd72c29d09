"""What the journey tests share (``tests/web/test_*_journey_browser.py``): each journey is walked
four times, on a desktop (1280 px) and a phone (390 px), in English and in Hindi, against one
live server per module (``tests/web/browser.py``).

A walk finds the page's words through the product's own catalogue (``walk.t("Sign in")`` is
"साइन इन करें" in Hindi), so a missing translation or a renamed button fails the walk in both
languages. ``walk.look(page, step)`` saves a full-page screenshot to
``tests/web/screenshots/<journey>-<device>-<language>-<nn>-<step>.png`` (git-ignored: look at
them) and runs axe-core on the page. With ``CERTMINT_GUIDE=1`` the steps the guide shows are
also written, at the window's size and in 64 colours, to ``docs/guide/`` (docs/guide.md).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from certmint.web.i18n import load_catalogues
from tests.factories import PASSWORD
from tests.web.browser import ROOT, LiveServer, assert_accessible

__all__ = ["WALKS", "Walk", "sign_in"]

SCREENSHOTS = ROOT / "tests" / "web" / "screenshots"
GUIDE = ROOT / "docs" / "guide"
GUIDE_WIDTH = 900  # pixels: a desktop window scaled down, still legible in a guide
GUIDE_COLOURS = 64
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-GB", "hi": "hi-IN"}
WALKS = [(device, language) for language in ("en", "hi") for device in ("desktop", "phone")]
_CATALOGUES = load_catalogues()


@dataclass
class Walk:
    """One walk of a journey: a browser page of the device's size in the language's locale."""

    journey: str
    device: str
    language: str
    live_server: LiveServer
    page: Page
    steps: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.device}-{self.language}"

    def t(self, english: str, **values: object) -> str:
        """The page's words for ``english`` (a msgid, with its ``%(name)s`` values)."""
        text = _CATALOGUES.get(self.language).gettext(english)
        return text % values if values else text

    def tn(self, singular: str, plural: str, count: int, **values: object) -> str:
        """``t`` for a message with a plural (``count`` picks the form)."""
        return _CATALOGUES.get(self.language).ngettext(singular, plural, count) % values

    def open(self, path: str) -> None:
        self.page.goto(self.live_server.url(path))

    def look(
        self,
        step: str,
        *,
        guide: tuple[str, ...] = (),
        of: Page | None = None,
        at: Locator | None = None,
    ) -> Path:
        """Screenshot the page (for review), check it with axe-core, and with
        ``CERTMINT_GUIDE=1`` write the window's view (scrolled to ``at``) to the guide when
        this walk is one of ``guide``'s (``"desktop-en"`` and so on). Returns the screenshot's
        path."""
        page = of or self.page
        self.steps.append(step)
        name = f"{self.journey}-{self.key}-{len(self.steps):02}-{step}.png"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        page.screenshot(path=str(path), full_page=True)
        assert_accessible(page)
        if self.key in guide and os.environ.get("CERTMINT_GUIDE") == "1":
            if at is not None:
                at.scroll_into_view_if_needed()
            _write_guide_image(page.screenshot(), GUIDE / f"{self.journey}-{step}-{self.key}.png")
        return path

    def says(self, english: str, *, timeout: float = 5_000, **values: object) -> None:
        """The page tells what happened in a status message (a flash)."""
        status = self.page.get_by_role("status").filter(has_text=self.t(english, **values))
        expect(status).to_be_visible(timeout=timeout)

    def fits(self, of: Page | None = None) -> None:
        """Nothing wider than the window: a phone never scrolls sideways."""
        page = of or self.page
        width = page.viewport_size["width"] if page.viewport_size else 0
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    def nav(self, path: str) -> None:
        """Open an admin section from the navigation (behind the Menu button on a phone)."""
        navigation = self.page.get_by_role("navigation", name=self.t("Admin"))
        menu = navigation.locator("summary")
        if menu.is_visible():
            menu.click()
        navigation.locator(f'a:not(.brand)[href$="{path}"]:visible').click()
        expect(self.page).to_have_url(re.compile(re.escape(path) + r"(\?|$)"))


def _write_guide_image(png: bytes, path: Path) -> None:
    """A small PNG for the guide: scaled to ``GUIDE_WIDTH`` at most, in a few colours."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > GUIDE_WIDTH:
        height = round(image.height * GUIDE_WIDTH / image.width)
        image = image.resize((GUIDE_WIDTH, height), Image.Resampling.LANCZOS)
    small = image.quantize(colors=GUIDE_COLOURS, method=Image.Quantize.MEDIANCUT)
    path.parent.mkdir(parents=True, exist_ok=True)
    small.save(path, optimize=True)


def open_walk(
    journey: str,
    device: str,
    language: str,
    live_server: LiveServer,
    open_page: Callable[..., Page],
) -> Walk:
    page = open_page(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page.set_default_timeout(15_000)  # a step that fails says so well before the 30 s default
    return Walk(journey, device, language, live_server, page)


def sign_in(walk: Walk, email: str, path: str) -> None:
    """Open ``path`` signed out, sign in on the page it sends to, and come back to it."""
    walk.open(path)
    expect(walk.page).to_have_url(re.compile(r"/login\?next="))
    walk.page.get_by_label(walk.t("E-mail address")).first.fill(email)
    walk.page.get_by_label(walk.t("Password"), exact=True).fill(PASSWORD)
    walk.page.locator("form").first.get_by_role("button", name=walk.t("Sign in")).click()
    expect(walk.page).to_have_url(walk.live_server.url(path))
