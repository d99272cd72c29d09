from __future__ import annotations

import jsonschema
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from certmint.credentials import ob3_json_schema
from certmint.domain.criteria import describe, parse_criteria
from certmint.domain.ids import url_id
from certmint.services.catalogue.achievements import dry_run
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.certificates.lifecycle import list_certificates
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.issuance.in_process import InProcessExecutor, issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuance.requests import request_automatic_issuance
from certmint.services.issuers.signing import Signing
from certmint.services.verification.verify import verify_certificate
from certmint.storage.tables import AchievementRow, CertificateRow, JobRow, StatusListEntryRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation, scenario

MERIT = {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 80}}]}
ROWS = [
    enrolment_row("L1", name="Aarav Sharma", **{"score:final": "92"}),
    enrolment_row("L2", name="अनन्या कृष्णमूर्ति", **{"score:final": "80"}),
    enrolment_row("L3", name="محمد عبد الله", **{"score:final": "54"}),
    enrolment_row(
        "L4", name="王小明", status="in_progress", completed_on="", **{"score:final": "95"}
    ),
    enrolment_row("L5", name="Zoë Müller", email="", **{"score:final": "3/4"}),
]


def count(session: Session, row: type) -> int:
    return session.scalar(select(func.count()).select_from(row)) or 0


def test_eligible_learners_get_exactly_one_certificate(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    s = scenario(uow, signing, ROWS, criteria=MERIT, extra=["score:final"], name="Merit")
    summary = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=2)
    )
    assert (summary.considered, summary.issued, summary.not_eligible) == (5, 2, 3)
    holders = {c.learner_id for c in list_certificates(uow, s.organisation.id, batch_id=s.batch_id)}
    assert holders == {s.learners["L1"], s.learners["L2"]}

    again = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    assert (again.issued, again.already_held) == (0, 2)
    assert count(session, CertificateRow) == 2
    job = session.scalars(select(JobRow).where(JobRow.id == again.job_id)).one()
    assert (job.status, job.done, job.total) == ("succeeded", 5, 5)


