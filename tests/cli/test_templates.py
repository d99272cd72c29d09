from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from certmint.cli import app
from certmint.rendering import GALLERY

runner = CliRunner()


def test_layouts_lists_the_gallery(certmint_home: Path) -> None:
    result = runner.invoke(app, ["templates", "layouts", "--json"])
    assert result.exit_code == 0
    assert [entry["id"] for entry in json.loads(result.output)] == [lay.id for lay in GALLERY]


def test_create_publish_preview(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--org-name", "Acme Institute"]).exit_code == 0
    created = runner.invoke(
        app,
        [
            "templates",
            "create",
            "--layout",
            "classic-1-2",
            "--title",
            "Certificate of Merit",
            "--signature",
            "Dr. Meera Iyer|Director",
            "--signature",
            "Rahul Verma|Course Lead",
            "--paper",
            "letter",
            "--json",
        ],
    )
    assert created.exit_code == 0, created.output
    version = json.loads(created.output)
    assert (version["number"], version["status"]) == (1, "draft")

    published = runner.invoke(app, ["templates", "publish", version["version_id"], "--json"])
    assert published.exit_code == 0
    assert json.loads(published.output)["content_hash"].startswith("sha256:")
    again = runner.invoke(app, ["templates", "publish", version["version_id"]])
    assert again.exit_code == 4
    assert "already published" in again.output

    out = tmp_path / "preview.svg"
    result = runner.invoke(
        app,
        [
            "templates",
            "preview",
            version["version_id"],
            "--out",
            str(out),
            "--recipient",
            "محمد عبد الله",
        ],
    )
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "محمد عبد الله" in svg
    assert "Acme Institute" in svg  # the organisation's own name, not the sample's


def test_upload_rejects_an_unknown_placeholder(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    svg = tmp_path / "t.svg"
    svg.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
        "<text x='1' y='1'>{{learner.nickname}}</text></svg>"
    )
    result = runner.invoke(app, ["templates", "upload", str(svg)])
    assert result.exit_code == 1
    assert "learner.nickname" in result.output


def test_unknown_version_is_exit_3(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, ["templates", "publish", "00000000-0000-4000-8000-000000000000"])
    assert result.exit_code == 3
