from __future__ import annotations

from uuid import uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import CertificateStatus
from certmint.services.certificates.lifecycle import revoke_certificate
from certmint.services.errors import NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.certificate_search import (
    authorised_certificate,
    certificate_detail,
    search_certificates,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


def test_search_filters_pages_and_scope(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    rows = [enrolment_row(f"L{i}", name=f"Learner {i:02}") for i in range(12)]
    rows[3]["name"] = "Zoë 100%_done"
    s = scenario(uow, signing, rows)
    org = s.organisation.id
    issue_achievement(uow, signing, IssueRequest(org, s.achievement_id, actor="t"))
    admin = Principal(org, Role.ADMIN)

    everything = search_certificates(uow, admin, per_page=5)
    assert (everything.total, everything.pages, len(everything.certificates)) == (12, 3, 5)
    last = search_certificates(uow, admin, per_page=5, page=3)
    assert len(last.certificates) == 2
    seen = {
        c.id
        for p in (1, 2, 3)
        for c in search_certificates(uow, admin, per_page=5, page=p).certificates
    }
    assert len(seen) == 12

    # % and _ are matched literally, in any case
    assert search_certificates(uow, admin, text="100%_").total == 1
    assert search_certificates(uow, admin, text="zoë").total == 1  # ASCII letters in any case
    assert search_certificates(uow, admin, text="l7@EXAMPLE.org").total == 1
    number = everything.certificates[0].number
    assert [c.number for c in search_certificates(uow, admin, text=number).certificates] == [number]

    target = everything.certificates[0]
    revoke_certificate(uow, Principal.at_shell(org), target.id, reason="test", signing=signing)
    revoked = search_certificates(uow, admin, status=CertificateStatus.REVOKED)
    assert [c.id for c in revoked.certificates] == [target.id]
    assert search_certificates(uow, admin, batch_id=s.batch_id).total == 12
    assert search_certificates(uow, admin, achievement_id=uuid4()).total == 0
    assert everything.label(target) == "Completion · Data Science, Spring"

    detail = certificate_detail(uow, admin, target.id)
    assert detail.achievement.name == "Completion" and detail.batch.name == "Spring"
    assert [e.action for e in detail.events] == ["certificate.revoked"]

    outsider = Principal(org, Role.COURSE_MANAGER, course_ids=frozenset({uuid4()}))
    assert search_certificates(uow, outsider).total == 0
    for call in (certificate_detail, authorised_certificate):
        with pytest.raises(NotFound):
            call(uow, outsider, target.id)
        with pytest.raises(NotFound):
            call(uow, Principal(uuid4(), Role.ADMIN), target.id)
