"""``certmint notifications purge`` and ``certmint notifications templates
show|set|reset|preview``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from typer.testing import CliRunner

from certmint.bootstrap import bootstrap
from certmint.cli import app
from certmint.config import load_settings
from certmint.services.identity.sign_in_links import request_sign_in_link
from certmint.storage.tables import NotificationRow

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


def test_purge_deletes_finished_account_e_mails_older_than_the_retention(
    certmint_home: Path,
) -> None:
    assert runner.invoke(app, ["init", "--org-name", "Acme Institute"]).exit_code == 0
    container = bootstrap(load_settings())
    try:
        long_ago = datetime.now(UTC) - timedelta(days=12)
        for address in ("nobody@example.org", "waiting@example.org"):
            request_sign_in_link(container.uow(), None, address, now=long_ago)
        with container.engine.begin() as connection:
            connection.execute(
                update(NotificationRow)
                .where(NotificationRow.recipient == "nobody@example.org")
                .values(status="skipped")
            )
        kept = runner.invoke(app, ["notifications", "purge"])  # 30 days by default
        assert kept.exit_code == 0, kept.output
        assert "0 account e-mails and 0 sign-in links older than 30 days deleted" in kept.output
        purged = runner.invoke(app, ["notifications", "purge", "--older-than-days", "10"])
        assert "1 account e-mails and 0 sign-in links older than 10 days deleted" in purged.output
        with container.engine.connect() as connection:
            left = connection.scalars(select(NotificationRow.recipient)).all()
        assert left == ["waiting@example.org"]  # pending: never purged
        assert runner.invoke(app, ["notifications", "purge", "--older-than-days", "0"]).exit_code
    finally:
        container.close()
