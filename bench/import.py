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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, event

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


def server_cpu(engine: Engine) -> Callable[[], float]:
    """CPU seconds used so far by the PostgreSQL server processes serving this engine's
    connections (read from /proc: the server must run on this machine), else nothing."""
    pids: set[int] = set()
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _remember(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.add(cursor.fetchone()[0])

    def used() -> float:
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    return used


def run(url: str, path: Path, rows: int) -> None:
    engine = create_database_engine(url)
    server = server_cpu(engine)
    upgrade_database(engine)
    factory = create_session_factory(engine)
    org = create_organisation(SqlAlchemyUnitOfWork(factory), f"Bench {uuid.uuid4().hex[:6]}")
    backend = engine.dialect.name
    for label in ("first import", "re-import (no change)"):
        start, cpu_start, server_start = time.perf_counter(), time.process_time(), server()
        with path.open("rb") as file:
            summary = import_enrolments(SqlAlchemyUnitOfWork(factory), org.id, file)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        server_used = server() - server_start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{backend:10} {label:22} {rows:>9,} rows  {elapsed:6.2f} s wall "
            f"{rows / elapsed:>8,.0f} rows/s  ({cpu:5.2f} s CPU in this process"
            f"{f', {server_used:.2f} s in the database server' if server_used else ''}, "
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
