"""Factories for test data, built through the services so tests exercise real paths."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from certmint.domain.organisations import Organisation
from certmint.services.organisations import create_organisation
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

HEADER = (
    "course_id",
    "course_name",
    "batch_id",
    "batch_name",
    "learner_id",
    "name",
    "email",
    "status",
    "completed_on",
)


def make_organisation(
    uow: SqlAlchemyUnitOfWork, name: str = "Test Academy", *, default: bool = False
) -> Organisation:
    return create_organisation(uow, name, url="https://academy.example", default=default)


def enrolment_row(learner_id: str = "L1", **values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "course_id": "C1",
        "course_name": "Data Science",
        "batch_id": "B1",
        "batch_name": "Spring",
        "learner_id": learner_id,
        "name": f"Learner {learner_id}",
        "email": f"{learner_id.lower()}@example.org",
        "status": "completed",
        "completed_on": "2026-05-01",
    }
    row.update(values)
    return row


def enrolment_csv(
    rows: Iterable[Mapping[str, object]], *, extra: Iterable[str] = (), bom: bool = False
) -> bytes:
    columns = [*HEADER, *extra]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")
