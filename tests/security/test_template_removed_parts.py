"""Finding 12(d): the template API stripped hostile SVG parts without the documented list of what
it removed. The answer to an upload (API and CLI) now carries that list."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certmint.cli import app
from tests.web.conftest import client, container  # noqa: F401 - fixtures
from tests.web.pages.admin.conftest import Admin, admin  # noqa: F401 - fixtures

HOSTILE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="842" height="595" onload="alert(1)">'
    "<script>alert(2)</script>"
    '<foreignObject><iframe src="https://evil.example/"/></foreignObject>'
    '<text x="100" y="100" onclick="steal()">{{recipient.name}}</text></svg>'
)
REMOVED = [
    "attribute onload='alert(1)' on <svg>",
    "element <script>",
    "element <foreignObject>",
    "attribute onclick='steal()' on <text>",
]
CLEAN = HOSTILE.replace(' onload="alert(1)"', "").replace("<script>alert(2)</script>", "")


def test_the_api_lists_what_it_removed_on_create_and_revise(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
) -> None:
    created = client.post(
        "/api/v1/templates", json={"name": "Hostile", "svg": HOSTILE}, headers=admin.headers
    )
    assert created.status_code == 201, created.text
    assert sorted(created.json()["removed"]) == sorted(REMOVED)
    template_id = created.json()["template_id"]

    revised = client.post(
        f"/api/v1/templates/{template_id}/versions",
        json={"svg": CLEAN.replace("<foreignObject>", "<g>").replace("</foreignObject>", "</g>")},
        headers=admin.headers,
    )
    assert revised.status_code == 201, revised.text
    assert revised.json()["removed"] == [
        "element <iframe>",
        "attribute onclick='steal()' on <text>",
    ]

    designed = client.post(
        f"/api/v1/templates/{template_id}/versions",
        json={
            "design": {
                "layout": "classic-1-1",
                "title": "Certificate",
                "signatories": [{"name": "Dr. Meera Iyer", "designation": "Director"}],
            }
        },
        headers=admin.headers,
    )
    assert designed.status_code == 201, designed.text
    assert designed.json()["removed"] is None  # nothing was uploaded
    read = client.get(f"/api/v1/template-versions/{created.json()['id']}", headers=admin.headers)
    assert read.json()["removed"] is None  # the list answers the upload; it is not stored


def test_a_clean_upload_removes_nothing(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
) -> None:
    clean = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="842" height="595">'
        '<text x="1" y="9">{{recipient.name}}</text></svg>'
    )
    created = client.post("/api/v1/templates", json={"svg": clean}, headers=admin.headers)
    assert created.json()["removed"] == []


def test_the_cli_prints_what_it_removed(certmint_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    svg = tmp_path / "hostile.svg"
    svg.write_text(HOSTILE, encoding="utf-8")
    shown = runner.invoke(app, ["templates", "upload", str(svg)])
    assert shown.exit_code == 0, shown.output
    assert [line for line in shown.stderr.splitlines() if line] == [
        f"removed: {item}" for item in REMOVED
    ]
    version_id = shown.stdout.strip()  # standard output stays the id alone, for scripts
    assert len(version_id) == 36
    as_json = runner.invoke(app, ["templates", "upload", str(svg), "--json"])
    assert json.loads(as_json.stdout)["removed"] == REMOVED
