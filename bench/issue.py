"""End-to-end bulk issuance: criteria, credential, rdfc signature, status index, insert.

    .venv/bin/python bench/issue.py [--n 10000] [--workers 1] [--database-url URL]

Prepares a fresh database with N enrolled learners who all completed, a published template and
an achievement, then issues with K processes racing on the same batch (each chunk is claimed
by whoever commits first; the others skip it). Prints certificates per second and the peak
memory of the issuing processes. Without --database-url it runs on a temporary SQLite file,
and also on PostgreSQL when CERTMINT_BENCH_POSTGRES_URL names a server.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from _postgres import throwaway_database
from certmint.credentials import FileKeyStore
from certmint.rendering import Design, Signatory
from certmint.services.achievements import add_achievement
from certmint.services.imports import import_enrolments
from certmint.services.issuance import issue_achievement
from certmint.services.keys import ensure_signing_key
from certmint.services.organisations import create_organisation
from certmint.services.roster import resolve_batch
from certmint.services.signing import Signing
from certmint.services.templates import create_template
from certmint.storage.database import create_database_engine, create_session_factory
from certmint.storage.migrate import upgrade_database
from certmint.storage.tables import CertificateRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

BASE = "https://certs.example.org"
SECRET = b"bench-master-secret-0123456789"


def _csv(n: int) -> bytes:
    lines = ["course_id,course_name,batch_id,batch_name,learner_id,name,email,status,completed_on"]
    names = ("Aarav Sharma", "अनन्या कृष्णमूर्ति", "محمد عبد الله", "王小明", "Zoë Müller")
    lines += [
        f"C1,Data Science,B1,Spring,L{i:07d},{names[i % 5]} {i},l{i}@example.org,"
        "completed,2026-05-01"
        for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


def _prepare(url: str, keys: Path, n: int) -> tuple[uuid.UUID, uuid.UUID]:
    engine = create_database_engine(url)
    upgrade_database(engine)
    uow = SqlAlchemyUnitOfWork(create_session_factory(engine))
    org = create_organisation(uow, "Bench Institute", default=True)
    ensure_signing_key(uow, FileKeyStore(keys, SECRET), org.id)
    import_enrolments(uow, org.id, _csv(n))
    design = Design(layout="classic-1-1", signatories=(Signatory("A. Director", "Director"),))
    version = create_template(uow, org.id, design, publish=True)
    _, batch = resolve_batch(uow, org.id, "B1")
    achievement = add_achievement(
        uow,
        org.id,
        batch_id=batch.id,
        template_version_id=version.id,
        name="Completion",
        criteria={"completed": True},
    )
    engine.dispose()
    return org.id, achievement.id


def _issue(args: tuple[str, Path, uuid.UUID, uuid.UUID]) -> tuple[int, int]:
    url, keys, organisation_id, achievement_id = args
    engine = create_database_engine(url)
    uow = SqlAlchemyUnitOfWork(create_session_factory(engine))
    summary = issue_achievement(
        uow, Signing(FileKeyStore(keys, SECRET), BASE), organisation_id, achievement_id
    )
    engine.dispose()
    return summary.issued, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(url: str, n: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as keys_dir:
        keys = Path(keys_dir)
        organisation_id, achievement_id = _prepare(url, keys, n)
        start = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            results = pool.map(_issue, [(url, keys, organisation_id, achievement_id)] * workers)
        elapsed = time.perf_counter() - start
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(CertificateRow))
    engine.dispose()
    issued = sum(r[0] for r in results)
    peak_mib = max(r[1] for r in results) / 1024
    backend = make_url(url).get_backend_name()
    print(
        f"{backend:10} n={n:,} workers={workers}: {issued:,} issued ({stored:,} stored) in "
        f"{elapsed:.1f} s = {issued / elapsed:,.0f} certificates/s; "
        f"peak memory {peak_mib:.0f} MiB per worker"
    )
    assert issued == stored == n, "every learner exactly once"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores")
    if args.database_url:
        run(args.database_url, args.n, args.workers)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.n, args.workers)
    server = os.environ.get("CERTMINT_BENCH_POSTGRES_URL")
    if server:
        with throwaway_database(server) as url:
            run(url, args.n, args.workers)


if __name__ == "__main__":
    main()
