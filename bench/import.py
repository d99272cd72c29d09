"""Enrolment import throughput: rows per second for a large LMS export.

    .venv/bin/python bench/import.py [--rows N] [--database-url URL]

Writes a CSV file of N rows (learners with scores and attributes, a handful of courses and
batches), imports it from the open file (as ``certmint import enrolments`` does) into an empty
database, then imports it again (the no-change path), and prints rows/s for both and the
process's peak memory (its largest resident set so far, generation of the file included).
Without --database-url it runs on a temporary SQLite file, and also on PostgreSQL when
CERTMINT_BENCH_POSTGRES_URL names a server (a throwaway database is created).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path
from typing import TextIO

from _postgres import throwaway_database
from certmint.domain.enrolment_import import KNOWN_COLUMNS
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.issuers.organisations import create_organisation
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import upgrade_database
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

NAMES = ("Aarav Sharma", "अनन्या कृष्णमूर्ति", "محمد عبد الله", "王小明", "Zoë Müller")


def write_csv(out: TextIO, rows: int) -> None:
    writer = csv.writer(out)
    writer.writerow([*KNOWN_COLUMNS, "score:final", "score:project", "attr:country"])
    for i in range(rows):
        course = i % 5
        completed = i % 3 != 0
        writer.writerow(
            [
                f"C{course}",
                f"Course {course}",
                f"C{course}-B{i % 4}",
                f"Batch {i % 4}",
                f"L{i:07d}",
                f"{NAMES[i % len(NAMES)]} {i}",
                f"learner{i}@example.org",
                "completed" if completed else "in_progress",
                "2026-06-30" if completed else "",
                i % 101,
                f"{i % 21}/20" if completed else "",
                ("IN", "DE", "BR")[i % 3],
            ]
        )


def run(url: str, path: Path, rows: int) -> None:
    engine = create_database_engine(url)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    org = create_organisation(SqlAlchemyUnitOfWork(factory), f"Bench {uuid.uuid4().hex[:6]}")
    backend = engine.dialect.name
    for label in ("first import", "re-import (no change)"):
        start, cpu_start = time.perf_counter(), time.process_time()
        with path.open("rb") as file:
            summary = import_enrolments(SqlAlchemyUnitOfWork(factory), org.id, file)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{backend:10} {label:22} {rows:>9,} rows  {elapsed:6.2f} s wall "
            f"{rows / elapsed:>8,.0f} rows/s  ({cpu:5.2f} s CPU in this process, "
            f"{summary.enrolments.created:,} enrolments created, peak memory {peak:,.0f} MiB, "
            f"load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "enrolments.csv"
        with path.open("w", encoding="utf-8", newline="") as out:
            write_csv(out, args.rows)
        print(
            f"CSV: {args.rows:,} rows, {path.stat().st_size / 1e6:.1f} MB; "
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if args.database_url:
            run(args.database_url, path, args.rows)
            return
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", path, args.rows)
        server = os.environ.get("CERTMINT_BENCH_POSTGRES_URL")
        if server:
            with throwaway_database(server) as url:
                run(url, path, args.rows)


if __name__ == "__main__":
    main()
