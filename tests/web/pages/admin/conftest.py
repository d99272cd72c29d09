"""Admin pages through TestClient, signed in with an admin's API token."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.services.identity.tokens import create_token
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, make_organisation, scenario


@dataclass(frozen=True)
class Admin:
    scenario: Scenario
    headers: dict[str, str]


def bearer(uow: SqlAlchemyUnitOfWork, organisation_id: object, role: Role) -> dict[str, str]:
    _, secret = create_token(
        uow, Principal.at_shell(organisation_id), name=f"{role} pages", role=role
    )  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def admin(uow: SqlAlchemyUnitOfWork, signing: Signing) -> Admin:
    """An organisation with a batch of three learners (two completed), a published template,
    a "Completion" achievement, and an admin token."""
    rows = [
        enrolment_row("L1", name="Asha Rao"),
        enrolment_row("L2", name="Vikram Nair"),
        enrolment_row("L3", name="Meena Das", status="in_progress", completed_on=""),
    ]
    built = scenario(uow, signing, rows)
    return Admin(built, bearer(uow, built.organisation.id, Role.ADMIN))


@pytest.fixture
def other_tenant(uow: SqlAlchemyUnitOfWork) -> dict[str, str]:
    """An admin token of another organisation: everything of ``admin`` is a 404 to it."""
    other = make_organisation(uow, "Other Institute")
    return bearer(uow, other.id, Role.ADMIN)


def get_ok(client: TestClient, url: str, headers: dict[str, str]) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text[:2000]
    return response.text
