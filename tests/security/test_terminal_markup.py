"""Finding 7: names are shown in the terminal as they are, never read as markup or format
strings (an achievement called "{x}" stopped `certmint issue` with KeyError and skipped the
achievements after it; "[link=...]" was interpreted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certmint.cli import app
from tests.cli_homes import invoke_ok, seed_home

runner = CliRunner()

HOSTILE = "Merit {x} [link=https://attacker.example]click[/link] [bold]{0}"


def test_issue_shows_a_hostile_achievement_name_literally_and_goes_on(
    certmint_home: Path, tmp_path: Path
) -> None:
    seed_home(certmint_home, tmp_path, ("Completion",))
    version = json.loads(invoke_ok("achievements", "list", "--batch", "B1", "--json"))[0][
        "template_version_id"
    ]
    for name in (HOSTILE, "Honours"):
        invoke_ok(
            "achievements", "add", "--batch", "B1", "--template", version,
            "--name", name, "--criteria", '{"completed": true}',
        )  # fmt: skip

    result = runner.invoke(app, ["issue", "--batch", "B1"])

    assert result.exit_code == 0, (result.output, result.exception)
    assert f"{HOSTILE}: 2 issued" in result.stdout  # the literal name, markup and braces kept
    assert "Honours: 2 issued" in result.stdout  # the one after it was not skipped
    listed = json.loads(invoke_ok("certificates", "list", "--batch", "B1", "--json"))
    assert len(listed) == 6


def test_stored_names_and_messages_are_printed_literally(
    certmint_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # tables on one line each
    seeded = seed_home(certmint_home, tmp_path, ("Completion",))
    renamed = runner.invoke(
        app,
        ["reissue", seeded.certificate_ids[0], "--name", "[red]Asha[/red] {x}", "--reason", "r"],
    )
    assert renamed.exit_code == 0, renamed.output

    listed = runner.invoke(app, ["certificates", "list", "--batch", "B1"])
    assert "[red]Asha[/red] {x}" in listed.stdout

    missing = runner.invoke(app, ["import", "enrolments", str(tmp_path / "x.csv"), "--org", "[b]o"])
    assert missing.exit_code in (2, 3)
    unknown = runner.invoke(app, ["achievements", "list", "--batch", "[bold]B9[/bold]"])
    assert unknown.exit_code == 3
    assert "[bold]B9[/bold]" in unknown.output