def test_dry_run_explains_every_learner(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = scenario(uow, signing, ROWS, criteria=MERIT, extra=["score:final"])
    rows = {
        r.learner.external_id: r for r in dry_run(uow, s.organisation.id, s.achievement_id, page=2)
    }
    assert rows["L1"].decision.awarded
    reasons = {learner: list(map(str, row.decision.reasons)) for learner, row in rows.items()}
    assert reasons["L3"] == ["score 54 < 80 in final"]
    assert reasons["L4"] == ["not completed (in_progress)"]
    assert reasons["L5"] == ["score 75 < 80 in final"]
    assert not any(r.already_issued for r in rows.values())


def test_manual_award_overrides_criteria_once(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    s = scenario(uow, signing, ROWS, criteria=MERIT, extra=["score:final"])
    summary = issue_achievement(
        uow,
        signing,
        IssueRequest(
            s.organisation.id,
            s.achievement_id,
            learner_ids=[s.learners["L3"]],
            manual=True,
            reason="appeal upheld",
            actor="alice",
        ),
    )
    assert summary.issued == 1
    again = issue_achievement(
        uow,
        signing,
        IssueRequest(
            s.organisation.id,
            s.achievement_id,
            learner_ids=[s.learners["L3"]],
            manual=True,
            reason="clicked twice",
        ),
    )
    assert again.issued == 0
    assert count(session, CertificateRow) == 1


def test_credentials_are_ob3_schema_valid_and_verify(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(uow, signing, ROWS, criteria=MERIT, extra=["score:final"], valid_for_days=365)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    validator = jsonschema.Draft201909Validator(ob3_json_schema())
    for certificate_id in summary.certificate_ids:
        result = verify_certificate(uow, signing, url_id(certificate_id))
        assert result.verdict == "valid", result.report.to_dict() if result.report else None
        credential = result.credential
        assert credential is not None
        # stored as issued, keys in the builder's order (PostgreSQL's jsonb would sort them)
        assert list(credential)[:3] == ["@context", "id", "type"]
        assert list(credential)[-1] == "proof"
        # valid against 1EdTech's schema as published: one credentialStatus, the revocation
        # entry (suspension is held by the server, see docs/credentials.md)
        validator.validate(credential)
        assert credential["credentialStatus"]["statusPurpose"] == "revocation"
        subject = credential["credentialSubject"]
        assert subject["achievement"]["criteria"]["narrative"] == describe(parse_criteria(MERIT))
        assert subject["result"][0]["value"] in ("92", "80")
        assert "validUntil" in credential
        assert result.printed["recipient.name"] == subject["name"]
        assert "@" not in str(result.to_dict())  # no e-mail address anywhere on the page


def test_learner_without_email_is_identified_by_lms_id(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(uow, signing, ROWS)
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    (certificate,) = list_certificates(uow, s.organisation.id, learner_id=s.learners["L5"])
    (identifier,) = certificate.credential["credentialSubject"]["identifier"]
    assert identifier["identityHash"] == "L5"
    assert identifier["hashed"] is False


def test_status_indexes_and_numbers_are_unique(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    rows = [enrolment_row(f"L{i}") for i in range(60)]
    s = scenario(uow, signing, rows)
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=7))
    places = session.execute(
        select(StatusListEntryRow.status_list_id, StatusListEntryRow.index)
    ).all()
    by_list: dict[object, list[int]] = {}
    for status_list_id, index in places:
        by_list.setdefault(status_list_id, []).append(index)
    (revocation,) = by_list.values()  # one place each, in the revocation list
    assert len(revocation) == len(set(revocation)) == 60
    indexes = set(revocation)
    numbers = session.scalars(select(CertificateRow.number)).all()
    assert len(numbers) == len(set(numbers)) == 60
    assert sorted(indexes) != list(range(min(indexes), min(indexes) + 60))  # random, not sequential
    for certificate in session.scalars(select(CertificateRow)):
        assert int(certificate.credential["credentialStatus"]["statusListIndex"]) in indexes


def test_another_organisation_cannot_issue_it(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = scenario(uow, signing, ROWS)
    stranger = make_organisation(uow, "Stranger")
    with pytest.raises(NotFound):
        issue_achievement(uow, signing, IssueRequest(stranger.id, s.achievement_id))


def test_automatic_issuance_follows_enrolment_changes(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    rows = [enrolment_row("L1", status="in_progress", completed_on=""), enrolment_row("L2")]
    s = scenario(uow, signing, rows)
    with uow:  # make the scenario's achievement an auto-issue one
        uow.session.execute(
            update(AchievementRow)
            .where(AchievementRow.id == s.achievement_id)
            .values(auto_issue=True)
        )
        uow.commit()
    executor = InProcessExecutor(lambda: uow, run=lambda work: work())
    changed = import_enrolments(uow, s.organisation.id, enrolment_csv([enrolment_row("L1")]))
    (running,) = request_automatic_issuance(
        uow, signing, executor, s.organisation.id, changed.changed_enrolment_ids
    )
    summary = running.wait()
    assert (summary.considered, summary.issued) == (1, 1)  # only the learner who changed
    holders = {c.learner_id for c in list_certificates(uow, s.organisation.id)}
    assert holders == {s.learners["L1"]}  # L2 qualifies too, but nothing about L2 changed

    unchanged = import_enrolments(uow, s.organisation.id, enrolment_csv([enrolment_row("L1")]))
    assert not request_automatic_issuance(
        uow, signing, executor, s.organisation.id, unchanged.changed_enrolment_ids
    )


def test_manual_award_needs_learners(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = scenario(uow, signing, ROWS)
    with pytest.raises(InvalidInput):
        issue_achievement(
            uow, signing, IssueRequest(s.organisation.id, s.achievement_id, manual=True)
        )
