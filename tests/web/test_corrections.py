"""The admin's name-correction page: approve (re-issue) or decline with a reason."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.certificates.corrections import request_name_correction
from certmint.services.certificates.lifecycle import suspend_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import (
    PASSWORD,
    Scenario,
    enrolment_csv,
    enrolment_row,
    make_user,
    scenario,
)
from tests.web.conftest import sign_in

BASE = "https://certs.example.org"


@pytest.fixture
def waiting(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Scenario, UUID, UUID]:
    """A pending request by learner L1 (jon@) to print "Jon Smith"; an admin (admin@)."""
    s = scenario(uow, signing, [enrolment_row("L1", name="Jon Smiht")])
    (certificate_id,) = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id)
    ).certificate_ids
    org = s.organisation.id
    jon = make_user(uow, org, Role.LEARNER, email="jon@example.org", learner_id=s.learners["L1"])
    make_user(uow, org, Role.ADMIN, email="admin@example.org")
    request = request_name_correction(
        uow, Principal.of_user(jon), certificate_id, requested_name="Jon Smith", note="typo"
    )
    return s, certificate_id, request.id


def test_only_admins_see_the_page(
    https_client: TestClient, uow: SqlAlchemyUnitOfWork, waiting: tuple[Scenario, UUID, UUID]
) -> None:
    s, _, _ = waiting
    assert https_client.get("/admin/corrections").headers["location"].startswith("/login?next=")
    sign_in(https_client, "jon@example.org", PASSWORD)
    assert https_client.get("/admin/corrections").status_code == 403
    import_enrolments(uow, s.organisation.id, enrolment_csv([enrolment_row("L9")]))
    course = resolve_course(uow, s.organisation.id, "C1")
    make_user(
        uow, s.organisation.id, Role.COURSE_MANAGER, email="cm@example.org", course_ids=[course.id]
    )
    sign_in(https_client, "cm@example.org", PASSWORD)
    assert https_client.get("/admin/corrections").status_code == 403


def test_approve_reissues_and_the_learner_sees_it(
    https_client: TestClient, waiting: tuple[Scenario, UUID, UUID]
) -> None:
    _, certificate_id, request_id = waiting
    csrf = sign_in(https_client, "admin@example.org", PASSWORD)
    page = https_client.get("/admin/corrections")
    assert page.status_code == 200
    assert "Jon Smiht" in page.text and "Jon Smith" in page.text and "typo" in page.text
    approve = f"/admin/corrections/{request_id}/approve"
    assert https_client.post(approve).status_code == 403  # CSRF
    assert https_client.post(approve, data={"csrf_token": csrf}).status_code == 303
    again = https_client.post(approve, data={"csrf_token": csrf})
    assert again.status_code == 409 and "already approved" in again.text
    verdict = https_client.get(f"/v/{certificate_id}", headers={"Accept": "application/json"})
    assert verdict.json()["verdict"] == "superseded"
    new_id = verdict.json()["superseded_by"]
    assert (
        https_client.get(f"/v/{new_id}", headers={"Accept": "application/json"}).json()["printed"][
            "recipient.name"
        ]
        == "Jon Smith"
    )

    sign_in(https_client, "jon@example.org", PASSWORD)
    assert "approved; the certificate was re-issued" in https_client.get("/me").text


def test_decline_with_a_reason_the_learner_reads(
    https_client: TestClient, waiting: tuple[Scenario, UUID, UUID]
) -> None:
    _, _, request_id = waiting
    csrf = sign_in(https_client, "admin@example.org", PASSWORD)
    decline = f"/admin/corrections/{request_id}/decline"
    empty = https_client.post(decline, data={"csrf_token": csrf, "reason": " "})
    assert empty.status_code == 422
    done = https_client.post(
        decline, data={"csrf_token": csrf, "reason": "Matches your enrolment form"}
    )
    assert done.status_code == 303
    assert re.search(
        r"declined:.*Matches your enrolment form", https_client.get("/admin/corrections").text, re.S
    )
    sign_in(https_client, "jon@example.org", PASSWORD)
    assert "Matches your enrolment form" in https_client.get("/me").text


def test_a_request_that_cannot_be_approved_says_why(
    https_client: TestClient,
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    waiting: tuple[Scenario, UUID, UUID],
) -> None:
    s, certificate_id, request_id = waiting
    suspend_certificate(
        uow, Principal.at_shell(s.organisation.id), certificate_id, reason="review", signing=signing
    )
    csrf = sign_in(https_client, "admin@example.org", PASSWORD)
    page = https_client.get("/admin/corrections")
    assert "The certificate is suspended, so it cannot be re-issued" in page.text
    assert f"/admin/corrections/{request_id}/approve" not in page.text
    refused = https_client.post(
        f"/admin/corrections/{request_id}/approve", data={"csrf_token": csrf}
    )
    assert refused.status_code == 409 and "reinstate it and approve again" in refused.text
    assert "Waiting for a decision" in refused.text and "Jon Smith" in refused.text
