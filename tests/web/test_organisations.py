"""Two organisations on one instance, as the people in them see it: one person switches
between the organisations where they hold an account (only where the address is proved), every
admin page acts in the organisation the session names, and a learner with certificates from
both sees them in one list and one public profile, grouped by issuer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.domain.ids import url_id
from certmint.domain.organisations import Organisation
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.catalogue.templates import create_template
from certmint.services.identity.sign_in_links import verify_address
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.keys import ensure_signing_key
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from certmint.web.deps import SESSION_COOKIE
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user
from tests.web.conftest import sign_in


@dataclass
class Tenant:
    organisation: Organisation
    certificate: UUID
    learner: UUID


def _tenant(
    uow: SqlAlchemyUnitOfWork, signing: Signing, name: str, course: str, *, default: bool
) -> Tenant:
    """An organisation that awarded Asha (asha@example.org) a certificate for ``course``."""
    organisation = make_organisation(uow, name, default=default)
    ensure_signing_key(uow, signing.key_store, organisation.id)
    row = enrolment_row("A1", name="Asha Rao", email="asha@example.org", course_name=course)
    import_enrolments(uow, organisation.id, enrolment_csv([row]))
    design = Design(
        layout="classic-1-1", title="Certificate", signatories=(Signatory("D", "Dean"),)
    )
    version = create_template(uow, Principal.at_shell(organisation.id), design, publish=True)
    _, batch = resolve_batch(uow, organisation.id, "B1")
    achievement = add_achievement(
        uow,
        Principal.at_shell(organisation.id),
        batch_id=batch.id,
        template_version_id=version.id,
        name=f"{course} completed",
        criteria={"completed": True},
    )
    issued = issue_achievement(uow, signing, IssueRequest(organisation.id, achievement.id))
    with uow:
        learner = uow.roster.learners_by_external_id(organisation.id, ["A1"])["A1"]
    return Tenant(organisation, issued.certificate_ids[0], learner.id)


@pytest.fixture
def tenants(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Tenant, Tenant]:
    return (
        _tenant(uow, signing, "Home Institute", "Data Science", default=True),
        _tenant(uow, signing, "State Board", "Statistics", default=False),
    )


def _learner(uow: SqlAlchemyUnitOfWork, tenant: Tenant, *, proved: bool) -> None:
    make_user(
        uow,
        tenant.organisation.id,
        Role.LEARNER,
        email="asha@example.org",
        learner_id=tenant.learner,
        address_verified=proved,
    )


def test_one_learner_sees_both_organisations_certificates_in_one_list_and_profile(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, tenants: tuple[Tenant, Tenant]
) -> None:
    home, board = tenants
    _learner(uow, home, proved=True)
    _learner(uow, board, proved=True)
    change_organisation(  # the board's logo and colour on the profile
        uow,
        Principal.at_shell(home.organisation.id),
        board.organisation.slug,
        OrganisationChanges(primary_colour="#0f766e", logo=b"\x89PNG\r\n\x1a\n" + b"\0" * 8),
    )
    csrf = sign_in(https_client, "asha@example.org", PASSWORD)
    mine = https_client.get("/me").text
    for tenant, course in ((home, "Data Science completed"), (board, "Statistics completed")):
        assert url_id(tenant.certificate) in mine and course in mine
    assert mine.index("Home Institute") < mine.index("State Board")  # grouped, ours first
    # The other organisation's certificate opens on its verification page; ours has its own.
    assert f'/v/{url_id(board.certificate)}"' in mine
    assert f"/me/certificates/{url_id(home.certificate)}" in mine
    assert https_client.get(f"/me/certificates/{url_id(board.certificate)}").status_code == 404

    published = https_client.post("/me/profile", data={"public": "true", "csrf_token": csrf})
    assert published.status_code == 303
    link = next(line for line in https_client.get("/me").text.split('"') if "/p/" in line)
    profile = https_client.get(link.split("testserver")[-1]).text
    assert "State Board" in profile and "Home Institute" in profile
    assert url_id(home.certificate) in profile and url_id(board.certificate) in profile
    assert 'src="/orgs/state-board/logo"' in profile and "#0f766e" in profile


def test_an_address_not_proved_on_both_sides_joins_nothing(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, tenants: tuple[Tenant, Tenant]
) -> None:
    """The State Board's admin could have made an account for Asha's address and know its
    password: until Asha proves the address there, its certificates stay out of her list."""
    home, board = tenants
    _learner(uow, home, proved=True)
    _learner(uow, board, proved=False)
    sign_in(https_client, "asha@example.org", PASSWORD)
    mine = https_client.get("/me").text
    assert url_id(home.certificate) in mine and url_id(board.certificate) not in mine
    with uow as tx:
        account = tx.users.by_email(board.organisation.id, "asha@example.org")
        assert account is not None
        verify_address(tx, account, datetime.now(UTC))  # she used a link e-mailed to it
        tx.commit()
    assert url_id(board.certificate) in https_client.get("/me").text


def test_an_admin_of_two_organisations_switches_and_each_page_acts_in_one(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, tenants: tuple[Tenant, Tenant]
) -> None:
    home, board = tenants
    for tenant in tenants:
        make_user(
            uow, tenant.organisation.id, Role.ADMIN, email="ravi@example.org", address_verified=True
        )
    make_user(uow, home.organisation.id, Role.ADMIN, email="solo@example.org")
    csrf = sign_in(https_client, "ravi@example.org", PASSWORD)
    listing = https_client.get("/admin/certificates").text
    assert url_id(home.certificate) in listing and url_id(board.certificate) not in listing
    assert "Home Institute" in listing  # the frame names the organisation it acts in
    account = https_client.get("/account").text
    assert "Switch to State Board" in account

    no_csrf = https_client.post("/account/organisation", data={"organisation": "state-board"})
    assert no_csrf.status_code == 403
    old_cookie = https_client.cookies[SESSION_COOKIE]
    switched = https_client.post(
        "/account/organisation", data={"organisation": "state-board", "csrf_token": csrf}
    )
    assert switched.status_code == 303 and switched.headers["location"] == "/admin"
    assert https_client.cookies[SESSION_COOKIE] != old_cookie
    listing = https_client.get("/admin/certificates").text
    assert url_id(board.certificate) in listing and url_id(home.certificate) not in listing
    assert https_client.get(f"/admin/certificates/{url_id(home.certificate)}").status_code == 404
    https_client.cookies.clear()
    https_client.cookies.set(SESSION_COOKIE, old_cookie)
    assert https_client.get("/admin").status_code == 303  # the session it replaced has ended

    https_client.cookies.clear()
    csrf = sign_in(https_client, "solo@example.org", PASSWORD)
    assert "Switch to" not in https_client.get("/account").text
    refused = https_client.post(
        "/account/organisation", data={"organisation": "state-board", "csrf_token": csrf}
    )
    assert refused.status_code == 404
