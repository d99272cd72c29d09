"""Suspending an organisation stops its running issuance job at the next chunk, whichever
executor runs it: nothing more is written, the job is cancelled and says why, reinstating the
organisation does not resume it, and issuing again awards the rest exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.services.issuance.chunks import run_issue_chunk
from certmint.services.issuance.in_process import issue_achievement, run_job
from certmint.services.issuance.issue_now import issue_status
from certmint.services.issuance.jobs import SUSPENDED, JobCancelled, open_chunk_ids
from certmint.services.issuance.parallel_signing import SigningPool
from certmint.services.issuance.planning import IssueRequest, plan_issue
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.services.issuers.signing import Signing
from certmint.storage.tables import CertificateRow, JobChunkRow, JobRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, scenario

OPERATOR = Principal(uuid4(), Role.ADMIN, user_id=uuid4(), operator=True)
LEARNERS = 10
CHUNK = 2  # five chunks


@pytest.fixture(scope="module")
def pool() -> Iterator[SigningPool]:
    signers = SigningPool(2)
    yield signers
    signers.close()


def suspend(uow: SqlAlchemyUnitOfWork, s: Scenario, suspended: bool = True) -> None:
    change_organisation(
        uow, OPERATOR, s.organisation.slug, OrganisationChanges(suspended=suspended)
    )


def certificates(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CertificateRow)) or 0


def assert_cancelled_after_first_chunk(session: Session, job_id: object) -> None:
    """One chunk written before the suspension, none after it; the job cancelled, saying why."""
    assert certificates(session) == CHUNK
    chunks = session.scalars(select(JobChunkRow.status).where(JobChunkRow.job_id == job_id)).all()
    assert chunks.count("done") == 1 and len(chunks) == LEARNERS // CHUNK + 1
    job = session.scalars(select(JobRow).where(JobRow.id == job_id)).one()
    assert (job.status, job.error, job.done) == ("cancelled", SUSPENDED, CHUNK)


def issue_the_rest_once(
    uow: SqlAlchemyUnitOfWork, signing: Signing, s: Scenario, session: Session
) -> None:
    again = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    assert (again.issued, again.already_held) == (LEARNERS - CHUNK, CHUNK)
    learners = session.scalar(select(func.count(distinct(CertificateRow.learner_id))))
    assert (certificates(session), learners) == (LEARNERS, LEARNERS)


@pytest.mark.parametrize("pipelined", [False, True], ids=["serial", "pipelined"])
def test_suspension_cancels_the_in_process_job_at_its_next_chunk(
    uow: SqlAlchemyUnitOfWork,
    signing: Signing,
    session: Session,
    pipelined: bool,
    request: pytest.FixtureRequest,
) -> None:
    s = scenario(uow, signing, [enrolment_row(f"L{i}") for i in range(LEARNERS)])
    job = plan_issue(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=CHUNK)
    )
    pool = request.getfixturevalue("pool") if pipelined else None
    suspended_at: list[int] = []

    def progress(done: int, total: int) -> None:
        if done and not suspended_at:  # the first chunk is written: suspend before the next
            suspend(uow, s)
            suspended_at.append(certificates(session))

    with pytest.raises(JobCancelled, match="the organisation was suspended"):
        run_job(uow, job, progress=progress, pool=pool)  # the in-process executor's body
    assert suspended_at == [CHUNK]
    assert_cancelled_after_first_chunk(session, job.job_id)

    shown = issue_status(uow, Principal.at_shell(s.organisation.id, "t"), job.job_id)
    assert shown.finished and shown.not_reached == LEARNERS - CHUNK
    assert shown.to_dict()["status"] == "cancelled"

    suspend(uow, s, suspended=False)
    assert_cancelled_after_first_chunk(session, job.job_id)  # reinstating does not resume it
    issue_the_rest_once(uow, signing, s, session)


def test_suspension_stops_the_broker_tasks_of_the_job(
    uow: SqlAlchemyUnitOfWork, signing: Signing, session: Session
) -> None:
    """The workers' task body (``run_issue_chunk``) meets the same check: the task after the
    suspension writes nothing, and a task left in the queue still writes nothing once the
    organisation is reinstated."""
    s = scenario(uow, signing, [enrolment_row(f"L{i}") for i in range(LEARNERS)])
    job = plan_issue(
        uow, signing, IssueRequest(s.organisation.id, s.achievement_id, chunk_size=CHUNK)
    )
    first, second, *left = open_chunk_ids(uow, job.job_id)
    lease = timedelta(seconds=60)
    assert run_issue_chunk(uow, job, first, "worker-1", lease) is None
    suspend(uow, s)
    with pytest.raises(JobCancelled):
        run_issue_chunk(uow, job, second, "worker-2", lease)
    assert_cancelled_after_first_chunk(session, job.job_id)

    suspend(uow, s, suspended=False)
    with pytest.raises(JobCancelled):
        run_issue_chunk(uow, job, left[0], "worker-1", lease)
    assert_cancelled_after_first_chunk(session, job.job_id)
    issue_the_rest_once(uow, signing, s, session)
