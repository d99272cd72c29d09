"""The criteria builder in a real browser: an admin builds Merit's criteria from the batch's
own assessments, sees the count and a sample of who qualifies change as they type (admin.js
asks the server), sees the JSON view follow, and attaches; a misspelt assessment typed in the
JSON view is a warning before attaching. axe-core finds no violations on the way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from playwright.sync_api import Page, expect

from certmint.domain.accounts import Principal, Role
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.catalogue.templates import create_template
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.browser import LiveServer, assert_accessible

pytestmark = pytest.mark.slow

ROWS = [
    enrolment_row("L1", name="Asha Rao", **{"score:final": "85", "attr:country": "IN"}),
    enrolment_row("L2", name="Vikram Nair", **{"score:final": "54", "attr:country": "NP"}),
    enrolment_row("L3", name="Meena Das", status="in_progress", completed_on=""),
]


@pytest.fixture(scope="module")
def batch(live_server: LiveServer) -> UUID:
    """A batch of three learners with final scores and countries, and a published template."""
    uow = live_server.container.uow
    org = make_organisation(uow(), "Builder Academy", default=True)
    make_user(uow(), org.id, Role.ADMIN, email="admin@example.org")
    extra = ["score:final", "attr:country"]
    import_enrolments(uow(), org.id, enrolment_csv(ROWS, extra=extra))
    design = Design(layout="classic-1-1", signatories=(Signatory("Dr. Meera Iyer", "Director"),))
    create_template(
        uow(), Principal.at_shell(org.id), design, name="Spring certificate", publish=True
    )
    return resolve_batch(uow(), org.id, "B1")[1].id


def _sign_in(page: Page, live_server: LiveServer, path: str) -> None:
    page.goto(live_server.url(path))
    page.get_by_label("E-mail address").first.fill("admin@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_builds_criteria_sees_who_qualifies_and_attaches(
    live_server: LiveServer, batch: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in(page, live_server, f"/admin/batches/{batch}")
    count = page.locator("#criteria-count")
    expect(count).to_have_text("2 of 3 learners would qualify")  # completion, to start with
    page.get_by_label("Achievement name").fill("Merit")

    # "Score" adds a row (a submit: it works without the script too).
    page.get_by_role("button", name="Score", exact=True).click()
    expect(page.get_by_text("Condition 2: Score")).to_be_visible()
    expect(page.get_by_label("Achievement name")).to_have_value("Merit")  # the form is kept
    scored_in = page.get_by_label("Score in (condition 2)")
    expect(scored_in.locator("option", has_text="final (2 learners, 54 to 85%)")).to_have_count(1)
    scored_in.select_option(label="final (2 learners, 54 to 85%)")
    page.get_by_label("Percent (condition 2)").fill("80")

    # The script asks who qualifies now: the count, the sample each way, the JSON view follows.
    expect(count).to_have_text("1 of 3 learners would qualify")
    sample = page.locator(".criteria-sample")
    expect(sample.locator(".criteria-sample-awarded")).to_contain_text("Asha Rao")
    expect(sample.locator(".criteria-sample-refused")).to_contain_text(
        "Vikram Nair (L2): score 54 < 80 in final"
    )
    expect(page.locator("#criteria-sentence")).to_contain_text(
        "Completed the course and scored at least 80% in final."
    )
    page.get_by_text("Criteria as JSON (advanced)").click()
    expect(page.get_by_label("Criteria (JSON)")).to_have_value(
        '{\n  "all": [\n    {\n      "completed": true\n    },\n    {\n      "score": {\n'
        '        "assessment": "final",\n        ">=": 80\n      }\n    }\n  ]\n}'
    )
    shot("01-built")
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 800})
    shot("02-built-phone")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.get_by_text("Achievement attached.")).to_be_visible()
    merit = page.get_by_role("row").filter(has_text="Merit")
    expect(merit).to_contain_text("Completed the course and scored at least 80% in final.")
    expect(merit).to_contain_text("1 learner qualifies and is waiting for it.")
    shot("03-attached")

    # Before it awards anything, its edit page builds the criteria the same way.
    merit.get_by_role("link", name="Edit Merit").click()
    expect(page.get_by_role("heading", name="Edit Merit")).to_be_visible()
    expect(page.get_by_label("Percent (condition 2)")).to_have_value("80")
    count = page.locator("#criteria-count")
    expect(count).to_have_text("1 of 3 learners would qualify")
    page.get_by_label("Learners qualify when they meet").select_option(
        label="any of these conditions"
    )
    expect(count).to_have_text("2 of 3 learners would qualify")
    shot("04-edit")
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Achievement saved.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Merit")).to_contain_text(
        "Either completed the course or scored at least 80% in final."
    )


def test_a_misspelt_assessment_is_a_warning_before_attaching(
    live_server: LiveServer, batch: UUID, page: Page, shot: Callable[..., Path]
) -> None:
    _sign_in(page, live_server, f"/admin/batches/{batch}")
    if page.locator("details#attach").get_attribute("open") is None:  # it awards Merit already
        page.get_by_text("Attach a template").click()
    page.get_by_label("Achievement name").fill("Distinction")
    page.get_by_text("Criteria as JSON (advanced)").click()
    page.get_by_label("Criteria (JSON)").fill('{"score": {"assessment": "finl", ">=": 90}}')
    # The script shows the warning as the JSON changes; attaching asks once more.
    warning = page.locator("#criteria-warnings")
    expect(warning).to_contain_text("no learner has a score in finl; the imports hold final")
    expect(page.locator("#criteria-count")).to_have_text("0 of 3 learners would qualify")
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(warning).to_be_visible()
    expect(page.get_by_label("Score in (condition 1)")).to_have_value("assessment:finl")
    shot("01-warning")
    assert_accessible(page)
    page.get_by_role("button", name="Attach anyway").click()
    expect(page.get_by_text("Achievement attached.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Distinction")).to_contain_text("finl")
