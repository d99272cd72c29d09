"""Finding 11 (SVG encodings): an uploaded SVG that declares an encoding Python's XML parser does
not take (UTF-7, for example) gave a traceback. Every upload path now answers with the
sanitiser's sentence naming the encodings it accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certmint.cli import app
from certmint.rendering import UnsafeSvg, sanitise_svg
from tests.web.conftest import client, container  # noqa: F401 - fixtures
from tests.web.pages.admin.conftest import Admin, admin  # noqa: F401 - fixtures
from tests.web.pages.admin.test_templates import _create, _designer_form

BODY = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600">'
    '<text x="10" y="20">Caf\u00e9 {{recipient.name}}</text></svg>'
)
ACCEPTED = "UTF-8, UTF-16, US-ASCII, ISO-8859-1"


def _declaring(encoding: str) -> str:
    return f'<?xml version="1.0" encoding="{encoding}"?>{BODY}'


@pytest.mark.parametrize("encoding", ["UTF-7", "Shift_JIS", "UTF-32", "EBCDIC-US", "cp1252"])
def test_other_encodings_are_refused_by_name(encoding: str) -> None:
    with pytest.raises(UnsafeSvg) as refused:
        sanitise_svg(_declaring(encoding).encode("utf-8"))
    assert str(refused.value) == (
        f"unsafe SVG: the declared encoding {encoding!r} is not accepted: "
        f"save the file as {ACCEPTED}"
    )


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("UTF-16", "utf-16"),
        ("UTF-16", "utf-16-le"),  # no BOM: the first "<" tells the byte order
        ("ISO-8859-1", "latin-1"),
        ("latin1", "latin-1"),
    ],
)
def test_the_accepted_encodings_read_the_same_text(encoding: str, codec: str) -> None:
    clean = sanitise_svg(_declaring(encoding).encode(codec))
    assert "Café".encode() in clean.svg  # always stored as UTF-8


def test_bytes_that_do_not_match_the_declaration_are_a_sentence() -> None:
    with pytest.raises(UnsafeSvg, match=r"not valid ASCII: byte 0xC3 at offset \d+"):
        sanitise_svg(_declaring("US-ASCII").encode("utf-8"))


def test_the_api_answers_422(client: TestClient, admin: Admin) -> None:  # noqa: F811
    response = client.post(
        "/api/v1/templates",
        json={"name": "UTF-7", "svg": _declaring("UTF-7")},
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text
    assert "the declared encoding 'UTF-7' is not accepted" in response.text


def test_the_designer_page_answers_422(client: TestClient, admin: Admin) -> None:  # noqa: F811
    template_id = _create(client, admin)
    logo = _declaring("UTF-7").replace("{{recipient.name}}", "").encode("utf-8")
    response = client.post(
        f"/admin/templates/{template_id}",
        data=_designer_form(),
        files={"logo_1": ("logo.svg", logo, "image/svg+xml")},
        headers=admin.headers,
    )
    assert response.status_code == 422, response.text[:2000]
    assert "the declared encoding &#39;UTF-7&#39; is not accepted" in response.text


def test_the_cli_exits_1_with_the_sentence(certmint_home: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    svg = tmp_path / "utf7.svg"
    svg.write_bytes(_declaring("UTF-7").encode("utf-8"))
    result = runner.invoke(app, ["templates", "upload", str(svg)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # not a ValueError's traceback
    assert "the declared encoding 'UTF-7' is not accepted" in result.output
