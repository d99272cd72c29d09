"""A small initialised home made through the CLI, for tests of what commands do to it: one
batch (``B1``) of two learners, a published template, achievements and issued certificates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from certmint.cli import app
from tests.factories import enrolment_csv, enrolment_row

__all__ = ["SeededHome", "invoke_ok", "seed_home"]

runner = CliRunner()


def invoke_ok(*args: str) -> str:
    """Run a command that must succeed; its standard output."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


@dataclass(frozen=True)
class SeededHome:
    home: Path
    template_version_id: str
    achievement_ids: tuple[str, ...]
    certificate_ids: tuple[str, ...]


def seed_home(home: Path, work: Path, achievement_names: tuple[str, ...]) -> SeededHome:
    """Initialise ``CERTMINT_HOME`` (already pointing at ``home``) and award each achievement
    named to both learners of batch B1. ``work`` holds the CSV."""
    invoke_ok("init")
    csv_file = work / "enrolments.csv"
    csv_file.write_bytes(enrolment_csv([enrolment_row("L1"), enrolment_row("L2")]))
    invoke_ok("import", "enrolments", str(csv_file))
    version = invoke_ok(
        "templates",
        "create",
        "--layout",
        "classic-1-2",
        "--title",
        "Certificate",
        "--signature",
        "Meera Iyer|Director",
        "--publish",
    ).strip()
    achievements = tuple(
        invoke_ok(
            "achievements", "add", "--batch", "B1", "--template", version,
            "--name", name, "--criteria", '{"completed": true}',
        ).strip()
        for name in achievement_names
    )  # fmt: skip
    invoke_ok("issue", "--batch", "B1")
    listed = json.loads(invoke_ok("certificates", "list", "--batch", "B1", "--json"))
    return SeededHome(home, version, achievements, tuple(c["id"] for c in listed))
