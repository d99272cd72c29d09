"""Languages of the pages: gettext catalogues, and the language chosen for each request.

Catalogues are Babel ``.po`` files in ``web/locale/<lang>/LC_MESSAGES/messages.po``; the
messages are the English text in the templates, so English needs no catalogue. The ``.po`` files
are compiled in memory when the app starts (a few milliseconds), so there is no build step and
no compiled file that can drift from its source. ``docs/translations.md`` says how to add a
language.

The language of a request is, in order: ``?lang=xx`` (remembered in a cookie for the next
pages), the cookie, the browser's ``Accept-Language``, then English.

Text that Python code words (a handler's problem, a label in a table of choices) is marked
with ``N_`` where it is written, so that extraction finds it, and translated where it is shown:
by ``_()`` in a template, or ``translate(request, ...)`` in a handler. What the domain and the
services word comes as messages (``certmint.domain.messages``: an English text and its values);
templates show them with the ``say`` filter, in the page's ``PageLanguage``.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from certmint.domain.messages import N_, Said

__all__ = [
    "COOKIE",
    "DEFAULT_LANGUAGE",
    "LOCALE_DIR",
    "N_",
    "Catalogues",
    "LanguageMiddleware",
    "PageLanguage",
    "choose_language",
    "i18n_context",
    "install_i18n",
    "load_catalogues",
    "parse_accept_language",
    "request_language",
    "say",
    "text_direction",
    "translate",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Day, month name, year, as certificates print dates ("29 November 2026", "29 नवंबर 2026").
DATE_FORMAT = "d MMMM y"
# A moment on the admin pages: "29 Nov 2026, 14:03 UTC" (stored times are UTC).
MOMENT_FORMAT = "d MMM y, HH:mm 'UTC'"
MAX_ACCEPT_LANGUAGE = 40  # entries read from the header; browsers send a handful


@dataclass(frozen=True)
class Catalogues:
    """The compiled translations, by language code, English (the source) included."""

    translations: Mapping[str, gettext.NullTranslations]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.translations)

    def get(self, language: str) -> gettext.NullTranslations:
        return self.translations.get(language) or self.translations[DEFAULT_LANGUAGE]

    def language(self, language: str) -> PageLanguage:
        """How ``language`` writes the domain's messages (``certmint.domain.messages``)."""
        code = language if language in self.translations else DEFAULT_LANGUAGE
        return PageLanguage(code, self.get(code))

    def names(self) -> dict[str, str]:
        """Each language's name in itself, for the language switcher (English, हिन्दी)."""
        return {code: Locale.parse(code).get_display_name(code) or code for code in self.languages}


@dataclass(frozen=True)
class PageLanguage:
    """A page's language for ``certmint.domain.messages``: its catalogue's translations, and
    numbers as Babel writes them there (every digit given is kept: a score of 72.125 is not
    rounded)."""

    code: str
    translations: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def number(self, value: int | float | Decimal) -> str:
        return format_decimal(value, locale=self.code, decimal_quantization=False)


def load_catalogues(locale_dir: Path = LOCALE_DIR) -> Catalogues:
    """Compile every ``<lang>/LC_MESSAGES/messages.po`` under ``locale_dir`` in memory."""
    translations: dict[str, gettext.NullTranslations] = {
        DEFAULT_LANGUAGE: gettext.NullTranslations()
    }
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/messages.po")):
        language = po.parent.parent.name
        with po.open("rb") as source:
            catalogue = read_po(source, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalogue)  # fuzzy entries are left out, as msgfmt does
        compiled.seek(0)
        translations[language] = gettext.GNUTranslations(compiled)
    return Catalogues(translations)


