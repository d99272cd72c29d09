"""The in-process executor's pipeline: credentials signed on a real pool of processes while
the previous chunk is written, each learner awarded once, every credential valid, no status
place shared between chunks written and chunks still signing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from certmint.domain.ids import url_id
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuers.signing import Signing
from certmint.services.verification.verify import verify_certificate
from certmint.storage.tables import CertificateRow, JobChunkRow, StatusListEntryRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


@pytest.fixture(scope="module")
def pool() -> Iterator[SigningPool]:
    signers = SigningPool(2)
    yield signers
    signers.close()


def test_chunks_sign_on_the_pool_and_are_written_once(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session, pool: SigningPool
) -> None:
    rows = [
        enrolment_row(f"L{i}", **({"status": "enrolled", "completed_on": ""} if i % 5 == 0 else {}))
        for i in range(60)
    ]
    s = scenario(uow, signing, rows)
    summary = issue_achievement(
        uow, signing, s.organisation.id, s.achievement_id, chunk_size=7, pool=pool
    )
    assert (summary.considered, summary.issued, summary.not_eligible) == (60, 48, 12)
    assert len(set(summary.certificate_ids)) == 48
    certificates = session.scalar(select(func.count()).select_from(CertificateRow))
    learners = session.scalar(select(func.count(distinct(CertificateRow.learner_id))))
    places = session.execute(
        select(StatusListEntryRow.status_list_id, StatusListEntryRow.index)
    ).all()
    assert (certificates, learners, len(places), len(set(places))) == (48, 48, 48, 48)
    chunks = session.scalars(select(JobChunkRow.status).where(JobChunkRow.job_id == summary.job_id))
    assert set(chunks) == {"done"}
    for certificate_id in summary.certificate_ids[:5]:
        result = verify_certificate(uow, signing, url_id(certificate_id))
        assert result.verdict == "valid", result.report.to_dict() if result.report else None

    again = issue_achievement(uow, signing, s.organisation.id, s.achievement_id, pool=pool)
    assert (again.issued, again.already_held) == (0, 48)
