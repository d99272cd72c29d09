"""Every admin page in Hindi: the pages are reached by following the admin's own links from the
dashboard (so a page added later is checked too), and no English words of the interface are
left on them; only data (names, ids, e-mail addresses) and a few proper names stay in Latin
script."""

from __future__ import annotations

import json
import re
from urllib.parse import SplitResult

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal
from certmint.domain.email_templates import DEFAULTS, SAMPLE_VALUES
from certmint.domain.ids import url_id
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.certificates.lifecycle import (
    get_certificate,
    list_certificates,
    revoke_certificate,
)
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.notifications.email_templates import render_email
from certmint.services.notifications.webhooks import add_webhook
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row
from tests.web.crawl import crawl, parse
from tests.web.pages.admin.conftest import Admin

# Names of things and formats, the same in every language.
PROPER_NAMES = {"Certmint", "English", "PDF", "PNG", "SVG", "JPEG", "JSON", "ZIP", "CSV", "LMS"}
PROPER_NAMES |= {
    "UTC",
    "QR",
    "API",
    "HTML",
    "URL",
    "DID",
    "Open",
    "Badges",
    "Verifiable",
    "Credentials",
}
# Data that is not a name: e-mail addresses, admin.js's {placeholders}, the date format that
# criteria and CSV files use. Values a test made (names, certificate numbers) are not guessed
# with a pattern: each test names them (``data``).
NOT_WORDS = re.compile(r"\S+@\S+|\{\w+\}|YYYY-MM-DD")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Pages reached by links that are not pages: images, downloads, the JSON progress feed.
NOT_PAGES = re.compile(r"\.(png|pdf|json|zip)$|/progress$|/logout$")


def _whole(value: str) -> re.Pattern[str]:
    """``value`` where it stands whole: not inside a longer run of letters and digits."""
    before = r"(?<![0-9A-Za-z])" if value[:1].isalnum() else ""
    after = r"(?![0-9A-Za-z])" if value[-1:].isalnum() else ""
    return re.compile(before + re.escape(value) + after)


def _english_left(text: str, data: set[str]) -> set[str]:
    """The Latin-script words of ``text`` that are neither ``data`` nor names of things.

    Data values are taken out whole, so a short one (a country code "NP") never cuts a random
    value that contains it (a certificate number 2026-HQNPD-...) into word-like fragments."""
    for value in sorted(filter(None, data), key=len, reverse=True):
        text = _whole(value).sub(" ", text)
    text = NOT_WORDS.sub(" ", text)
    return {word for word in LATIN_WORD.findall(text) if word not in PROPER_NAMES}


# What the scenario's pages print as it was typed: the organisation, course, batch, template.
SCENARIO_DATA = {"Scenario Academy", "Data Science", "Spring", "Completion", "Certificate"}
LEARNERS = {"Asha Rao", "Vikram Nair", "Meena Das"}  # the scenario's, in the builder's sample
# Criteria with every kind of condition, so that the batch page's sentence and the dry run's
# reasons use every phrase the criteria language has.
MERIT = {
    "all": [
        {"completed": True},
        {"score": {"assessment": "final", ">=": 60}},
        {
            "any": [
                {"attribute": {"key": "country", "in": ["IN", "NP"]}},
                {"score": {"over": "average", ">": 90}},
                {"score": {"over": "every", "=": 100}},
                {"score": {"over": "best", "<": 10}},
                {"attribute": {"key": "country", "equals": "BT"}},
            ]
        },
        {"not": {"completed_between": {"from": "2025-01-01", "to": "2026-01-31"}}},
        {"not": {"completed_between": {"to": "2020-01-31"}}},
        {"not": {"completed_between": {"from": "2030-01-01"}}},
        {"not": {"score": {"assessment": "quiz", "<=": 5}}},
    ]
}
# Who is not awarded and why: a low score, a score of 2/3 of the marks, a country not listed.
SCORED = [
    enrolment_row("L1", name="Asha Rao", **{"score:final": "72.5", "attr:country": "IN"}),
    enrolment_row("L2", name="Vikram Nair", **{"score:final": "54", "attr:country": "NP"}),
    enrolment_row("L3", name="Meena Das", status="in_progress", completed_on=""),
    enrolment_row("L4", name="Ravi Kumar", **{"score:final": "2/3", "attr:country": "LK"}),
]


