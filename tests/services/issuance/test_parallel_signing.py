"""The in-process executor's pipeline: credentials signed on a real pool of processes while
the previous chunk is written, each learner awarded once, every credential valid, no status
place shared between chunks written and chunks still signing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from certmint.domain.ids import url_id
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuance.planning import IssueRequest
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
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=7), pool=pool
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

    again = issue_achievement(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id), pool=pool
    )
    assert (again.issued, again.already_held) == (0, 48)


KILLED_OWNER = """
import os, signal
from datetime import UTC, datetime
from certmint.credentials import Ed25519KeyPair
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuers.keys import IssuerKey

if __name__ == "__main__":
    pool = SigningPool(2)
    key = IssuerKey("did:key:x", "did:key:x#x", Ed25519KeyPair.generate())
    document = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}
    pool.sign([document] * 8, key, datetime.now(UTC))()
    print(*pool._executor()._processes, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_pool_ends_with_a_killed_owner(tmp_path: Path) -> None:
    """A SIGKILLed issuer leaves no signing process behind (they would wait for work for ever)."""
    script = tmp_path / "owner.py"
    script.write_text(KILLED_OWNER)
    owner = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert owner.returncode == -signal.SIGKILL, owner.stderr
    pids = [int(pid) for pid in owner.stdout.split()]
    assert pids
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in pids):
        assert time.monotonic() < deadline, "a signing process outlived its owner"
        time.sleep(0.1)
