"""Name corrections: the learner asks, an admin approves (re-issue) or declines with a reason."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.corrections import CorrectionStatus
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.certificates.corrections import (
    approve_correction,
    blocked_corrections,
    decline_correction,
    learner_corrections,
    list_corrections,
    request_name_correction,
)
from certmint.services.certificates.lifecycle import (
    get_certificate,
    list_certificates,
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.tables import AuditEventRow, CertificateRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, make_user, scenario

BASE = "https://certs.example.org"
World = tuple[Scenario, Principal, Principal, dict[str, UUID]]


@pytest.fixture
def world(uow: SqlAlchemyUnitOfWork, signing: Signing) -> World:
    s = scenario(uow, signing, [enrolment_row("L1", name="Jon Smiht"), enrolment_row("L2")])
    issued = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    by_learner = {}
    for certificate_id in issued.certificate_ids:
        certificate = get_certificate(uow, s.organisation.id, certificate_id)
        external = next(k for k, v in s.learners.items() if v == certificate.learner_id)
        by_learner[external] = certificate_id
    jon = make_user(uow, s.organisation.id, Role.LEARNER, learner_id=s.learners["L1"])
    admin = make_user(uow, s.organisation.id, Role.ADMIN)
    return s, Principal.of_user(jon), Principal.of_user(admin), by_learner


def test_approval_reissues_with_the_new_name(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session, world: World
) -> None:
    s, jon, admin, certificates = world
    request = request_name_correction(
        uow, jon, certificates["L1"], requested_name="  Jon Smith ", note="typo in surname"
    )
    assert (request.current_name, request.requested_name) == ("Jon Smiht", "Jon Smith")
    with pytest.raises(Conflict):  # one open request per certificate
        request_name_correction(uow, jon, certificates["L1"], requested_name="J. Smith")
    assert [c.id for c in list_corrections(uow, admin, pending_only=True)] == [request.id]
    new = approve_correction(uow, signing, admin, request.id)
    assert new.snapshot["values"]["recipient.name"] == "Jon Smith"
    old = get_certificate(uow, s.organisation.id, certificates["L1"])
    assert old.status is CertificateStatus.SUPERSEDED and old.superseded_by_id == new.id
    (outcome,) = learner_corrections(uow, jon)
    assert outcome.status is CorrectionStatus.APPROVED and outcome.new_certificate_id == new.id
    assert outcome.decided_by == admin.actor
    with pytest.raises(Conflict):
        approve_correction(uow, signing, admin, request.id)
    actions = set(session.scalars(select(AuditEventRow.action)))
    assert {"correction.requested", "correction.approved", "certificate.reissued"} <= actions


def test_decline_keeps_the_certificate_and_tells_why(
    uow: SqlAlchemyUnitOfWork, world: World
) -> None:
    s, jon, admin, certificates = world
    request = request_name_correction(uow, jon, certificates["L1"], requested_name="Jo")
    with pytest.raises(InvalidInput):
        decline_correction(uow, admin, request.id, reason="  ")
    decline_correction(uow, admin, request.id, reason="The name matches your ID document")
    (outcome,) = learner_corrections(uow, jon)
    assert outcome.status is CorrectionStatus.DECLINED
    assert outcome.decision_reason == "The name matches your ID document"
    current = get_certificate(uow, s.organisation.id, certificates["L1"])
    assert current.status is CertificateStatus.ACTIVE
    # Declined, so a new request may be made.
    assert request_name_correction(uow, jon, certificates["L1"], requested_name="Jon Smith")


def test_who_may_do_what(uow: SqlAlchemyUnitOfWork, signing: Signing, world: World) -> None:
    s, jon, admin, certificates = world
    with pytest.raises(NotFound):  # another learner's certificate
        request_name_correction(uow, jon, certificates["L2"], requested_name="Someone")
    with pytest.raises(Forbidden):
        request_name_correction(uow, admin, certificates["L1"], requested_name="X Y")
    with pytest.raises(InvalidInput):
        request_name_correction(uow, jon, certificates["L1"], requested_name="Jon Smiht")
    with pytest.raises(InvalidInput):
        request_name_correction(uow, jon, certificates["L1"], requested_name="bad\x00name")
    request = request_name_correction(uow, jon, certificates["L1"], requested_name="Jon Smith")
    manager = Principal(s.organisation.id, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    for who in (jon, manager):
        with pytest.raises(Forbidden):
            approve_correction(uow, signing, who, request.id)
        with pytest.raises(Forbidden):
            list_corrections(uow, who)
    stranger = Principal(uuid4(), Role.ADMIN, user_id=uuid4())
    with pytest.raises(NotFound):
        approve_correction(uow, signing, stranger, request.id)


def test_a_suspended_certificate_blocks_approval_until_reinstated(
    uow: SqlAlchemyUnitOfWork, signing: Signing, world: World
) -> None:
    s, jon, admin, certificates = world
    org = s.organisation.id
    request = request_name_correction(uow, jon, certificates["L1"], requested_name="Jon Smith")
    suspend_certificate(
        uow, Principal.at_shell(org), certificates["L1"], reason="under review", signing=signing
    )
    with pytest.raises(Conflict, match=r"suspended.*reinstate it and approve again"):
        approve_correction(uow, signing, admin, request.id)
    # The request stays pending, and the admin's list says why it cannot be approved.
    (pending,) = list_corrections(uow, admin, pending_only=True)
    assert pending.id == request.id
    assert blocked_corrections(uow, admin, [pending]) == {request.id: CertificateStatus.SUSPENDED}
    assert get_certificate(uow, org, certificates["L1"]).status is CertificateStatus.SUSPENDED
    reinstate_certificate(
        uow, Principal.at_shell(org), certificates["L1"], reason="cleared", signing=signing
    )
    assert blocked_corrections(uow, admin, [pending]) == {}
    new = approve_correction(uow, signing, admin, request.id)
    assert new.snapshot["values"]["recipient.name"] == "Jon Smith"


def test_a_revoked_certificate_is_declined_not_left_waiting_silently(
    uow: SqlAlchemyUnitOfWork, signing: Signing, world: World
) -> None:
    s, jon, admin, certificates = world
    request = request_name_correction(uow, jon, certificates["L1"], requested_name="Jon Smith")
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        certificates["L1"],
        reason="fraud",
        signing=signing,
    )
    with pytest.raises(Conflict, match=r"revoked.*decline the request"):
        approve_correction(uow, signing, admin, request.id)
    (pending,) = list_corrections(uow, admin, pending_only=True)
    assert blocked_corrections(uow, admin, [pending]) == {request.id: CertificateStatus.REVOKED}
    decline_correction(uow, admin, request.id, reason="The certificate was revoked")
    (outcome,) = learner_corrections(uow, jon)
    assert outcome.status is CorrectionStatus.DECLINED


def test_the_reissue_and_the_decision_happen_together_or_not_at_all(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session, world: World
) -> None:
    s, _, _, certificates = world

    def fails(_uow: SqlAlchemyUnitOfWork, _new: Certificate) -> None:
        raise Conflict("the request was decided by someone else meanwhile")

    with pytest.raises(Conflict):
        reissue_certificate(
            uow,
            signing,
            Principal.at_shell(s.organisation.id, "test"),
            certificates["L1"],
            reason="name corrected",
            name="Jon Smith",
            then=fails,
        )
    current = get_certificate(uow, s.organisation.id, certificates["L1"])
    assert current.status is CertificateStatus.ACTIVE and current.superseded_by_id is None
    assert session.scalar(select(func.count()).select_from(CertificateRow)) == 2


def test_approval_corrects_the_person_on_every_certificate_and_keeps_their_dates(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session, world: World
) -> None:
    """One decision: the learner's other certificates print the corrected name too, each
    keeps the date it was issued on, and nobody else's changes."""
    s, jon, admin, certificates = world
    org = s.organisation.id
    merit = add_achievement(
        uow,
        Principal.at_shell(org),
        batch_id=s.batch_id,
        template_version_id=s.template_version_id,
        name="Merit",
        criteria={"completed": True},
    )
    issue_achievement(uow, signing, IssueRequest(org, merit.id))
    before = {
        c.id: c
        for c in list_certificates(uow, org, learner_id=s.learners["L1"])
        if c.status is CertificateStatus.ACTIVE
    }
    assert len(before) == 2
    request = request_name_correction(uow, jon, certificates["L1"], requested_name="Jon Smith")
    approve_correction(uow, signing, admin, request.id)
    after = list_certificates(
        uow, org, learner_id=s.learners["L1"], statuses=[CertificateStatus.ACTIVE]
    )
    assert len(after) == 2
    assert {c.snapshot["values"]["recipient.name"] for c in after} == {"Jon Smith"}
    for new in after:
        assert new.supersedes_id in before
        assert new.valid_from == before[new.supersedes_id].valid_from
    others = list_certificates(uow, org, learner_id=s.learners["L2"])
    assert all(c.status is CertificateStatus.ACTIVE for c in others)
