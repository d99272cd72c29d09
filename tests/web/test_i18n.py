"""Languages: every message of every page has a Hindi translation, and each request gets the
language it asks for (``?lang=``, then the cookie, then Accept-Language)."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal
from certmint.domain.criteria import describe, parse_criteria
from certmint.domain.ids import url_id
from certmint.domain.messages import Message
from certmint.services.certificates.lifecycle import get_certificate, revoke_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.i18n import LOCALE_DIR, choose_language, load_catalogues, parse_accept_language
from tests.factories import enrolment_row, scenario
from tests.web.crawl import parse
from tests.web.pages.admin.test_hindi import _english_left

PACKAGE = LOCALE_DIR.parent.parent  # babel.cfg's paths are relative to src/certmint
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _template_messages() -> set[str]:
    with (LOCALE_DIR / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _, _, message, _, _ in extract_from_dir(PACKAGE, method_map, options_map):
        found.update(message if isinstance(message, tuple) else (message,))
    return found


def _catalogue(language: str) -> dict[str, str]:
    """Each message id (a plural's singular and plural) and its translation (the last plural
    form for the plural id); a plural counts only when every form is translated."""
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = read_po(po)
    translated: dict[str, str] = {}
    for m in catalogue:
        if not m.id or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        if all(forms):
            translated |= {ids[0]: forms[0], ids[-1]: forms[-1]}
    return translated


@pytest.mark.parametrize(
    "language", sorted(p.parent.parent.name for p in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))
)
def test_every_template_message_is_translated(language: str) -> None:
    messages = _template_messages()
    # templates of each kind of page, a handler's message, a layout's name
    assert {"Valid", "Revoked on %(date)s.", "Language", "Audit log"} <= messages
    assert {"Version published.", "file: choose a CSV file to import", "Modern band"} <= messages
    translated = _catalogue(language)
    missing = sorted(m for m in messages if not translated.get(m))
    assert not missing, f"untranslated in {language} (scripts/update-translations.sh): {missing}"
    for message in messages:
        assert set(PLACEHOLDER.findall(translated[message])) == set(PLACEHOLDER.findall(message))


def test_hindi_is_written_in_devanagari() -> None:
    for message, translation in _catalogue("hi").items():
        assert re.search("[\u0900-\u097f]", translation), f"{message!r}: {translation!r}"


def test_catalogues_compile_at_start_up() -> None:
    catalogues = load_catalogues()
    assert catalogues.languages == ("en", "hi")
    assert catalogues.get("hi").gettext("Valid") == "मान्य"
    assert catalogues.get("en").gettext("Valid") == "Valid"
    assert catalogues.get("fr").gettext("Valid") == "Valid"  # unknown: English
    assert catalogues.names() == {"en": "English", "hi": "हिन्दी"}


def test_the_domain_s_messages_are_written_in_the_page_s_language() -> None:
    """The criteria's sentence and a dry run's reason, in Hindi and in English: the same
    messages, translated whole, numbers written by Babel (no digit dropped or rounded)."""
    catalogues = load_catalogues()
    hindi, english = catalogues.language("hi"), catalogues.language("en")
    criterion = parse_criteria(
        {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 72.125}}]}
    )
    assert describe(criterion, hindi) == "पाठ्यक्रम पूरा किया और final में कम से कम 72.125% अंक पाए।"
    assert describe(criterion, english) == describe(criterion)  # the signed narrative's words
    reason = Message(
        "score %(actual)s %(relation)s %(required)s in %(assessment)s",
        actual=Fraction(2, 3) * 100,
        relation="<",
        required=Fraction(72125, 1000),
        assessment="final",
    )
    assert reason.render(hindi) == "final में अंक 66.666… < 72.125"
    assert reason.render(english) == str(reason) == "score 66.666… < 72.125 in final"
    count = Message("%(column)s is longer than %(limit)s characters", column="name", limit=100000)
    assert count.render(hindi) == "name 1,00,000 वर्णों से लंबा है"
    assert catalogues.language("fr").code == "en"  # unknown: English


def test_accept_language_is_ranked_by_quality() -> None:
    assert parse_accept_language("en;q=0.5, hi-IN, fr;q=0.9,*;q=0.1,de;q=0") == [
        "hi-in",
        "fr",
        "en",
        "*",
    ]
    assert parse_accept_language("") == []
    assert parse_accept_language("hi;q=abc, en") == ["en"]


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "chosen"),
    [
        (None, None, "hi-IN,hi;q=0.9,en;q=0.8", "hi"),
        (None, None, "fr-FR, hi;q=0.5", "hi"),
        (None, None, "fr-FR, de", "en"),
        (None, None, "", "en"),
        (None, "hi", "en", "hi"),
        ("en", "hi", "hi", "en"),
        ("xx", None, "hi", "hi"),
        ("HI", None, "", "hi"),
    ],
)
def test_language_choice(query: str | None, cookie: str | None, accept: str, chosen: str) -> None:
    assert choose_language(("en", "hi"), query=query, cookie=cookie, accept=accept) == chosen


@pytest.fixture
def revoked(uow: SqlAlchemyUnitOfWork, signing: Signing) -> str:
    s = scenario(uow, signing, [enrolment_row("L1")])
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    (certificate_id,) = summary.certificate_ids
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        certificate_id,
        reason="issued in error",
        signing=signing,
    )
    return url_id(certificate_id)


def test_page_follows_accept_language(client: TestClient, revoked: str) -> None:
    page = client.get(f"/v/{revoked}", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.8"})
    assert '<html lang="hi" dir="ltr">' in page.text
    assert ">रद्द<" in page.text
    assert re.search(r"\d+ [\u0900-\u097f]+ \d{4} को रद्द किया गया।", page.text)  # Hindi date
    assert "कारण: issued in error" in page.text  # the reason as the admin wrote it
    assert page.headers["content-language"] == "hi"
    assert "Accept-Language" in page.headers["vary"]
    english = client.get(f"/v/{revoked}", headers={"Accept-Language": "en-GB"})
    assert '<html lang="en" dir="ltr">' in english.text
    assert ">Revoked<" in english.text


def test_explicit_choice_is_remembered(client: TestClient, revoked: str) -> None:
    chosen = client.get(f"/v/{revoked}?lang=hi", headers={"Accept-Language": "en"})
    assert '<html lang="hi" dir="ltr">' in chosen.text
    assert "lang=hi" in chosen.headers["set-cookie"]
    assert "SameSite=Lax" in chosen.headers["set-cookie"]
    later = client.get(f"/v/{revoked}", headers={"Accept-Language": "en"})
    assert '<html lang="hi" dir="ltr">' in later.text  # the cookie wins over the browser
    back = client.get(f"/v/{revoked}?lang=en", headers={"Accept-Language": "hi"})
    assert '<html lang="en" dir="ltr">' in back.text
    unknown = client.get("/v/nothing?lang=xx", headers={"Accept-Language": "en"})
    assert "set-cookie" not in unknown.headers


# What a verification page prints as data: the certificate's printed values, identifiers
# (DIDs, URLs, the key's purpose and the signature's suite) and the formats' names.
IDENTIFIERS = re.compile(r"\S*(?:https?://|did:)\S+|eddsa-\w+-\d+|assertionMethod|VC 2\.0|OB 3\.0")


@pytest.mark.parametrize("revoke", [False, True], ids=["valid", "revoked"])
def test_the_verification_page_is_wholly_in_hindi(
    client: TestClient, uow: SqlAlchemyUnitOfWork, signing: Signing, revoke: bool
) -> None:
    """Every word a QR scan shows, the checks' details included, in Hindi: only what the
    certificate prints and identifiers stay as they are."""
    s = scenario(uow, signing, [enrolment_row("L1", name="Asha Rao")], valid_for_days=365)
    (certificate_id,) = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    if revoke:
        revoke_certificate(
            uow,
            Principal.at_shell(s.organisation.id),
            certificate_id,
            reason="typo",
            signing=signing,
        )
    page = client.get(f"/v/{url_id(certificate_id)}", headers={"Accept-Language": "hi"})
    assert '<html lang="hi" dir="ltr">' in page.text
    assert "हस्ताक्षर सत्यापित होता है" in page.text and "का बिट" in page.text
    values = get_certificate(uow, s.organisation.id, certificate_id).snapshot["values"]
    printed = {v for v in values.values() if isinstance(v, str)}  # as the certificate prints it
    printed |= {"Asha Rao", "Dr. Meera Iyer", "Director", "typo"}
    text = IDENTIFIERS.sub(" ", " ".join(parse(page.text).chunks))
    assert not _english_left(text, printed), text
    english = client.get(f"/v/{url_id(certificate_id)}", headers={"Accept-Language": "en"}).text
    assert "signature by did:" in english and " verifies" in english
