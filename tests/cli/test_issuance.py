"""The issuance commands end to end, as an operator runs them on the demo instance."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certmint.cli import app
from certmint.rendering import extract_credential
from tests.conftest import Inbox

runner = CliRunner()


def _json(args: list[str]) -> object:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_issue_download_verify_revoke_reissue(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    again = _json(["issue", "--batch", "DS101-2026-A"])
    assert isinstance(again, list)
    assert {r["achievement"] for r in again} == {"Completion", "Merit"}
    assert all(r["issued"] == 0 for r in again)  # the demo already issued them

    dry = runner.invoke(app, ["issue", "--batch", "DS101-2026-A", "--dry-run"])
    assert dry.exit_code == 0
    assert "not completed" in dry.output

    certificates = _json(["certificates", "list", "--batch", "DS101-2026-A"])
    assert isinstance(certificates, list) and certificates
    first, second = certificates[0], certificates[1]
    pdf, png = tmp_path / "c.pdf", tmp_path / "c.png"
    assert (
        runner.invoke(app, ["certificates", "download", first["id"], "--out", str(pdf)]).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["certificates", "download", first["id"], "--format", "png", "--out", str(png)]
        ).exit_code
        == 0
    )

    verified = runner.invoke(app, ["verify", str(pdf), str(png), "--offline"])
    assert verified.exit_code == 0, verified.output
    assert verified.output.count("VALID") == 2

    revoked = runner.invoke(app, ["revoke", first["id"], "--reason", "Issued in error"])
    assert revoked.exit_code == 0
    after = runner.invoke(app, ["verify", str(pdf), "--offline", "--json"])
    assert after.exit_code == 1
    (report,) = json.loads(after.output)
    assert report["verified"] is False
    assert [c["outcome"] for c in report["report"]["checks"]][3] == "failed"
    photo = runner.invoke(app, ["verify", str(png), "--offline", "--json"])
    assert json.loads(photo.output)[0]["certificate"]["status_reason"] == "Issued in error"

    new = _json(["reissue", second["id"], "--name", "Corrected Name", "--reason", "typo"])
    assert isinstance(new, dict)
    assert new["supersedes"] == second["id"]
    assert new["name"] == "Corrected Name"
    assert runner.invoke(app, ["revoke", second["id"], "--reason", "x"]).exit_code == 4


def test_verify_unreadable_and_tampered(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    (certificate, *_) = _json(["certificates", "list"])  # type: ignore[misc]
    credential = tmp_path / "c.json"
    assert (
        runner.invoke(
            app,
            [
                "certificates",
                "download",
                certificate["id"],
                "--format",
                "ob3",
                "--out",
                str(credential),
            ],
        ).exit_code
        == 0
    )
    document = json.loads(credential.read_text())
    document["credentialSubject"]["name"] += "x"
    tampered = tmp_path / "t.json"
    tampered.write_text(json.dumps(document))
    result = runner.invoke(app, ["verify", str(tampered), "--offline"])
    assert result.exit_code == 1
    assert "signature" in result.output
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00\x01 not a credential")
    assert runner.invoke(app, ["verify", str(junk), "--offline"]).exit_code == 2


def test_achievement_add_rejects_bad_criteria(certmint_home: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    templates = runner.invoke(app, ["achievements", "list", "--batch", "WEB201-2026", "--json"])
    version = json.loads(templates.output)[0]["template_version_id"]
    result = runner.invoke(
        app,
        [
            "achievements",
            "add",
            "--batch",
            "WEB201-2026",
            "--template",
            version,
            "--name",
            "Honours",
            "--criteria",
            '{"score": {">=": 200}}',
        ],
    )
    assert result.exit_code == 1
    assert "$.score.>=: 200 is outside 0 to 100" in result.output


def test_achievement_add_warns_of_a_condition_no_learner_can_meet(certmint_home: Path) -> None:
    # Attached all the same (the batch's data may come later), and said on stderr and in JSON.
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    listed = runner.invoke(app, ["achievements", "list", "--batch", "WEB201-2026", "--json"])
    version = json.loads(listed.output)[0]["template_version_id"]
    args = ["achievements", "add", "--batch", "WEB201-2026", "--template", version]
    misspelt = '{"score": {"assessment": "fnal-exam", ">=": 60}}'
    shown = runner.invoke(app, [*args, "--name", "Honours", "--criteria", misspelt])
    assert shown.exit_code == 0, shown.output
    assert "warning: no learner has a score in fnal-exam; the imports hold" in shown.stderr
    assert "fnal-exam" not in shown.stdout
    as_json = _json([*args, "--name", "Distinction", "--criteria", misspelt])
    assert isinstance(as_json, dict)
    assert [w.split(";")[0] for w in as_json["warnings"]] == ["no learner has a score in fnal-exam"]
    fine = _json([*args, "--name", "Participation", "--criteria", '{"completed": true}'])
    assert isinstance(fine, dict) and fine["warnings"] == []


def test_import_triggers_automatic_issuance(
    certmint_home: Path, tmp_path: Path, smtp: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import's automatic job sends what is due once its chunk has committed (the
    after-commit path), its learner's e-mail among them; the demo, which issues outside any
    trigger, had left its own in the outbox."""
    inbox, url = smtp
    monkeypatch.setenv("CERTMINT_SMTP_URL", url)
    monkeypatch.setenv("CERTMINT_MAIL_ATTACH_PDF", "false")
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    assert inbox.messages == []
    listed = runner.invoke(app, ["achievements", "list", "--batch", "WEB201-2026", "--json"])
    version = json.loads(listed.output)[0]["template_version_id"]
    added = runner.invoke(
        app,
        [
            "achievements",
            "add",
            "--batch",
            "WEB201-2026",
            "--template",
            version,
            "--name",
            "Participation",
            "--criteria",
            '{"completed": true}',
            "--auto",
        ],
    )
    assert added.exit_code == 0, added.output
    csv = tmp_path / "late.csv"
    csv.write_text(
        "course_id,batch_id,learner_id,name,email,status,completed_on\n"
        "WEB201,WEB201-2026,L9001,Late Learner,late@example.org,completed,2026-11-01\n"
    )
    result = runner.invoke(app, ["import", "enrolments", str(csv), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["certificates_issued"] == 1
    recipients = [m["To"] for m in inbox.messages]
    assert len(recipients) == 26 and recipients.count("late@example.org") == 1
    assert "0 sent" in runner.invoke(app, ["notifications", "send"]).output  # nothing left


def test_export_to_zip_and_csv(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    certificates = _json(["certificates", "list", "--batch", "WEB201-2026"])
    assert isinstance(certificates, list)
    archive = tmp_path / "out.zip"
    result = runner.invoke(
        app, ["export", "--batch", "WEB201-2026", "--format", "pdf", "--out", str(archive)]
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(archive) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"{c['name']} {c['number']}.pdf" for c in certificates)
        assert extract_credential(zf.read(names[0]))["type"][1] == "OpenBadgeCredential"
    table = tmp_path / "csv"
    assert (
        runner.invoke(
            app, ["export", "--batch", "WEB201-2026", "--format", "csv", "--out", str(table)]
        ).exit_code
        == 0
    )
    rows = list(
        csv.DictReader((table / "certificates.csv").read_text(encoding="utf-8").splitlines())
    )
    assert {r["number"] for r in rows} == {c["number"] for c in certificates}
    assert all(r["learner_id"].startswith("L") for r in rows)
    again = runner.invoke(
        app, ["export", "--batch", "WEB201-2026", "--format", "csv", "--out", str(table)]
    )
    assert again.exit_code == 1  # never overwrites


def test_issue_sends_the_emails(
    certmint_home: Path, smtp: tuple[Inbox, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, url = smtp
    monkeypatch.setenv("CERTMINT_SMTP_URL", url)
    monkeypatch.setenv("CERTMINT_MAIL_ATTACH_PDF", "false")
    result = runner.invoke(app, ["demo", "--no-serve"])  # the demo issues 25 certificates
    assert result.exit_code == 0, result.output
    assert inbox.messages == []  # the demo leaves e-mail to the operator
    sent = runner.invoke(app, ["notifications", "send"])
    assert sent.exit_code == 0
    assert "25 sent" in sent.output
    assert len(inbox.messages) == 25
    assert "25 sent" not in runner.invoke(app, ["notifications", "send"]).output


def test_suspend_and_reinstate(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["demo", "--no-serve"]).exit_code == 0
    certificates = _json(["certificates", "list", "--batch", "WEB201-2026"])
    assert isinstance(certificates, list)
    first = certificates[0]["id"]
    credential = tmp_path / "c.json"
    assert (
        runner.invoke(
            app,
            ["certificates", "download", first, "--format", "ob3", "--out", str(credential)],
        ).exit_code
        == 0
    )
    assert json.loads(credential.read_text())["credentialStatus"]["statusPurpose"] == "revocation"
    baked = []  # the PNG and SVG downloads carry the credential (OB 3.0 baking)
    for kind in ("png", "svg"):
        path = tmp_path / f"c.{kind}"
        args = ["certificates", "download", first, "--format", kind, "--out", str(path)]
        assert runner.invoke(app, args).exit_code == 0
        checked = runner.invoke(app, ["verify", str(path), "--offline", "--json"])
        assert checked.exit_code == 0, checked.output
        assert json.loads(checked.output)[0]["source"] == f"baked {kind}"
        baked.append(path)

    suspended = _json(["certificates", "suspend", first, "--reason", "Under review"])
    assert isinstance(suspended, dict)
    assert (suspended["status"], suspended["status_reason"]) == ("suspended", "Under review")
    checked = runner.invoke(app, ["verify", str(credential), "--offline", "--json"])
    assert checked.exit_code == 1  # this instance holds the suspension and says so
    (report,) = json.loads(checked.output)
    status = report["report"]["checks"][3]
    assert status["outcome"] == "failed"
    assert status["detail"].startswith("suspended by its issuer since")
    for path in baked:
        assert runner.invoke(app, ["verify", str(path), "--offline"]).exit_code == 1
    again = runner.invoke(app, ["certificates", "suspend", first, "--reason", "x"])
    assert again.exit_code == 4  # already suspended

    result = runner.invoke(app, ["certificates", "reinstate", first])
    assert result.exit_code == 0, result.output
    assert f"reinstated {first}" in result.output
    valid = runner.invoke(app, ["verify", str(credential), "--offline"])
    assert valid.exit_code == 0, valid.output
    assert runner.invoke(app, ["certificates", "reinstate", first]).exit_code == 4

    assert runner.invoke(app, ["revoke", first, "--reason", "fraud"]).exit_code == 0
    refused = runner.invoke(app, ["certificates", "suspend", first, "--reason", "x"])
    assert refused.exit_code == 4
    assert "revocation is final" in refused.output
