"""The QR page's answers cached per certificate (fresh while its status is unchanged), and the
verification counts kept for admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from certmint.domain.accounts import Principal
from certmint.domain.ids import url_id
from certmint.services.certificates.lifecycle import revoke_certificate
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.verification.counts import VerificationCounter, verification_counts
from certmint.services.verification.verify import VerificationCache, verify_certificate
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, make_organisation, scenario


@pytest.fixture
def issued(uow: SqlAlchemyUnitOfWork, signing: Signing) -> tuple[Scenario, list[UUID]]:
    s = scenario(uow, signing, [enrolment_row("L1"), enrolment_row("L2")], valid_for_days=30)
    summary = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    return s, list(summary.certificate_ids)


def test_cached_answer_is_reused_until_the_status_changes(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list[UUID]]
) -> None:
    s, (certificate_id, _) = issued
    cache = VerificationCache()
    first = verify_certificate(uow, signing, url_id(certificate_id), cache=cache)
    assert first.verdict == "valid"
    assert verify_certificate(uow, signing, url_id(certificate_id), cache=cache) is first
    revoke_certificate(
        uow,
        Principal.at_shell(s.organisation.id),
        certificate_id,
        reason="issued in error",
        signing=signing,
    )
    after = verify_certificate(uow, signing, url_id(certificate_id), cache=cache)
    assert after.verdict == "revoked"
    assert after.status_reason == "issued in error"
    assert after.report is not None
    assert after.report.check("status").outcome.value == "failed"  # the list followed


def test_cached_answer_expires_with_the_certificate(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list[UUID]]
) -> None:
    _, (certificate_id, _) = issued
    cache = VerificationCache()
    now = datetime.now(UTC)
    assert verify_certificate(uow, signing, url_id(certificate_id), cache=cache).verdict == "valid"
    later = now + timedelta(days=31)
    expired = verify_certificate(uow, signing, url_id(certificate_id), cache=cache, now=later)
    assert expired.verdict == "expired"


def test_cache_is_bounded_and_unknown_ids_are_not_found(
    uow: SqlAlchemyUnitOfWork, signing: Signing, issued: tuple[Scenario, list[UUID]]
) -> None:
    _, ids = issued
    cache = VerificationCache(max_entries=1)
    first = verify_certificate(uow, signing, url_id(ids[0]), cache=cache)
    verify_certificate(uow, signing, url_id(ids[1]), cache=cache)
    assert verify_certificate(uow, signing, url_id(ids[0]), cache=cache) is not first
    assert verify_certificate(uow, signing, url_id(uuid4()), cache=cache).verdict == "not_found"
    assert verify_certificate(uow, signing, "not-an-id", cache=cache).verdict == "not_found"


def test_counts_add_up_across_flushes_and_stay_in_their_organisation(
    uow: SqlAlchemyUnitOfWork, issued: tuple[Scenario, list[UUID]]
) -> None:
    s, (first, second) = issued
    counter = VerificationCounter()
    for _ in range(3):
        counter.add(first)
    counter.add(second)
    assert counter.flush(uow) == 2
    assert counter.flush(uow) == 0  # nothing new
    counter.add(first)
    counter.flush(uow)
    assert verification_counts(uow, s.organisation.id, [first, second]) == {first: 4, second: 1}
    other = make_organisation(uow, "Other Academy")
    assert verification_counts(uow, other.id, [first]) == {first: 0}
