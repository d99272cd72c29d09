"""Finding 9 (numbers in URLs): a status-list sequence number of 2^63 or more gave a 500.

Every route that reads a whole number from its path or query is asked for numbers past any
column's range, below it, and digits that are not ASCII: the answer is a 404 (an address that
leads nowhere) or the first page, never a server error.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from certmint.cli import app
from certmint.domain.ids import url_id
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.web.conftest import client, container  # noqa: F401 - fixtures
from tests.web.pages.admin.conftest import Admin, admin  # noqa: F401 - fixtures

OUT_OF_RANGE = ["9223372036854775808", str(2**64), str(2**31), "0", "-1", "9" * 5000]


@pytest.mark.parametrize("sequence", OUT_OF_RANGE)
def test_status_list_sequence_out_of_range_is_not_found(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
    sequence: str,
) -> None:
    slug = admin.scenario.organisation.slug
    response = client.get(f"/orgs/{slug}/status/revocation/{sequence}")
    assert response.status_code in (404, 422), response.text[:500]
    if sequence.lstrip("-").isdigit() and len(sequence) < 100:
        assert response.status_code == 404


def test_an_existing_status_list_is_still_served(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
) -> None:
    s = admin.scenario
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    response = client.get(f"/orgs/{s.organisation.slug}/status/revocation/1")
    assert response.status_code == 200
    assert response.json()["type"][-1] == "BitstringStatusListCredential"


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/certificates"])
def test_admin_page_numbers_past_the_last_page_are_not_found(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
    path: str,
) -> None:
    for page in ("9223372036854775808", "1000001", "9" * 5000):
        response = client.get(path, params={"page": page}, headers=admin.headers)
        assert response.status_code == 404, (page[:30], response.text[:300])
    for page in ("²", "٣", "abc", "0", "2"):  # not numbers, or pages that may be empty
        assert client.get(path, params={"page": page}, headers=admin.headers).status_code == 200


def test_a_cursor_with_non_ascii_digits_is_refused(
    client: TestClient,  # noqa: F811
    admin: Admin,  # noqa: F811
) -> None:
    template = url_id(admin.scenario.template_version_id)
    versions = client.get("/api/v1/template-versions/" + template, headers=admin.headers)
    template_id = versions.json()["template_id"]
    for text in ("k1:²", "k1:٣", "k1:" + "9" * 19):
        cursor = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
        response = client.get(
            f"/api/v1/templates/{template_id}/versions",
            params={"cursor": cursor},
            headers=admin.headers,
        )
        assert response.status_code == 422, response.text[:300]


@pytest.mark.parametrize(
    "args",
    [
        ["certificates", "list", "--limit", "99999999999999999999"],
        ["notifications", "purge", "--older-than-days", "99999999999999"],
    ],
)
def test_command_line_numbers_are_bounded_too(certmint_home: Path, args: list[str]) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output  # a usage error, not an internal one
    assert "less than or equal to" in result.output
