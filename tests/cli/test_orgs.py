"""``certmint orgs``: the operator's organisations from the shell."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certmint.cli import app

runner = CliRunner()


def test_add_list_show_update(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(app, ["orgs", "add", "State Board", "--slug", "board", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["did"].endswith(":orgs:board")
    taken = runner.invoke(app, ["orgs", "add", "Again", "--slug", "board"])
    assert taken.exit_code == 4 and "exists" in taken.output
    listed = runner.invoke(app, ["orgs", "list"]).output.splitlines()
    assert len(listed) == 2 and listed[1] == "board  active  State Board"

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    updated = runner.invoke(
        app,
        [
            "orgs", "update", "board", "--name", "State Board of Education",
            "--primary-colour", "#1d4ed8", "--logo", str(logo),
            "--email-sender", "certs@board.example", "--suspend", "--show-suspension",
        ],
    )  # fmt: skip
    assert updated.exit_code == 0, updated.output
    assert updated.output.strip() == "updated board (suspended)"
    admin = ["users", "add", "a@board.example", "--name", "A", "--org", "board"]
    assert runner.invoke(app, admin).exit_code == 0
    shown = json.loads(runner.invoke(app, ["orgs", "show", "board", "--json"]).output)
    assert shown["name"] == "State Board of Education" and shown["status"] == "suspended"
    assert shown["logo"] and shown["suspension_shown"] and shown["admins"] == ["a@board.example"]
    assert len(shown["keys"]) == 1
    text = runner.invoke(app, ["orgs", "show", "board"]).output
    assert "email_sender: certs@board.example" in text

    bad = runner.invoke(app, ["orgs", "update", "board", "--primary-colour", "blue"])
    assert bad.exit_code == 1 and "#rrggbb" in bad.output
    missing = runner.invoke(app, ["orgs", "show", "nope"])
    assert missing.exit_code == 3 and "organisation nope not found" in missing.output


def test_operator_grants_are_for_the_default_organisation(certmint_home: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["orgs", "add", "State Board", "--slug", "board"]).exit_code == 0
    ok = runner.invoke(app, ["users", "add", "ops@example.org", "--name", "Ops", "--operator"])
    assert ok.exit_code == 0 and "created admin operator ops@example.org" in ok.output
    refused = runner.invoke(
        app, ["users", "add", "x@example.org", "--name", "X", "--operator", "--org", "board"]
    )
    assert refused.exit_code == 1 and "default organisation" in refused.output
    token = runner.invoke(app, ["tokens", "create", "--name", "ops", "--operator", "--json"])
    assert token.exit_code == 0 and json.loads(token.output)["operator"] is True
