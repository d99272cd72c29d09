"""Organisations as the operator manages them: created ready to issue, renamed, branded,
suspended (issuing nothing, still verifying) and reinstated."""

from __future__ import annotations

import pytest

from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.issuance.awards import issue_achievement
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


def test_an_added_organisation_answers_its_did_at_once(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    board = add_organisation(uow, signing.key_store, "State Board", slug="board", actor="t")
    document = did_document_for(uow, signing.base_url, "board")
    assert document["id"].endswith(":orgs:board")
    assert [o.slug for o in list_organisations(uow)] == ["board"]
    assert organisation_overview(uow, "board").keys[0].retired_at is None
    with pytest.raises(Conflict, match="slug 'board' exists"):
        add_organisation(uow, signing.key_store, "Another", slug="board", actor="t")
    with pytest.raises(InvalidInput):
        add_organisation(uow, signing.key_store, "Bad", slug="-bad-", actor="t")
    assert board.branding.primary_colour == ""


def test_renaming_and_branding_is_checked_and_audited(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    add_organisation(uow, signing.key_store, "State Board", slug="board", actor="t")
    changed = change_organisation(
        uow,
        "board",
        OrganisationChanges(
            name="State Board of Education",
            primary_colour="#1D4ED8",
            email_sender="certs@board.example",
            logo=PNG,
        ),
        actor="operator",
    )
    assert changed.name == "State Board of Education"
    assert changed.branding.primary_colour == "#1d4ed8"
    assert changed.branding.logo_type == "image/png"
    assert organisation_logo(uow, "board") == (PNG, "image/png")
    with pytest.raises(InvalidInput) as refused:
        change_organisation(
            uow,
            "board",
            OrganisationChanges(primary_colour="blue", logo=b"<svg/>", email_sender="nobody"),
            actor="operator",
        )
    assert len(refused.value.problems) == 3
    removed = change_organisation(uow, "board", OrganisationChanges(logo=b""), actor="o")
    assert removed.branding.logo_type == ""
    with pytest.raises(NotFound):
        organisation_logo(uow, "board")
    with pytest.raises(NotFound):
        change_organisation(uow, "nope", OrganisationChanges(name="X"), actor="o")
    with uow:
        actions = [e.action for e in uow.audit.list(changed.id)]
    assert actions.count("organisation.changed") == 2


def test_a_suspended_organisation_issues_nothing_and_its_certificates_verify(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    world = scenario(uow, signing, [enrolment_row("L1"), enrolment_row("L2")])
    slug = world.organisation.slug
    first = issue_achievement(uow, signing, world.organisation.id, world.achievement_id)
    suspended = change_organisation(
        uow, slug, OrganisationChanges(suspended=True, suspension_shown=True), actor="o"
    )
    assert suspended.suspended and suspended.suspension_shown
    with pytest.raises(OrganisationSuspended, match=f"organisation {slug} is suspended"):
        issue_achievement(uow, signing, world.organisation.id, world.achievement_id)
    report = verify_certificate(uow, signing, str(first.certificate_ids[0]))
    assert report.verdict == "valid"
    change_organisation(uow, slug, OrganisationChanges(suspended=False), actor="o")
    issue_achievement(uow, signing, world.organisation.id, world.achievement_id)  # no error
