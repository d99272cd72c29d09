"""Suspend and reinstate next to revocation: the status lists' bits, verdicts, audit, refusals.

(``services/certificates/lifecycle.py`` is tested by this module and ``test_certificates.py``.)
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.credentials import StatusEntry, status_entry
from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.ids import url_id
from certmint.domain.status_lists import StatusPurpose
from certmint.services.certificates.lifecycle import (
    get_certificate,
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.issuance.context import achievement_context
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuance.signed_certificates import build_certificate
from certmint.services.issuers.signing import Signing
from certmint.services.verification.status_lists import allocate_indexes, sign_stale_status_lists
from certmint.services.verification.vc_api import verify_credential_api
from certmint.services.verification.verify import (
    Instance,
    document_verdict,
    verify_certificate,
    verify_file,
)
from certmint.storage.tables import AuditEventRow, StatusListEntryRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, make_organisation, scenario
from tests.services.certificates.test_certificates import _bit

BASE = "https://certs.example.org"
ROWS = [enrolment_row("L1"), enrolment_row("L2")]


@pytest.fixture
def issued(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Scenario, list[Certificate]]:
    s = scenario(uow, signing, ROWS)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    return s, [get_certificate(uow, s.organisation.id, i) for i in summary.certificate_ids]


def _bits(uow: SqlAlchemyUnitOfWork, signing: Signing, s: Scenario, c: Certificate) -> set[str]:
    """The purposes whose bit is set for ``c`` (in the lists its credential names)."""
    status = c.credential["credentialStatus"]
    return {
        entry["statusPurpose"]
        for entry in (status if isinstance(status, list) else [status])
        if _bit(uow, signing, s.organisation.slug, c.credential, entry["statusPurpose"])
    }


def _suspend(
    uow: SqlAlchemyUnitOfWork, signing: Signing, s: Scenario, c: Certificate, reason: str
) -> Certificate:
    return suspend_certificate(
        uow, Principal.at_shell(s.organisation.id, "alice"), c.id, reason=reason, signing=signing
    )


def _reinstate(
    uow: SqlAlchemyUnitOfWork, signing: Signing, s: Scenario, c: Certificate
) -> Certificate:
    return reinstate_certificate(
        uow, Principal.at_shell(s.organisation.id, "bob"), c.id, signing=signing
    )


def test_new_certificates_hold_one_revocation_entry(
    uow: SqlAlchemyUnitOfWork, issued: tuple[Scenario, list[Certificate]], session: Session
) -> None:
    s, certificates = issued
    for c in certificates:
        entry = c.credential["credentialStatus"]  # one object: OB 3.0 allows one
        assert entry["statusPurpose"] == "revocation"
        assert entry["statusListCredential"].endswith(f"/{s.organisation.slug}/status/revocation/1")
        rows = session.scalars(
            select(StatusListEntryRow).where(StatusListEntryRow.certificate_id == c.id)
        ).all()
        assert [r.index for r in rows] == [int(entry["statusListIndex"])]
        with uow:
            assert [x.purpose for x in uow.status_lists.lists_of(c.id)] == [
                StatusPurpose.REVOCATION
            ]


def test_suspend_then_reinstate(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    issued: tuple[Scenario, list[Certificate]],
    session: Session,
) -> None:
    s, (first, second) = issued
    assert _bits(uow, signing, s, first) == set()
    suspended = _suspend(uow, signing, s, first, "Under investigation")
    assert suspended.status is CertificateStatus.SUSPENDED
    # No entry to set: the server holds the suspension and every answer it gives says so.
    assert _bits(uow, signing, s, first) == set()

    result = verify_certificate(uow, signing, url_id(first.id))
    assert result.verdict == "suspended"
    assert result.status_reason == "Under investigation"
    assert result.status_changed_at == suspended.status_changed_at
    assert result.report is not None and not result.report.verified
    status = result.report.check("status")
    assert status.outcome == "failed"
    assert str(status.detail).startswith(
        f"suspended by its issuer since {suspended.status_changed_at:%Y-%m-%d}"
    )
    uploaded = verify_file(
        json.dumps(first.credential).encode(),
        loader=signing.loader,
        instance=Instance(uow, signing),
    )
    assert uploaded.report is not None and document_verdict(uploaded.report) == "suspended"
    api = verify_credential_api(uow, signing, first.credential)
    assert not api.verified and api.errors[0].startswith("status: suspended by its issuer")
    assert verify_certificate(uow, signing, url_id(second.id)).verdict == "valid"
    assert verify_credential_api(uow, signing, second.credential).verified
    with pytest.raises(Conflict):  # already suspended
        _suspend(uow, signing, s, first, "again")

    reinstated = _reinstate(uow, signing, s, first)
    assert (reinstated.status, reinstated.status_reason) == (CertificateStatus.ACTIVE, None)
    assert _bits(uow, signing, s, first) == set()
    again = verify_certificate(uow, signing, url_id(first.id))
    assert again.verdict == "valid" and again.report is not None and again.report.verified
    assert verify_credential_api(uow, signing, first.credential).verified
    with pytest.raises(Conflict):  # only a suspended certificate is reinstated
        _reinstate(uow, signing, s, first)

    events = session.scalars(
        select(AuditEventRow)
        .where(AuditEventRow.subject_id == str(first.id))
        .order_by(AuditEventRow.at)
    ).all()
    assert [(e.action, e.actor, e.reason) for e in events] == [
        ("certificate.suspended", "alice", "Under investigation"),
        ("certificate.reinstated", "bob", None),
    ]
    assert get_certificate(uow, s.organisation.id, first.id).credential == first.credential


def test_revocation_is_final(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list[Certificate]]
) -> None:
    s, (first, second) = issued
    # A suspended certificate can be revoked: its revocation bit is set.
    _suspend(uow, signing, s, first, "checking")
    revoke_certificate(
        uow, Principal.at_shell(s.organisation.id), first.id, reason="fraud", signing=signing
    )
    assert _bits(uow, signing, s, first) == {"revocation"}
    assert verify_certificate(uow, signing, url_id(first.id)).verdict == "revoked"
    with pytest.raises(Conflict, match="revocation is final"):
        _suspend(uow, signing, s, first, "x")
    with pytest.raises(Conflict, match="revocation is final"):
        _reinstate(uow, signing, s, first)
    assert get_certificate(uow, s.organisation.id, first.id).status is CertificateStatus.REVOKED
    # A superseded one is neither suspended nor reinstated.
    new = reissue_certificate(
        uow, signing, Principal.at_shell(s.organisation.id, "a"), second.id, reason="typo"
    )
    with pytest.raises(Conflict):
        _suspend(uow, signing, s, second, "x")
    assert new.credential["credentialStatus"]["statusPurpose"] == "revocation"


def test_a_suspended_certificate_is_not_reissued_until_reinstated(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list[Certificate]]
) -> None:
    s, (first, _) = issued
    _suspend(uow, signing, s, first, "checking")
    with pytest.raises(Conflict, match="reinstate"):
        reissue_certificate(
            uow, signing, Principal.at_shell(s.organisation.id, "a"), first.id, reason="typo"
        )
    # Nothing changed by the refusal, and issuing again adds nothing: it is still current.
    assert get_certificate(uow, s.organisation.id, first.id).status is CertificateStatus.SUSPENDED
    assert (
        issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id)).issued
        == 0
    )
    _reinstate(uow, signing, s, first)
    new = reissue_certificate(
        uow, signing, Principal.at_shell(s.organisation.id, "a"), first.id, reason="typo"
    )
    assert verify_certificate(uow, signing, url_id(new.id)).verdict == "valid"
    assert verify_certificate(uow, signing, url_id(first.id)).verdict == "superseded"


def test_reasons_and_tenants(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list[Certificate]]
) -> None:
    s, (first, _) = issued
    with pytest.raises(InvalidInput):
        _suspend(uow, signing, s, first, "   ")
    other = make_organisation(uow, "Other")
    with pytest.raises(NotFound):
        suspend_certificate(
            uow, Principal.at_shell(other.id), first.id, reason="x", signing=signing
        )
    _suspend(uow, signing, s, first, "checking")
    with pytest.raises(NotFound):
        reinstate_certificate(uow, Principal.at_shell(other.id), first.id, signing=signing)


def test_a_certificate_issued_with_two_status_entries_still_verifies(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    # Issued until 2026-12: the same index in a paired revocation and suspension list, both
    # still served and still following the certificate's status.
    s = scenario(uow, signing, ROWS)
    ctx = achievement_context(uow, signing, s.organisation.id, s.achievement_id)
    now = datetime.now(UTC)
    with uow:
        revocation, (index,) = allocate_indexes(
            uow, s.organisation.id, StatusPurpose.REVOCATION, 1, now
        )
        suspension = replace(revocation, id=uuid.uuid4(), purpose=StatusPurpose.SUSPENSION)
        uow.status_lists.add(suspension)
        ((enrolment, learner),) = uow.roster.enrolments_page(s.batch_id, after=None, limit=1)
        entries = [
            StatusEntry(ctx.links.status_list(ctx.organisation, purpose, 1), index, purpose)
            for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION)
        ]
        new_form = build_certificate(
            ctx,
            signing,
            learner,
            enrolment,
            number="2025-OLD00-00001",
            status=entries[0],
            issued=now,
        )
        unsigned = {k: v for k, v in new_form.credential.items() if k != "proof"}
        unsigned["credentialStatus"] = [status_entry(e) for e in entries]
        old = replace(new_form, credential=signing.sign(unsigned, ctx.key, now))
        uow.certificates.add_many([old])
        for status_list in (revocation, suspension):
            uow.status_lists.add_entries(status_list.id, [(index, old.id)])
        uow.commit()
    # Made as an older Certmint made them: unsigned until a server starts and signs them.
    assert sign_stale_status_lists(uow, signing) == 2
    assert sign_stale_status_lists(uow, signing) == 0
    assert verify_certificate(uow, signing, url_id(old.id)).verdict == "valid"
    _suspend(uow, signing, s, old, "checking")
    assert _bits(uow, signing, s, old) == {"suspension"}  # the signed list says so to anyone
    result = verify_certificate(uow, signing, url_id(old.id))
    assert result.verdict == "suspended" and result.report is not None
    status = result.report.check("status")
    assert status.outcome == "failed" and str(status.detail).startswith("suspension:")
    _reinstate(uow, signing, s, old)
    assert _bits(uow, signing, s, old) == set()
    assert verify_certificate(uow, signing, url_id(old.id)).verdict == "valid"
    revoke_certificate(
        uow, Principal.at_shell(s.organisation.id), old.id, reason="x", signing=signing
    )
    assert _bits(uow, signing, s, old) == {"revocation"}
    assert verify_certificate(uow, signing, url_id(old.id)).verdict == "revoked"
    # The organisation's next certificates get one place, in the revocation list only.
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    (new,) = [get_certificate(uow, s.organisation.id, i) for i in summary.certificate_ids]
    assert new.credential["credentialStatus"]["statusListCredential"] == entries[0].list_url
    assert new.credential["credentialStatus"]["statusListIndex"] != str(index)
