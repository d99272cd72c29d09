from __future__ import annotations

from uuid import uuid4

from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import CertificateStatus
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.dashboard import dashboard
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


def test_counts_per_batch_and_jobs_within_the_course_scope(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(
        uow,
        signing,
        [
            enrolment_row("L1"),
            enrolment_row("L2"),
            enrolment_row("L3", status="enrolled", completed_on=""),
        ],
    )
    org = s.organisation.id
    issue_achievement(uow, signing, IssueRequest(org, s.achievement_id, actor="t"))

    board = dashboard(uow, Principal(org, Role.ADMIN))
    (row,) = board.batches
    assert (row.course.name, row.batch.name, row.learners) == ("Data Science", "Spring", 3)
    assert row.certificates == {CertificateStatus.ACTIVE: 2} and row.current == 2
    assert board.total(CertificateStatus.ACTIVE) == 2
    (job,) = board.jobs
    assert job.achievement == "Completion · Data Science, Spring"
    assert job.percent == 100

    course_id = row.course.id
    manager = Principal(org, Role.COURSE_MANAGER, course_ids=frozenset({course_id}))
    assert [b.batch.name for b in dashboard(uow, manager).batches] == ["Spring"]
    outsider = Principal(org, Role.COURSE_MANAGER, course_ids=frozenset({uuid4()}))
    empty = dashboard(uow, outsider)
    assert empty.batches == [] and empty.jobs == []
    assert dashboard(uow, Principal(uuid4(), Role.ADMIN)).batches == []
