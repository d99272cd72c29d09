"""The criteria builder's answer time: one batch's survey (what it holds, who qualifies, a
sample each way) as the page computes it on every change.

    .venv/bin/python bench/criteria_builder.py [--learners N] [--database-url URL]

Imports one batch of N learners (two scores and an attribute each), then times
``survey_batch`` with Merit-like criteria (completed, final >= 60, project average >= 50),
best of five. Without --database-url it runs on a temporary SQLite file, and also on PostgreSQL
when CERTMINT_BENCH_POSTGRES_URL names a server (a throwaway database is created).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import time
import uuid
from pathlib import Path

from _postgres import throwaway_database
from certmint.domain.accounts import Principal, Role
from certmint.domain.criteria import parse_criteria
from certmint.domain.enrolment_import import KNOWN_COLUMNS
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.issuers.organisations import create_organisation
from certmint.services.read_models.criteria_builder import SURVEY_LIMIT, survey_batch
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import upgrade_database
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

MERIT = {
    "all": [
        {"completed": True},
        {"score": {"assessment": "final", ">=": 60}},
        {"score": {"over": "average", ">=": 50}},
    ]
}


def make_csv(learners: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*KNOWN_COLUMNS, "score:final", "score:project", "attr:country"])
    for i in range(learners):
        completed = i % 3 != 0
        who = ["C1", "Course", "B1", "Batch", f"L{i:07d}", f"Learner {i}", f"l{i}@example.org"]
        status = ["completed", "2026-06-30"] if completed else ["in_progress", ""]
        writer.writerow([*who, *status, i % 101, f"{i % 21}/20", ("IN", "DE", "BR")[i % 3]])
    return out.getvalue().encode()


def run(url: str, data: bytes, learners: int) -> None:
    engine = create_database_engine(url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    org = create_organisation(SqlAlchemyUnitOfWork(factory), f"Bench {uuid.uuid4().hex[:6]}")
    import_enrolments(SqlAlchemyUnitOfWork(factory), org.id, data)
    _, batch = resolve_batch(SqlAlchemyUnitOfWork(factory), org.id, "B1")
    admin = Principal(org.id, Role.ADMIN)
    criterion = parse_criteria(MERIT)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        found = survey_batch(SqlAlchemyUnitOfWork(factory), admin, batch.id, criterion)
        times.append(time.perf_counter() - start)
    print(
        f"{engine.dialect.name:10} {learners:>9,} learners  read {found.survey.learners:,}  "
        f"{min(times) * 1000:7.0f} ms (best of 5)  {found.survey.qualify:,} qualify"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=SURVEY_LIMIT)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    data = make_csv(args.learners)
    print(f"machine: {os.cpu_count()} cores")
    if args.database_url:
        run(args.database_url, data, args.learners)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", data, args.learners)
    server = os.environ.get("CERTMINT_BENCH_POSTGRES_URL")
    if server:
        with throwaway_database(server) as url:
            run(url, data, args.learners)


if __name__ == "__main__":
    main()
