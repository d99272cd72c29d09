from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.domain.jobs import JobStatus
from certmint.services.errors import NotFound
from certmint.services.issuance.chunks import run_issue_chunk
from certmint.services.issuance.in_process import InProcessExecutor
from certmint.services.issuance.issue_now import issue_status, progress_chunk, start_issue
from certmint.services.issuance.on_broker import BrokerExecutor
from certmint.services.issuance.planning import load_issue_job
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


def test_progress_chunks() -> None:
    assert progress_chunk(0) == 25
    assert progress_chunk(2_400) == 120
    assert progress_chunk(1_000_000) == 1_000


def test_the_job_exists_before_it_runs_and_reports_progress(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    rows = [
        enrolment_row(f"L{i}", **({"status": "enrolled", "completed_on": ""} if i < 15 else {}))
        for i in range(60)
    ]
    s = scenario(uow, signing, rows)
    admin = Principal(s.organisation.id, Role.ADMIN)
    queued: list[Callable[[], None]] = []
    announced: list[None] = []
    executor = InProcessExecutor(
        lambda: uow, run=queued.append, announce=lambda: announced.append(None)
    )
    job_id = start_issue(uow, signing, executor, admin, s.achievement_id)
    before = issue_status(uow, admin, job_id)
    assert before.job.status is JobStatus.RUNNING and before.percent == 0
    assert before.to_dict()["finished"] is False
    assert before.label == "Completion · Data Science, Spring"
    (work,) = queued
    assert announced == []
    work()  # what the runner's thread does
    # once for each of the chunks (of progress_chunk(60) == 25) that issued, after its commit
    assert len(announced) == 3
    after = issue_status(uow, admin, job_id)
    assert after.to_dict() == {
        "status": "succeeded",
        "done": 60,
        "total": 60,
        "percent": 100,
        "finished": True,
        "error": False,
        "issued": 45,
        "already_held": 0,
        "not_eligible": 15,
        "not_reached": 0,
    }
    outsider = Principal(s.organisation.id, Role.COURSE_MANAGER, course_ids=frozenset({uuid4()}))
    with pytest.raises(NotFound):
        issue_status(uow, outsider, job_id)
    with pytest.raises(NotFound):
        start_issue(uow, signing, executor, outsider, s.achievement_id)
    with pytest.raises(NotFound):
        issue_status(uow, Principal(uuid4(), Role.ADMIN), job_id)


def test_runs_in_a_thread(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = scenario(uow, signing, [enrolment_row("L1")])
    admin = Principal(s.organisation.id, Role.ADMIN)
    threads: list[threading.Thread] = []

    def run(work: Callable[[], None]) -> None:
        threads.append(threading.Thread(target=work))
        threads[-1].start()

    job_id = start_issue(
        uow, signing, InProcessExecutor(lambda: uow, run=run), admin, s.achievement_id
    )
    threads[0].join(30)
    assert issue_status(uow, admin, job_id).finished


def test_with_a_broker_the_chunks_are_queued_not_run(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(uow, signing, [enrolment_row(f"L{i}") for i in range(60)])
    admin = Principal(s.organisation.id, Role.ADMIN)
    queued: list[tuple[UUID, UUID, list[UUID]]] = []

    def queue(organisation_id: UUID, job_id: UUID, chunk_ids: Sequence[UUID]) -> None:
        queued.append((organisation_id, job_id, list(chunk_ids)))

    executor = BrokerExecutor(lambda: uow, queue)
    job_id = start_issue(uow, signing, executor, admin, s.achievement_id)
    ((organisation_id, queued_job_id, chunk_ids),) = queued
    assert (organisation_id, queued_job_id) == (s.organisation.id, job_id)
    assert len(chunk_ids) == 3  # 60 learners in chunks of progress_chunk(60) == 25
    # What a worker does with each task:
    work = load_issue_job(uow, signing, s.organisation.id, job_id)
    for chunk_id in chunk_ids:
        assert run_issue_chunk(uow, work, chunk_id, "worker", timedelta(seconds=60)) is None
    assert issue_status(uow, admin, job_id).to_dict()["done"] == 60
    assert issue_status(uow, admin, job_id).finished
    # Again: the job is finished, so a new one is planned and queued, with nothing left to do.
    again_id = start_issue(uow, signing, executor, admin, s.achievement_id)
    assert again_id != job_id and len(queued) == 2
