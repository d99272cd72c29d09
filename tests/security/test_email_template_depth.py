"""Finding 9 (e-mail templates): a template nested a few thousand levels deep gave a 500
(RecursionError) on the settings page and a traceback in ``certmint notifications templates
preview``. The checker now refuses over-deep nesting with a line-numbered problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certmint.cli import app
from certmint.domain.email_templates import SAMPLE_VALUES, EmailTemplate
from certmint.services.errors import InvalidInput
from certmint.services.notifications.email_templates import (
    MAX_NESTING,
    MAX_TAG_TOKENS,
    render_email,
)
from tests.web.conftest import client, container  # noqa: F401 - fixtures
from tests.web.pages.admin.conftest import Admin, admin  # noqa: F401 - fixtures

DEEP = {
    "blocks": "Hello\n" + "{%if course%}" * 700 + "x" + "{%endif%}" * 700,
    "parentheses": "Hello\n{{ " + "(" * 3000 + "course" + ")" * 3000 + " }}",
    "filters": "Hello\n{{ course" + "|upper" * 2500 + " }}",
    "conditions": "Hello\n{{ " + "course if course else " * 800 + "course }}",
    "one hundred blocks": "Hello\n" + "{% if course %}" * 100 + "x" + "{% endif %}" * 100,
    "block sets": "Hello\n" + "{% set x %}" * 1700,
}


@pytest.mark.parametrize("shape", DEEP)
def test_deep_nesting_is_a_problem_with_its_line(shape: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        render_email(EmailTemplate("Subject", DEEP[shape]), SAMPLE_VALUES)
    (problem,) = refused.value.problems
    assert problem.startswith("text: "), problem
    assert "nested" in problem or "parts" in problem, problem
    if shape != "block sets":  # that one is caught as a RecursionError, without a line
        assert problem.startswith("text: line 2: "), problem


def test_the_allowed_depth_still_renders() -> None:
    text = "{% if course %}" * MAX_NESTING + "{{ learner_name }}" + "{% endif %}" * MAX_NESTING
    assert (
        render_email(EmailTemplate("s", text), SAMPLE_VALUES).text == SAMPLE_VALUES["learner_name"]
    )
    parts = (MAX_TAG_TOKENS - 1) // 2
    expression = "{{ " + "(" * parts + "course" + ")" * parts + " }}"
    assert render_email(EmailTemplate("s", expression), SAMPLE_VALUES).text == "Data Science 101"


def test_the_settings_page_answers_with_the_problem(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
) -> None:
    for action in ("preview", "save"):
        response = client.post(
            "/admin/settings/emails/issued",
            data={"action": action, "subject": "Hi", "text": DEEP["blocks"]},
            headers=admin.headers,
            follow_redirects=False,
        )
        assert response.status_code == 422, response.text[:1000]
        assert f"text: line 2: blocks nested more than {MAX_NESTING} deep" in response.text


def test_the_cli_preview_answers_with_the_problem(certmint_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--org-name", "Acme Institute"]).exit_code == 0
    body = tmp_path / "deep.txt"
    body.write_text(DEEP["parentheses"], encoding="utf-8")
    for command in ("preview", "set"):
        result = runner.invoke(
            app, ["notifications", "templates", command, "--subject", "Hi", "--text", str(body)]
        )
        assert result.exit_code == 1, result.output
        assert f"text: line 2: an expression of more than {MAX_TAG_TOKENS} parts" in result.output
        assert isinstance(result.exception, SystemExit)  # an uncaught error also exits with 1