def parse_accept_language(header: str) -> list[str]:
    """Language ranges by preference (``q`` descending, then order), lower-cased."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def _supported(tag: str | None, languages: Iterable[str]) -> str | None:
    """``hi-IN`` matches ``hi``; ``*`` and unknown languages match nothing."""
    if not tag:
        return None
    primary = tag.lower().replace("_", "-").split("-")[0]
    return primary if primary in languages else None


def choose_language(
    languages: Iterable[str], *, query: str | None, cookie: str | None, accept: str
) -> str:
    supported = tuple(languages)
    for explicit in (query, cookie):
        found = _supported(explicit, supported)
        if found:
            return found
    for tag in parse_accept_language(accept):
        found = _supported(tag, supported)
        if found:
            return found
    return DEFAULT_LANGUAGE


class LanguageMiddleware:
    """Chooses each request's language (``request.state.language``), remembers ``?lang=`` in a
    cookie, and labels the answer (``Content-Language``; ``Vary`` for caches)."""

    def __init__(self, app: ASGIApp, languages: Iterable[str]) -> None:
        self.app = app
        self.languages = tuple(languages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        query = request.query_params.get("lang")
        language = choose_language(
            self.languages,
            query=query,
            cookie=request.cookies.get(COOKIE),
            accept=request.headers.get("accept-language", ""),
        )
        scope.setdefault("state", {})["language"] = language
        remember = _supported(query, self.languages) is not None

        async def send_labelled(message: ASGIMessage) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Language"] = language
                    headers.add_vary_header("Accept-Language")
                    headers.add_vary_header("Cookie")
                if remember:
                    headers.append(
                        "Set-Cookie",
                        f"{COOKIE}={language}; Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax",
                    )
            await send(message)

        await self.app(scope, receive, send_labelled)


def request_language(request: Request) -> str:
    return getattr(request.state, "language", DEFAULT_LANGUAGE)


def translate(request: Request, message: str, **values: object) -> str:
    """``message`` (marked with ``N_``) in the request's language, ``%(name)s`` filled in."""
    catalogues: Catalogues = request.app.state.catalogues
    translated = catalogues.get(request_language(request)).gettext(message)
    return translated % values if values else translated


def say(request: Request, value: Said | str) -> str:
    """A message of the domain or the services in the request's language (text that is
    already words, such as a ``translate``d problem, as it is)."""
    if isinstance(value, str):
        return value
    catalogues: Catalogues = request.app.state.catalogues
    return value.render(catalogues.language(request_language(request)))


@cache
def text_direction(language: str) -> str:
    """``ltr`` or ``rtl``, from CLDR (for ``<html dir>``)."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


def install_i18n(environment: Environment, catalogues: Catalogues) -> None:
    """``{% trans %}``, ``_()``, ``gettext()`` and ``ngettext()`` in templates, translated into the
    language of the request being rendered, and filters that write in that language:
    ``format_date`` (a day, as certificates print it), ``when`` (a moment, to the minute, in
    UTC), ``number`` (digits grouped as the language groups them) and ``say`` (a message of the
    domain or the services, ``certmint.domain.messages``).

    Templates get ``lang`` and ``dir`` (for ``<html>``) from ``i18n_context``.
    """
    environment.add_extension("jinja2.ext.i18n")
    environment.policies["ext.i18n.trimmed"] = True  # {% trans %} text is whitespace-collapsed

    @pass_context
    def translate(context: Context, message: str) -> str:
        return catalogues.get(context.get("lang", DEFAULT_LANGUAGE)).gettext(message)

    @pass_context
    def translate_plural(context: Context, singular: str, plural: str, n: int) -> str:
        translations = catalogues.get(context.get("lang", DEFAULT_LANGUAGE))
        return translations.ngettext(singular, plural, n)

    @pass_context
    def localised_date(context: Context, value: date | datetime, form: str = DATE_FORMAT) -> str:
        day = value.date() if isinstance(value, datetime) else value
        return format_date(day, format=form, locale=context.get("lang", DEFAULT_LANGUAGE))

    @pass_context
    def localised_moment(context: Context, value: datetime | None) -> str:
        if value is None:
            return ""
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        language = context.get("lang", DEFAULT_LANGUAGE)
        return format_datetime(moment, MOMENT_FORMAT, tzinfo=UTC, locale=language)

    @pass_context
    def localised_number(context: Context, value: int | float) -> str:
        return format_decimal(value, locale=context.get("lang", DEFAULT_LANGUAGE))

    @pass_context
    def localised_message(context: Context, value: Said | str) -> str:
        if isinstance(value, str):
            return value  # already words (a handler's translated problem, data)
        return value.render(catalogues.language(context.get("lang", DEFAULT_LANGUAGE)))

    environment.install_gettext_callables(  # type: ignore[attr-defined]
        translate, translate_plural, newstyle=True
    )
    environment.filters["format_date"] = localised_date
    environment.filters["when"] = localised_moment
    environment.filters["number"] = localised_number
    environment.filters["say"] = localised_message
    environment.globals["language_names"] = catalogues.names()


def i18n_context(request: Request) -> dict[str, Any]:
    """Template context for every page: the request's language and its writing direction."""
    language = request_language(request)
    return {"lang": language, "dir": text_direction(language)}
