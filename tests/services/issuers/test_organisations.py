"""Organisations as the operator manages them: created ready to issue, renamed, branded,
suspended (issuing nothing, still verifying) and reinstated."""

from __future__ import annotations

from uuid import uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.keys import did_document_for
from certmint.services.issuers.organisations import (
    OrganisationChanges,
    OrganisationSuspended,
    add_organisation,
    change_organisation,
    list_organisations,
    organisation_logo,
    organisation_overview,
)
from certmint.services.issuers.signing import Signing
from certmint.services.verification.verify import verify_certificate
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
OPERATOR = Principal(uuid4(), Role.ADMIN, user_id=uuid4(), operator=True)


def test_an_added_organisation_answers_its_did_at_once(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    board = add_organisation(uow, signing.key_store, OPERATOR, "State Board", slug="board")
    document = did_document_for(uow, signing.links, "board")
    assert document["id"].endswith(":orgs:board")
    assert [o.slug for o in list_organisations(uow, OPERATOR)] == ["board"]
    assert organisation_overview(uow, OPERATOR, "board").keys[0].retired_at is None
    with pytest.raises(Conflict, match="slug 'board' exists"):
        add_organisation(uow, signing.key_store, OPERATOR, "Another", slug="board")
    with pytest.raises(InvalidInput):
        add_organisation(uow, signing.key_store, OPERATOR, "Bad", slug="-bad-")
    assert board.branding.primary_colour == ""


def test_renaming_and_branding_is_checked_and_audited(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    add_organisation(uow, signing.key_store, OPERATOR, "State Board", slug="board")
    changed = change_organisation(
        uow,
        OPERATOR,
        "board",
        OrganisationChanges(
            name="State Board of Education",
            primary_colour="#1D4ED8",
            email_sender="certs@board.example",
            logo=PNG,
        ),
    )
    assert changed.name == "State Board of Education"
    assert changed.branding.primary_colour == "#1d4ed8"
    assert changed.branding.logo_type == "image/png"
    assert organisation_logo(uow, "board") == (PNG, "image/png")
    with pytest.raises(InvalidInput) as refused:
        change_organisation(
            uow,
            OPERATOR,
            "board",
            OrganisationChanges(primary_colour="blue", logo=b"<svg/>", email_sender="nobody"),
        )
    assert len(refused.value.problems) == 3
    for hostile in ("#123456\n", "#fff;}</style><script>", '#123456" onload="x'):
        with pytest.raises(InvalidInput, match="organisation not changed"):
            change_organisation(uow, OPERATOR, "board", OrganisationChanges(accent_colour=hostile))
    removed = change_organisation(uow, OPERATOR, "board", OrganisationChanges(logo=b""))
    assert removed.branding.logo_type == ""
    with pytest.raises(NotFound):
        organisation_logo(uow, "board")
    with pytest.raises(NotFound):
        change_organisation(uow, OPERATOR, "nope", OrganisationChanges(name="X"))
    with uow:
        actions = [e.action for e in uow.audit.list(changed.id)]
    assert actions.count("organisation.changed") == 2


def test_a_suspended_organisation_issues_nothing_and_its_certificates_verify(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    world = scenario(uow, signing, [enrolment_row("L1"), enrolment_row("L2")])
    slug = world.organisation.slug
    first = issue_achievement(
        uow, signing, IssueRequest(world.organisation.id, world.achievement_id)
    )
    suspended = change_organisation(
        uow, OPERATOR, slug, OrganisationChanges(suspended=True, suspension_shown=True)
    )
    assert suspended.suspended and suspended.suspension_shown
    with pytest.raises(OrganisationSuspended, match=f"organisation {slug} is suspended"):
        issue_achievement(uow, signing, IssueRequest(world.organisation.id, world.achievement_id))
    report = verify_certificate(uow, signing, str(first.certificate_ids[0]))
    assert report.verdict == "valid"
    change_organisation(uow, OPERATOR, slug, OrganisationChanges(suspended=False))
    again = IssueRequest(world.organisation.id, world.achievement_id)
    issue_achievement(uow, signing, again)  # no error


def test_only_the_operator_manages_organisations(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    admin = Principal(uuid4(), Role.ADMIN, user_id=uuid4())
    with pytest.raises(Forbidden, match="this needs the instance's operator"):
        add_organisation(uow, signing.key_store, admin, "Rogue")
    with pytest.raises(Forbidden):
        list_organisations(uow, admin)
    assert list_organisations(uow, OPERATOR) == []
