from __future__ import annotations

from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import (
    list_batches,
    list_courses,
    list_enrolments,
    list_learners,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation


def test_listings_page_by_key(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    rows = [enrolment_row(f"L{i}", course_id=f"C{i % 2}", batch_id=f"B{i % 2}") for i in range(5)]
    import_enrolments(uow, org.id, enrolment_csv(rows))
    learners = list_learners(uow, org.id, course_ids=None, after=None, limit=10)
    assert len(learners) == 5
    assert [lr.id for lr in learners] == sorted(lr.id for lr in learners)
    after_two = list_learners(uow, org.id, course_ids=None, after=learners[1].id, limit=10)
    assert after_two == learners[2:]
    courses = list_courses(uow, org.id, course_ids=None, after=None, limit=10)
    assert {c.external_id for c in courses} == {"C0", "C1"}
    c0 = next(c for c in courses if c.external_id == "C0")
    only = list_courses(uow, org.id, course_ids={c0.id}, after=None, limit=10)
    assert only == [c0]
    in_c0 = list_learners(uow, org.id, course_ids={c0.id}, after=None, limit=10)
    assert {lr.external_id for lr in in_c0} == {"L0", "L2", "L4"}
    assert list_learners(uow, org.id, course_ids=set(), after=None, limit=10) == []
    (batch,) = list_batches(uow, c0.id, after=None, limit=10)
    enrolled = list_enrolments(uow, batch.id, after=None, limit=2)
    rest = list_enrolments(uow, batch.id, after=enrolled[-1][0].id, limit=2)
    assert sorted(lr.external_id for _, lr in enrolled + rest) == ["L0", "L2", "L4"]
