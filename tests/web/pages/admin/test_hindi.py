"""Every admin page in Hindi: the pages are reached by following the admin's own links from the
dashboard (so a page added later is checked too), and no English words of the interface are
left on them; only data (names, ids, e-mail addresses) and a few proper names stay in Latin
script."""

from __future__ import annotations

import re
from urllib.parse import SplitResult

import pytest
from fastapi.testclient import TestClient

from certmint.domain.ids import url_id
from certmint.services.certificates import get_certificate, revoke_certificate
from certmint.services.issuance import issue_achievement
from certmint.services.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.crawl import crawl, parse
from tests.web.pages.admin.conftest import Admin

# Names of things and formats, the same in every language.
PROPER_NAMES = {"Certmint", "English", "PDF", "PNG", "SVG", "JPEG", "JSON", "ZIP", "CSV", "LMS"}
PROPER_NAMES |= {"UTC", "QR", "API", "Open", "Badges", "Verifiable", "Credentials"}
# Text that services word (criteria sentences, the dry run's reasons): not translated yet.
SERVICE_WORDED = re.compile(r"Completed the course\.|(not )?completed( \(\w+\))?")
# Data that is not a name: e-mail addresses, certificate numbers, admin.js's {placeholders}.
NOT_WORDS = re.compile(r"\S+@\S+|\b\d{4}-[0-9A-Z]{5}-[0-9A-Z]{5}\b|\{\w+\}")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Pages reached by links that are not pages: images, downloads, the JSON progress feed.
NOT_PAGES = re.compile(r"\.(png|pdf|json|zip)$|/progress$|/logout$")


def _english_left(text: str, data: set[str]) -> set[str]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = SERVICE_WORDED.sub(" ", NOT_WORDS.sub(" ", text))
    return {word for word in LATIN_WORD.findall(text) if word not in PROPER_NAMES}


@pytest.fixture
def busy(admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing) -> set[str]:
    """The scenario with certificates issued (a job) and one revoked: every kind of row shows.
    Returns the data the pages print as it was typed (names, ids)."""
    org = admin.scenario.organisation.id
    summary = issue_achievement(uow, signing, org, admin.scenario.achievement_id, actor="t")
    revoke_certificate(
        uow,
        org,
        summary.certificate_ids[0],
        reason="issued in error",
        actor="t",
        base_url=signing.base_url,
    )
    printed = get_certificate(uow, org, summary.certificate_ids[0]).snapshot["values"]
    names = {"Asha Rao", "Vikram Nair", "Meena Das", "Dr. Meera Iyer", "Director"}
    return (
        names
        | {"Scenario Academy", "Data Science", "Spring", "Completion", "Certificate"}
        | {
            "issued in error",
            printed["issued_on"],  # as the certificate prints it
            "system",  # actors as the audit log names them
            "token:",
        }
    )


def _admin_page(target: SplitResult) -> str | None:
    admin_page = target.path.startswith("/admin") and not NOT_PAGES.search(target.path)
    return target.path if admin_page else None


def test_every_admin_page_is_in_hindi(client: TestClient, admin: Admin, busy: set[str]) -> None:
    headers = {**admin.headers, "Accept-Language": "hi"}
    seen: dict[str, set[str]] = {}
    for visit in crawl(client, "/admin", headers, _admin_page):
        assert visit.response.status_code == 200, (visit.url, visit.response.text[:500])
        assert visit.response.text.startswith('<!doctype html>\n<html lang="hi" dir="ltr">')
        assert visit.parts is not None
        seen[visit.url] = _english_left(" ".join(visit.parts.chunks), busy)
    kinds = {re.sub(r"/[A-Za-z0-9_-]{20,}", "/ID", p) for p in seen}
    assert kinds >= {
        "/admin",
        "/admin/templates",
        "/admin/templates/ID",
        "/admin/batches/ID",
        "/admin/achievements/ID/dry-run",
        "/admin/import",
        "/admin/jobs/ID",
        "/admin/certificates",
        "/admin/certificates/ID",
        "/admin/audit",
        "/admin/corrections",
    }, kinds
    left = {path: words for path, words in seen.items() if words}
    assert not left, f"English left on the Hindi pages: {left}"


def test_the_english_pages_are_unchanged_in_english(
    client: TestClient, admin: Admin, busy: set[str]
) -> None:
    """The Hindi pages are translations, not different pages: the same words in English."""
    english = client.get("/admin", headers={**admin.headers, "Accept-Language": "en"}).text
    assert english.startswith('<!doctype html>\n<html lang="en" dir="ltr">')
    assert "Courses and batches" in english and "Recent issuance jobs" in english
    hindi = client.get("/admin?lang=hi", headers=admin.headers).text
    assert "पाठ्यक्रम और बैच" in hindi and "Courses and batches" not in hindi


def test_dates_and_numbers_are_written_for_the_language(
    client: TestClient, admin: Admin, busy: set[str]
) -> None:
    english = client.get("/admin/templates", headers={**admin.headers, "Accept-Language": "en"})
    hindi = client.get("/admin/templates", headers={**admin.headers, "Accept-Language": "hi"})
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", english.text)
    assert re.search(r"\d{1,2} [\u0900-\u097f]+ \d{4}, \d\d:\d\d UTC", hindi.text)


def test_the_progress_bar_hands_its_words_to_the_script(
    client: TestClient, admin: Admin, busy: set[str]
) -> None:
    dashboard = client.get("/admin", headers=admin.headers).text
    job = re.search(r'href="[^"]*(/admin/jobs/[^"]+)"', dashboard)
    assert job is not None
    page = client.get(job[1], headers={**admin.headers, "Accept-Language": "hi"}).text
    words = re.search(r'data-status-words="([^"]+)"', page)
    assert words is not None
    assert "running" in words[1] and "\\u091a" in words[1]  # चल रहा है, as JSON escapes it


def test_a_not_found_page_is_in_hindi(client: TestClient, admin: Admin) -> None:
    missing = client.get(
        f"/admin/batches/{url_id(admin.scenario.achievement_id)}",
        headers={**admin.headers, "Accept": "text/html", "Accept-Language": "hi"},
    )
    assert missing.status_code == 404
    assert '<html lang="hi" dir="ltr">' in missing.text
    assert "नहीं मिला" in missing.text and "Not Found" not in missing.text
    assert not _english_left(" ".join(parse(missing.text).chunks), set())


def test_handlers_word_their_messages_in_hindi(client: TestClient, admin: Admin) -> None:
    headers = {**admin.headers, "Accept-Language": "hi"}
    no_file = client.post("/admin/import", data={"dry_run": "1"}, headers=headers)
    assert no_file.status_code == 422
    assert "file: आयात करने के लिए CSV फ़ाइल चुनें" in no_file.text
    batch = f"/admin/batches/{admin.scenario.batch_id}"
    attached = client.get(f"{batch}?done=attached", headers=headers).text
    assert "उपलब्धि जोड़ दी गई।" in attached  # the flash message a redirect names
    assert 'value="समापन"' in attached  # the form's suggested achievement name