@pytest.fixture
def busy(admin: Admin, uow: SqlAlchemyUnitOfWork, signing: Signing) -> set[str]:
    """The scenario with scores and attributes, a "Merit" achievement whose criteria use every
    condition, certificates issued (a job) and one revoked: every kind of row and sentence
    shows. Returns the data the pages print as it was typed (names, ids)."""
    org = admin.scenario.organisation.id
    import_enrolments(uow, org, enrolment_csv(SCORED, extra=["score:final", "attr:country"]))
    add_achievement(
        uow,
        Principal.at_shell(org, "t"),  # a short actor name, not English
        batch_id=admin.scenario.batch_id,
        template_version_id=admin.scenario.template_version_id,
        name="Merit",
        criteria=MERIT,
    )
    summary = issue_achievement(
        uow, signing, IssueRequest(org, admin.scenario.achievement_id, actor="t")
    )
    revoke_certificate(
        uow,
        Principal.at_shell(org, "t"),  # a short actor name, not English
        summary.certificate_ids[0],
        reason="issued in error",
        signing=signing,
    )
    add_webhook(uow, Principal.at_shell(org), url="https://lms.example/hooks")  # a row on Settings
    printed = get_certificate(uow, org, summary.certificate_ids[0]).snapshot["values"]
    numbers = {certificate.number for certificate in list_certificates(uow, org)}
    names = {"Asha Rao", "Vikram Nair", "Meena Das", "Ravi Kumar", "Dr. Meera Iyer", "Director"}
    return (
        names
        | SCENARIO_DATA
        | {"Merit"}
        | numbers  # random: 2026-HQNPD-... would read as words
        | {"final", "quiz", "country", "IN", "NP", "LK", "BT"}  # assessments and attributes
        | {
            "issued in error",
            printed["issued_on"],  # as the certificate prints it
            "admin pages",  # the admin's API token, by its name in the audit log
            "CERTMINT_SMTP_URL",  # a setting's name, as the operator writes it
            "https://lms.example/hooks",
        }
        # The default e-mails' subjects, as the settings page previews them: e-mails are
        # written in the organisation's words (its own or these), not the admin's language.
        | {render_email(template, SAMPLE_VALUES).subject for template in DEFAULTS.values()}
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


def _hindi_text(response_text: str) -> str:
    assert '<html lang="hi" dir="ltr">' in response_text
    return " ".join(parse(response_text).chunks)


# The CSV format's own words, which the problems name as they are in the file's header.
COLUMNS = {"course_id", "course_name", "batch_id", "batch_name", "learner_id", "name", "email"}
COLUMNS |= {"status", "completed_on", "score:final", "attr:country", "colour"}
COLUMNS |= {"enrolled", "in_progress", "completed"}  # the values of the status column
COLUMNS |= {"score:<assessment_id>", "attr:<key>"}  # how the known columns are listed


@pytest.mark.parametrize(
    ("rows", "extra", "data"),
    [
        pytest.param(
            [
                enrolment_row("L9", status="finished", completed_on=""),
                enrolment_row("L10", email="not-an-email", **{"score:final": "105"}),
                enrolment_row("L11", name="", **{"score:final": "abc"}),
                enrolment_row("L12", name="Anil Rao"),
                enrolment_row("L12", name="Anil Rai"),
                enrolment_row("L13", completed_on="2026-13-01", **{"score:final": "7/5"}),
                enrolment_row("L14", status="enrolled"),
            ],
            ["score:final"],
            {"finished", "enrolled", "not-an-email", "abc", "Anil Rao", "Anil Rai"},
            id="bad-rows",
        ),
        pytest.param(
            [enrolment_row("L1", course_id="C9", course_name="", batch_id="B9", batch_name="")],
            [],
            set(),
            id="new-course-unnamed",
        ),
        pytest.param([enrolment_row("L1")], ["colour"], set(), id="unknown-column"),
    ],
)
def test_a_rejected_import_names_its_lines_in_hindi(
    client: TestClient,
    admin: Admin,
    rows: list[dict[str, object]],
    extra: list[str],
    data: set[str],
) -> None:
    headers = {**admin.headers, "Accept-Language": "hi"}
    csv = enrolment_csv(rows, extra=extra)
    response = client.post(
        "/admin/import", files={"file": ("export.csv", csv, "text/csv")}, headers=headers
    )
    assert response.status_code == 422, response.text[:500]
    text = _hindi_text(response.text)
    assert re.search(r"पंक्ति \d+: ", text)
    assert not _english_left(text, data | COLUMNS | {"C9", "B9", "L12"})


def test_a_rejected_import_still_reads_in_english(client: TestClient, admin: Admin) -> None:
    csv = enrolment_csv([enrolment_row("L9", status="finished", completed_on="")])
    response = client.post(
        "/admin/import", files={"file": ("e.csv", csv, "text/csv")}, headers=admin.headers
    )
    assert (
        "line 2: unknown status &#39;finished&#39;; use one of enrolled, in_progress, completed"
        in (response.text)
    )


# The criteria language's own words, which its problems name (they are JSON keys).
CRITERIA_KEYS = {"all", "any", "not", "completed", "completed_between", "attribute", "score"}
CRITERIA_KEYS |= {"key", "equals", "in", "over", "best", "average", "every", "true", "false"}
CRITERIA_WORDS = {word for key in CRITERIA_KEYS for word in LATIN_WORD.findall(key)}


@pytest.mark.parametrize(
    "criteria",
    [
        '{"all": [{"score": {"assessment": "final", ">=": 500}}, {"attribute": {"key": "c"}},'
        ' {"completed": 1}, {"colour": 1}, {"score": {"over": "most", ">": 5, "<": 9}},'
        ' {"completed_between": {"from": "2026-02-30"}}, {"any": []}]}',
        '{"completed": tru}',
        "[1, 2]",
    ],
)
def test_the_criteria_editor_explains_in_hindi(
    client: TestClient, admin: Admin, criteria: str
) -> None:
    headers = {**admin.headers, "Accept-Language": "hi"}
    response = client.post(
        f"/admin/batches/{admin.scenario.batch_id}/achievements",
        data={"action": "check", "criteria": criteria, "name": "Merit"},
        headers=headers,
    )
    assert response.status_code == 422
    text = _hindi_text(response.text)
    assert "मानदंड" in text
    typed = {"colour", "most", "tru", "Merit"}  # quoted back from what was typed
    left = _english_left(text, typed | SCENARIO_DATA | LEARNERS)
    left -= CRITERIA_WORDS
    assert not left, text


def test_the_criteria_editor_reads_the_criteria_in_hindi(client: TestClient, admin: Admin) -> None:
    response = client.post(
        f"/admin/batches/{admin.scenario.batch_id}/achievements",
        data={"action": "check", "criteria": json.dumps(MERIT), "name": "Merit"},
        headers={**admin.headers, "Accept-Language": "hi"},
    )
    assert response.status_code == 200
    text = _hindi_text(response.text)
    assert "final में कम से कम 60% अंक पाए" in text and "ऐसा नहीं कि (" in text
    data = {"final", "quiz", "country", "IN", "NP", "BT", "Merit"} | LEARNERS
    assert not _english_left(text, data | SCENARIO_DATA)


def test_a_conflict_s_page_is_in_hindi(client: TestClient, admin: Admin) -> None:
    """A refusal that reaches the error page (an achievement named like one the batch has)."""
    response = client.post(
        f"/admin/batches/{admin.scenario.batch_id}/achievements",
        data={
            "action": "attach",
            "criteria": '{"completed": true}',
            "name": "Completion",
            "template_version_id": str(admin.scenario.template_version_id),
        },
        headers={**admin.headers, "Accept": "text/html", "Accept-Language": "hi"},
    )
    assert response.status_code == 409
    text = _hindi_text(response.text)
    assert "यह बैच 'Completion' नाम की उपलब्धि पहले से प्रदान करता है" in text
    assert not _english_left(text, {"Completion"}), text
