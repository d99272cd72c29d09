from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.credentials import read_status_list_credential
from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import CertificateStatus
from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import (
    get_certificate,
    list_certificates,
    reissue_certificate,
    revoke_certificate,
)
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.verification.status_lists import serve_status_list
from certmint.services.verification.verify import verify_certificate
from certmint.storage.tables import AuditEventRow, LearnerRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, make_organisation, scenario

ROWS = [enrolment_row("L1", name="Jon Smiht"), enrolment_row("L2", name="Ada Lovelace")]


@pytest.fixture
def issued(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Scenario, list]:
    s = scenario(uow, signing, ROWS, valid_for_days=30)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    certificates = [get_certificate(uow, s.organisation.id, i) for i in summary.certificate_ids]
    by_learner = {c.learner_id: c for c in certificates}
    return s, [by_learner[s.learners["L1"]], by_learner[s.learners["L2"]]]


def _bit(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    slug: str,
    credential: dict,
    purpose: str = "revocation",
) -> bool:
    """The bit of ``purpose`` for ``credential``, read from the served, signed list."""
    status = credential["credentialStatus"]
    entries = status if isinstance(status, list) else [status]
    (entry,) = [e for e in entries if e["statusPurpose"] == purpose]
    sequence = int(entry["statusListCredential"].rsplit("/", 1)[1])
    served = serve_status_list(uow, slug, purpose, sequence)
    list_purpose, bits = read_status_list_credential(served.credential)
    assert list_purpose == purpose
    return bits.get(int(entry["statusListIndex"]))


def test_revoke_sets_the_bit_and_shows_the_reason(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list], session: Session
) -> None:
    s, (first, second) = issued
    assert not _bit(uow, signing, s.organisation.slug, first.credential)
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id, "alice"),
        first.id,
        reason="Plagiarism found",
        signing=signing,
    )
    assert _bit(uow, signing, s.organisation.slug, first.credential)
    assert not _bit(uow, signing, s.organisation.slug, second.credential)

    result = verify_certificate(uow, signing, url_id(first.id))
    assert result.verdict == "revoked"
    assert result.status_reason == "Plagiarism found"
    assert result.report is not None
    assert result.report.check("status").outcome == "failed"  # the signed list says so too
    assert verify_certificate(uow, signing, url_id(second.id)).verdict == "valid"
    with pytest.raises(Conflict):
        revoke_certificate(
            uow,
            Principal.at_shell(s.organisation.id),
            first.id,
            reason="again",
            signing=signing,
        )
    event = session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "certificate.revoked")
    ).one()
    assert (event.actor, event.reason) == ("alice", "Plagiarism found")


def test_reissue_fixes_the_name_and_supersedes(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list], session: Session
) -> None:
    s, (old, _) = issued
    new = reissue_certificate(
        uow,
        signing,
        Principal.at_shell(s.organisation.id, "alice"),
        old.id,
        name="Jon Smith",
        reason="Name misspelt",
        keep_issue_date=True,
    )
    assert new.id != old.id and new.number != old.number
    assert new.supersedes_id == old.id
    assert new.snapshot["values"]["recipient.name"] == "Jon Smith"
    assert new.credential["credentialSubject"]["name"] == "Jon Smith"
    assert new.valid_from == old.valid_from  # the original issue date was kept
    assert new.credential["proof"] != old.credential["proof"]

    stale = verify_certificate(uow, signing, url_id(old.id))
    assert stale.verdict == "superseded"
    assert stale.superseded_by == url_id(new.id)
    assert stale.printed["recipient.name"] == "Jon Smiht"  # the old page shows what it printed
    fresh = verify_certificate(uow, signing, url_id(new.id))
    assert fresh.verdict == "valid"
    assert fresh.supersedes == url_id(old.id)
    learner = session.get(LearnerRow, old.learner_id)
    assert learner is not None
    session.refresh(learner)
    assert learner.name == "Jon Smith"
    with pytest.raises(Conflict):  # a superseded certificate is not re-issued again
        reissue_certificate(
            uow, signing, Principal.at_shell(s.organisation.id, "alice"), old.id, reason="x"
        )
    # Nothing deleted: both remain listed.
    assert len(list_certificates(uow, s.organisation.id, learner_id=old.learner_id)) == 2


def test_reissue_then_issuing_again_adds_nothing(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list]
) -> None:
    s, (old, _) = issued
    reissue_certificate(
        uow, signing, Principal.at_shell(s.organisation.id, "a"), old.id, reason="typo"
    )
    assert (
        issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id)).issued
        == 0
    )


def test_expired_certificate(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list]
) -> None:
    _, (first, _) = issued
    later = datetime.now(UTC) + timedelta(days=31)
    assert verify_certificate(uow, signing, url_id(first.id), now=later).verdict == "expired"


def test_reasons_are_required_and_ids_scoped(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list]
) -> None:
    s, (first, _) = issued
    with pytest.raises(InvalidInput):
        revoke_certificate(
            uow,
            Principal.at_shell(s.organisation.id),
            first.id,
            reason="  ",
            signing=signing,
        )
    other = make_organisation(uow, "Other")
    with pytest.raises(NotFound):
        revoke_certificate(uow, Principal.at_shell(other.id), first.id, reason="x", signing=signing)
    with pytest.raises(NotFound):
        reissue_certificate(uow, signing, Principal.at_shell(other.id, "a"), first.id, reason="x")


def test_unknown_reference_is_not_found(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    assert verify_certificate(uow, signing, "AAAAAAAAAAAAAAAAAAAAAA").verdict == "not_found"
    assert verify_certificate(uow, signing, "../../etc/passwd").verdict == "not_found"


def test_status_changes_ask_the_policy(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list]
) -> None:
    """Whoever calls: a learner may not revoke even their own certificate, and a manager of
    another course finds none."""
    s, (first, _) = issued
    org = s.organisation.id
    learner = Principal(org, Role.LEARNER, user_id=uuid4(), learner_id=first.learner_id)
    with pytest.raises(Forbidden):
        revoke_certificate(uow, learner, first.id, reason="x", signing=signing)
    elsewhere = Principal(org, Role.COURSE_MANAGER, frozenset({uuid4()}), user_id=uuid4())
    with pytest.raises(NotFound):
        revoke_certificate(uow, elsewhere, first.id, reason="x", signing=signing)
    assert get_certificate(uow, org, first.id).status is CertificateStatus.ACTIVE
