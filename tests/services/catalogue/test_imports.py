from __future__ import annotations

from pathlib import Path
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.domain.enrolment_import import parse_enrolment_csv
from certmint.services.catalogue.imports import CHUNK, import_enrolment_rows, import_enrolments
from certmint.services.errors import ImportRejected
from certmint.storage.tables import (
    AuditEventRow,
    BatchRow,
    CourseRow,
    EnrolmentRow,
    LearnerRow,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation

SCORED = ["score:final", "attr:country"]


def table_counts(session: Session) -> dict[str, int]:
    return {
        row.__tablename__: session.scalar(select(func.count()).select_from(row)) or 0
        for row in (CourseRow, BatchRow, LearnerRow, EnrolmentRow)
    }


def test_import_creates_everything_then_reimport_changes_nothing(
    uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    org = make_organisation(uow)
    rows = [
        enrolment_row("L1", **{"score:final": "80", "attr:country": "IN"}),
        enrolment_row("L3", **{"score:final": "72.5"}),
        enrolment_row("L2", batch_id="B2", batch_name="Autumn", **{"score:final": "3/4"}),
        enrolment_row(
            "L1", course_id="C2", course_name="Web", status="in_progress", completed_on=""
        ),
    ]
    data = enrolment_csv(rows, extra=SCORED)

    first = import_enrolments(uow, org.id, data)
    assert first.counts() == {
        "courses": {"created": 2, "updated": 0, "unchanged": 0},
        "batches": {"created": 3, "updated": 0, "unchanged": 0},
        "learners": {"created": 3, "updated": 0, "unchanged": 0},
        "enrolments": {"created": 4, "updated": 0, "unchanged": 0},
    }
    assert len(first.changed_enrolment_ids) == 4
    assert table_counts(session) == {
        "courses": 2,
        "batches": 3,
        "learners": 3,
        "enrolments": 4,
    }
    learner = session.scalars(select(LearnerRow).where(LearnerRow.external_id == "L1")).one()
    assert learner.attributes == {"country": "IN"}
    results = [v for e in session.scalars(select(EnrolmentRow)) for v in e.results.values()]
    assert sorted(results, key=str) == [["145/2", 100], [3, 4], [80, 100]]

    second = import_enrolments(uow, org.id, data)
    assert all(c["created"] == c["updated"] == 0 for c in second.counts().values())
    assert second.changed_enrolment_ids == ()
    assert table_counts(session)["enrolments"] == 4


def test_updates_are_detected_and_merged(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    import_enrolments(
        uow,
        org.id,
        enrolment_csv(
            [
                enrolment_row(
                    "L1",
                    status="in_progress",
                    completed_on="",
                    **{"score:final": "50", "attr:country": "IN"},
                )
            ],
            extra=SCORED,
        ),
    )

    later = enrolment_csv(
        [
            enrolment_row(
                "L1", name="Learner One", email="", **{"score:mid": "9/10", "attr:track": "evening"}
            )
        ],
        extra=["score:mid", "attr:track"],
    )
    summary = import_enrolments(uow, org.id, later)
    assert summary.counts()["learners"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert summary.counts()["enrolments"] == {"created": 0, "updated": 1, "unchanged": 0}

    learner = session.scalars(select(LearnerRow)).one()
    session.refresh(learner)
    assert learner.name == "Learner One"
    assert learner.email == "l1@example.org"  # an empty cell leaves the stored value
    assert learner.attributes == {"country": "IN", "track": "evening"}
    enrolment = session.scalars(select(EnrolmentRow)).one()
    session.refresh(enrolment)
    assert enrolment.status == "completed"
    assert enrolment.results == {"final": [50, 100], "mid": [9, 10]}


def test_dry_run_counts_but_writes_nothing(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    summary = import_enrolments(uow, org.id, enrolment_csv([enrolment_row()]), dry_run=True)
    assert summary.counts()["enrolments"]["created"] == 1
    assert table_counts(session)["enrolments"] == 0


def test_bad_file_writes_nothing(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    data = enrolment_csv([enrolment_row("L1"), enrolment_row("L2", status="nope")])
    with pytest.raises(ImportRejected) as caught:
        import_enrolments(uow, org.id, data)
    assert [p.line for p in caught.value.problems] == [3]
    assert table_counts(session)["learners"] == 0


def test_new_course_or_batch_needs_a_name(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    data = enrolment_csv(
        [enrolment_row("L1", course_name=""), enrolment_row("L2", course_id="C9", batch_name="")]
    )
    with pytest.raises(ImportRejected) as caught:
        import_enrolments(uow, org.id, data)
    assert [str(p) for p in caught.value.problems] == [
        "line 2: course 'C1' is new: course_name is required",
        "line 3: batch 'B1' is new: batch_name is required",
    ]
    assert table_counts(session)["courses"] == 0


def test_known_course_may_omit_its_name(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    summary = import_enrolments(
        uow, org.id, enrolment_csv([enrolment_row("L2", course_name="", batch_name="")])
    )
    assert summary.counts()["courses"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_organisations_do_not_share_learners(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    first = make_organisation(uow, "First")
    second = make_organisation(uow, "Second")
    data = enrolment_csv([enrolment_row("L1")])
    import_enrolments(uow, first.id, data)
    summary = import_enrolments(uow, second.id, data)
    assert summary.counts()["learners"]["created"] == 1
    assert table_counts(session)["learners"] == 2


def test_import_is_audited(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    import_enrolments(
        uow, org.id, enrolment_csv([enrolment_row()]), actor="alice", source="export.csv"
    )
    event = session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "enrolments.imported")
    ).one()
    assert event.actor == "alice"
    assert event.details["source"] == "export.csv"
    assert event.details["enrolments"]["created"] == 1


def test_json_rows_import_like_the_csv(uow: SqlAlchemyUnitOfWork, session: Session) -> None:
    org = make_organisation(uow)
    rows = [{k: str(v) for k, v in enrolment_row(f"L{i}").items()} for i in range(3)]
    summary = import_enrolment_rows(uow, org.id, rows, actor="api")
    assert summary.counts()["enrolments"] == {"created": 3, "updated": 0, "unchanged": 0}
    again = import_enrolment_rows(uow, org.id, rows, actor="api")
    assert again.counts()["enrolments"] == {"created": 0, "updated": 0, "unchanged": 3}
    new_course = {**rows[0], "learner_id": "NEW", "course_id": "C9"}
    del new_course["course_name"]
    rows.append(new_course)
    with pytest.raises(ImportRejected) as rejected:
        import_enrolment_rows(uow, org.id, rows)
    assert [str(p) for p in rejected.value.problems] == [
        "row 4: course 'C9' is new: course_name is required"
    ]


def test_a_course_scope_keeps_an_import_inside_it(
    uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    org = make_organisation(uow)
    import_enrolments(
        uow,
        org.id,
        enrolment_csv([enrolment_row("L1"), enrolment_row("L2", course_id="C2", batch_id="X")]),
    )
    c1, c2 = session.scalars(select(CourseRow.id).order_by(CourseRow.external_id)).all()
    mine = enrolment_csv([enrolment_row("L3")])
    assert (
        import_enrolments(uow, org.id, mine, principal=_manager(org.id, c1)).enrolments.created == 1
    )
    with pytest.raises(ImportRejected) as rejected:
        import_enrolments(uow, org.id, mine, principal=_manager(org.id, c2))
    assert [str(p) for p in rejected.value.problems] == [
        "line 2: course 'C1' is not one of your courses"
    ]
    new_course = enrolment_csv([enrolment_row("L3", course_id="C7", course_name="Mine")])
    with pytest.raises(ImportRejected):
        import_enrolments(uow, org.id, new_course, principal=_manager(org.id, c1, c2))
    with pytest.raises(ImportRejected):
        import_enrolments(uow, org.id, mine, principal=_manager(org.id))


def _manager(organisation_id: UUID, *course_ids: UUID) -> Principal:
    return Principal(organisation_id, Role.COURSE_MANAGER, frozenset(course_ids), user_id=uuid4())


CONFLICTING = [
    [enrolment_row("L1", name="Ann Lee"), enrolment_row("L1", name="Anne Lee", batch_id="B2")],
    [
        enrolment_row("L1"),
        enrolment_row("L2", course_name="Data Science II"),
        enrolment_row("L1", status="in_progress", completed_on=""),
        enrolment_row("L2", batch_name="Autumn", email="other@example.org", **{"attr:a": "x"}),
        enrolment_row("L2", batch_id="B2", batch_name="B", **{"attr:a": "y", "score:q": "1"}),
        enrolment_row("L2", batch_id="B2", **{"score:q": "2", "attr:a": ""}),
    ],
    [enrolment_row(**{"score:q": "80.5"}), enrolment_row(**{"score:q": "3/4"}), enrolment_row()],
]


@pytest.mark.parametrize("rows", CONFLICTING)
def test_rows_that_disagree_are_reported_as_the_parser_reports_them(
    uow: SqlAlchemyUnitOfWork, session: Session, rows: list[dict[str, object]]
) -> None:
    """Rows naming one learner or enrolment are compared by the database's staging tables,
    rows naming one course or batch while reading: together, exactly the whole-file check."""
    org = make_organisation(uow)
    data = enrolment_csv(rows, extra=["score:q", "attr:a"])
    with pytest.raises(ImportRejected) as rejected:
        import_enrolments(uow, org.id, data)
    expected = [str(p) for p in parse_enrolment_csv(data).problems]
    assert expected
    assert [str(p) for p in rejected.value.problems] == expected
    assert table_counts(session)["learners"] == 0


def test_rows_naming_one_learner_or_enrolment_say_it_together(
    uow: SqlAlchemyUnitOfWork, session: Session
) -> None:
    org = make_organisation(uow)
    rows = [
        enrolment_row("L1", email="", **{"attr:country": "IN", "score:final": "80"}),
        enrolment_row("L1", batch_id="B2", batch_name="Autumn", **{"attr:city": "Pune"}),
        enrolment_row("L1", completed_on="", **{"score:lab": "17/20"}),
        enrolment_row("L2"),
    ]
    columns = ["score:final", "score:lab", "attr:country", "attr:city"]
    summary = import_enrolments(uow, org.id, enrolment_csv(rows, extra=columns))
    assert summary.counts()["learners"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert summary.counts()["enrolments"] == {"created": 3, "updated": 0, "unchanged": 0}

    learner = session.scalars(select(LearnerRow).where(LearnerRow.external_id == "L1")).one()
    assert learner.email == "l1@example.org"
    assert learner.attributes == {"country": "IN", "city": "Pune"}
    first = session.scalars(
        select(EnrolmentRow).join(BatchRow).where(BatchRow.external_id == "B1")
    ).all()
    results = {e.learner_id: e for e in first}[learner.id]
    assert results.results == {"final": [80, 100], "lab": [17, 20]}
    assert str(results.completed_on) == "2026-05-01"


def test_a_large_file_is_read_in_chunks_from_the_stream(
    uow: SqlAlchemyUnitOfWork, session: Session, tmp_path: Path
) -> None:
    org = make_organisation(uow)
    path = tmp_path / "export.csv"
    rows = [enrolment_row(f"L{i:05}", batch_id=f"B{i % 3}") for i in range(2 * CHUNK + 5)]
    path.write_bytes(enrolment_csv(rows))
    read: list[int] = []
    with path.open("rb") as stream:
        summary = import_enrolments(uow, org.id, stream, progress=read.append)
    assert summary.rows == len(rows)
    assert summary.counts()["enrolments"]["created"] == len(rows)
    assert len(summary.changed_enrolment_ids) == len(set(summary.changed_enrolment_ids))
    assert len(read) == 3 and read == sorted(read) and read[-1] == path.stat().st_size
    assert table_counts(session) == {
        "courses": 1,
        "batches": 3,
        "learners": len(rows),
        "enrolments": len(rows),
    }
    with path.open("rb") as stream:
        again = import_enrolments(uow, org.id, stream)
    assert again.counts()["learners"] == {"created": 0, "updated": 0, "unchanged": len(rows)}
    assert again.changed_enrolment_ids == ()
