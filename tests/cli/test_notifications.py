"""``certmint notifications templates show|set|reset|preview``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certmint.cli import app

runner = CliRunner()


def test_templates_show_set_preview_reset(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--org-name", "Acme Institute"]).exit_code == 0
    shown = runner.invoke(app, ["notifications", "templates", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    default = json.loads(shown.output)
    assert default["source"] == "default"
    assert default["subject"] == "Your certificate: {{ achievement }}, {{ course }}"

    text, html = tmp_path / "body.txt", tmp_path / "body.html"
    text.write_text(
        "Well done, {{ learner_name }}!\nSee {{ verification_url }}\n", encoding="utf-8"
    )
    html.write_text("<p>Well done, {{ learner_name }}!</p>", encoding="utf-8")
    subject = ["--subject", "{{ achievement }} for {{ learner_name }}"]
    files = ["--text", str(text), "--html", str(html)]
    draft = runner.invoke(
        app, ["notifications", "templates", "preview", *subject, *files, "--json"]
    )
    assert draft.exit_code == 0, draft.output
    assert json.loads(draft.output)["subject"] == "Completion for Aïda Núñez-Ngũgĩ"
    # previewing saved nothing
    assert (
        json.loads(runner.invoke(app, ["notifications", "templates", "show", "--json"]).output)[
            "source"
        ]
        == "default"
    )

    saved = runner.invoke(app, ["notifications", "templates", "set", *subject, *files])
    assert saved.exit_code == 0, saved.output
    own = json.loads(runner.invoke(app, ["notifications", "templates", "show", "--json"]).output)
    assert (own["source"], own["html"]) == ("own", "<p>Well done, {{ learner_name }}!</p>")
    preview = runner.invoke(app, ["notifications", "templates", "preview"])
    assert "Well done, Aïda Núñez-Ngũgĩ!" in preview.output
    reissued = runner.invoke(
        app, ["notifications", "templates", "show", "--kind", "reissued", "--json"]
    )
    assert json.loads(reissued.output)["source"] == "default"  # one kind at a time

    text.write_text("Hi {{ learner_name }}\n{{ ''.__class__ }}\n", encoding="utf-8")
    refused = runner.invoke(
        app, ["notifications", "templates", "set", "--subject", "x", "--text", str(text)]
    )
    assert refused.exit_code == 1, refused.output
    assert "line 2" in refused.output and "__class__" in refused.output

    reset = runner.invoke(app, ["notifications", "templates", "reset"])
    assert reset.exit_code == 0
    assert (
        json.loads(runner.invoke(app, ["notifications", "templates", "show", "--json"]).output)[
            "source"
        ]
        == "default"
    )
