"""``certmint tokens``: API tokens for integrations, scoped to courses for course managers."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from certmint.cli import app
from tests.cli.test_users import init_with_roster

runner = CliRunner()


def test_course_manager_tokens(certmint_home: Path, tmp_path: Path) -> None:
    init_with_roster(tmp_path)
    created = runner.invoke(
        app,
        ["tokens", "create", "--name", "LMS", "--role", "course_manager", "--course", "C1"],
    )
    assert created.exit_code == 0, created.output
    assert created.output.startswith("cm_")
    learner = runner.invoke(app, ["tokens", "create", "--name", "x", "--role", "learner"])
    assert learner.exit_code == 1 and "admin or a course manager" in learner.output
    listed = runner.invoke(app, ["tokens", "list"])
    (line,) = listed.output.splitlines()
    assert "  LMS  course_manager  1 course(s)  cm_" in line
