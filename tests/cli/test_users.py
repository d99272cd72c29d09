"""``certmint users``: accounts as an operator creates them from the shell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certmint.cli import app
from tests.conftest import Inbox
from tests.factories import enrolment_csv, enrolment_row

runner = CliRunner()
CM = ["users", "add", "cm@example.org", "--name", "Cam", "--role", "course_manager"]


def init_with_roster(tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    csv = tmp_path / "roster.csv"
    csv.write_bytes(enrolment_csv([enrolment_row("L1"), enrolment_row("L2", course_id="C2")]))
    assert runner.invoke(app, ["import", "enrolments", str(csv)]).exit_code == 0


def test_add_list_set_password_disable(certmint_home: Path, tmp_path: Path) -> None:
    init_with_roster(tmp_path)
    added = runner.invoke(app, ["users", "add", "Admin@Example.org", "--name", "Ada Admin"])
    assert added.exit_code == 0, added.output
    password = re.search(r"password: (\S+)", added.output)
    assert password is not None and len(password.group(1)) >= 20
    manager = runner.invoke(
        app,
        [*CM, "--course", "C2", "--password", "a chosen password"],
    )
    assert manager.exit_code == 0, manager.output
    assert "password:" not in manager.output  # given, so not printed back
    learner = runner.invoke(
        app,
        [
            "users",
            "add",
            "l1@example.org",
            "--name",
            "L One",
            "--role",
            "learner",
            "--learner",
            "L1",
        ],
    )
    assert learner.exit_code == 0, learner.output
    listed = runner.invoke(app, ["users", "list"])
    lines = listed.output.splitlines()
    assert lines[0].startswith("Admin@Example.org  admin  Ada Admin")
    assert "cm@example.org  course_manager  Cam" in lines[1] and "1 course(s)" in lines[1]
    assert lines[2].startswith("l1@example.org  learner  L One") and "learner " in lines[2]
    assert password.group(1) not in listed.output

    taken = runner.invoke(app, ["users", "add", "admin@example.org", "--name", "Again"])
    assert taken.exit_code == 4 and "exists" in taken.output
    weak = runner.invoke(app, ["users", "set-password", "admin@example.org", "--password", "x"])
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    reset = runner.invoke(app, ["users", "set-password", "ADMIN@example.org"])
    assert reset.exit_code == 0 and re.search(r"password: \S{20,}", reset.output)

    assert runner.invoke(app, ["users", "disable", "cm@example.org"]).exit_code == 0
    again = runner.invoke(app, ["users", "disable", "cm@example.org"])
    assert again.exit_code == 4
    missing = runner.invoke(app, ["users", "disable", "nobody@example.org"])
    assert missing.exit_code == 3
    assert "disabled" in runner.invoke(app, ["users", "list"]).output.splitlines()[1]


def test_course_managers_need_a_known_course(certmint_home: Path, tmp_path: Path) -> None:
    init_with_roster(tmp_path)
    none = runner.invoke(app, CM)
    assert none.exit_code == 1 and "at least one course" in none.output
    unknown = runner.invoke(
        app,
        [*CM, "--course", "NOPE"],
    )
    assert unknown.exit_code == 3 and "course NOPE not found" in unknown.output


def test_invite_mails_a_sign_in_link(
    certmint_home: Path, tmp_path: Path, smtp: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    init_with_roster(tmp_path)
    no_mail = runner.invoke(app, ["users", "invite", "L1"])
    assert no_mail.exit_code == 1 and "CERTMINT_SMTP_URL" in no_mail.output
    inbox, url = smtp
    monkeypatch.setenv("CERTMINT_SMTP_URL", url)
    invited = runner.invoke(app, ["users", "invite", "L1"])
    assert invited.exit_code == 0, invited.output
    assert "invited l1@example.org" in invited.output
    (message,) = inbox.messages
    assert message["To"] == "l1@example.org"
    assert "/login/link/" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    again = runner.invoke(app, ["users", "invite", "L1"])
    assert again.exit_code == 4 and "already has an account" in again.output
    assert "l1@example.org  learner" in runner.invoke(app, ["users", "list"]).output

    resent = runner.invoke(app, ["users", "resend-invitation", "L1@example.org"])
    assert resent.exit_code == 0, resent.output
    assert "invited again l1@example.org: a sign-in link valid for" in resent.output
    first, second = (
        re.search(r"/login/link/\S+", m.get_body(("plain",)).get_content()).group()  # type: ignore[union-attr]
        for m in inbox.messages
    )
    assert first != second
    # the third invitation within the hour is refused; nothing is sent
    assert runner.invoke(app, ["users", "resend-invitation", "l1@example.org"]).exit_code == 0
    refused = runner.invoke(app, ["users", "resend-invitation", "l1@example.org"])
    assert refused.exit_code == 4 and len(inbox.messages) == 3
    unknown = runner.invoke(app, ["users", "resend-invitation", "nobody@example.org"])
    assert unknown.exit_code == 3
