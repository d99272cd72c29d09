"""End-to-end bulk issuance: criteria, credential, rdfc signature, status index, insert.

    .venv/bin/python bench/issue.py [--n 10000] [--workers K] [--profile]

Prepares a fresh database with N enrolled learners who all completed, a published template and
an achievement, then issues them all and prints certificates per second and the peak memory
(summed RSS of this process and its children, the workers and the Redis it started, sampled
every 50 ms; the database server's own memory is not included). Runs on a temporary SQLite
file in this process, and, when CERTMINT_BENCH_POSTGRES_URL names a PostgreSQL server, on a
throwaway database there with 1 and 2 ``certmint worker`` processes (or only K with
--workers K) taking the chunks from a Redis broker: CERTMINT_BENCH_REDIS_URL, else a
redis-server started on a free port.
--profile prints where the in-process SQLite run spends its time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import _processes
from _postgres import throwaway_database
from certmint.bootstrap import Container, bootstrap
from certmint.config import load_settings
from certmint.domain.accounts import Principal
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch
from certmint.services.catalogue.templates import create_template
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.outcome import follow_issue
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuance.requests import request_issuance
from certmint.services.issuers.keys import ensure_signing_key
from certmint.services.issuers.organisations import create_organisation
from certmint.storage.tables import CertificateRow

BASE = "https://certs.example.org"
SECRET = "bench-master-secret-0123456789"


def _csv(n: int) -> bytes:
    lines = ["course_id,course_name,batch_id,batch_name,learner_id,name,email,status,completed_on"]
    names = ("Aarav Sharma", "अनन्या कृष्णमूर्ति", "محمد عبد الله", "王小明", "Zoë Müller")
    lines += [
        f"C1,Data Science,B1,Spring,L{i:07d},{names[i % 5]} {i},l{i}@example.org,"
        "completed,2026-05-01"
        for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


def _environment(home: Path, url: str, broker: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env |= {
        "CERTMINT_HOME": str(home),
        "CERTMINT_DATABASE_URL": url,
        "CERTMINT_BASE_URL": BASE,
        "CERTMINT_MASTER_SECRET": SECRET,
        "CERTMINT_LOG_LEVEL": "WARNING",
    }
    if broker:
        env["CERTMINT_BROKER_URL"] = broker
    return env


def _container(env: dict[str, str]) -> Container:
    settings = load_settings(
        home=Path(env["CERTMINT_HOME"]),
        database_url=env["CERTMINT_DATABASE_URL"],
        base_url=BASE,
        master_secret=SECRET,
        broker_url=env.get("CERTMINT_BROKER_URL", ""),
    )
    return bootstrap(settings, migrate=True)


def _prepare(container: Container, n: int) -> tuple[uuid.UUID, uuid.UUID]:
    uow = container.uow()
    org = create_organisation(uow, "Bench Institute", default=True)
    ensure_signing_key(uow, container.key_store, org.id)
    import_enrolments(uow, org.id, _csv(n))
    design = Design(layout="classic-1-1", signatories=(Signatory("A. Director", "Director"),))
    version = create_template(uow, Principal.at_shell(org.id), design, publish=True)
    _, batch = resolve_batch(uow, org.id, "B1")
    achievement = add_achievement(
        uow,
        Principal.at_shell(org.id),
        batch_id=batch.id,
        template_version_id=version.id,
        name="Completion",
        criteria={"completed": True},
    )
    return org.id, achievement.id


def _cpu_of(pids: Iterable[int]) -> float:
    """User + system CPU seconds used so far by the live processes ``pids``."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _process_cpu(roots: Sequence[int]) -> float:
    """CPU seconds of ``roots`` and their live descendants."""
    return _cpu_of({p for r in roots for p in _processes.process_tree(r)})


def _database_cpu() -> float:
    """CPU seconds of the local PostgreSQL server's processes that are alive now (a worker's
    connections, hence their server processes, last the whole run)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return _cpu_of(pids)


def _machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (every process, the database server too)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _cpu_report(n: int, executors: float, machine: float, database: float | None = None) -> None:
    """Where the CPU went, per certificate: on a shared machine throughput measures the sharing,
    CPU time says what the work costs."""
    server = "" if database is None else f"database server {1000 * database / n:.2f} ms, "
    print(
        f"{'':26} CPU per certificate: executors {1000 * executors / n:.2f} ms, {server}"
        f"whole machine {1000 * machine / n:.2f} ms (everything, other load included)",
        flush=True,
    )


def _stored(container: Container) -> int:
    with container.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(CertificateRow)) or 0


def _report(label: str, n: int, elapsed: float, stored: int, peak_kib: int) -> None:
    print(
        f"{label:26} n={n:,}: {stored:,} stored in {elapsed:.1f} s = "
        f"{n / elapsed:,.0f} certificates/s; peak memory {peak_kib / 1024:.0f} MiB (all processes)",
        flush=True,
    )
    assert stored == n, "every learner exactly once"


def run_in_process(url: str, n: int, profile: bool) -> None:
    with tempfile.TemporaryDirectory() as home:
        container = _container(_environment(Path(home), url))
        organisation_id, achievement_id = _prepare(container, n)
        profiler = cProfile.Profile() if profile else None
        with _processes.peak_memory([os.getpid()]) as peak:
            start = time.perf_counter()
            cpu, machine = time.process_time(), _machine_cpu()
            if profiler:
                profiler.enable()
            issue_achievement(
                container.uow(),
                container.signing,
                IssueRequest(organisation_id, achievement_id),
                pool=container.signing_pool,  # the in-process executor signs there
            )
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - start
            cpu, machine = time.process_time() - cpu, _machine_cpu() - machine
        backend = make_url(url).get_backend_name()
        _report(f"{backend} in-process", n, elapsed, _stored(container), peak[0])
        _cpu_report(n, cpu, machine)
        container.close()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def run_on_workers(url: str, broker: str, n: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as home:
        env = _environment(Path(home), url, broker)
        container = _container(env)
        organisation_id, achievement_id = _prepare(container, n)
        # The workers are the bench's children, so their memory is in the peak.
        with (
            _processes.workers(env, workers, Path(home)) as pids,
            _processes.peak_memory([os.getpid()]) as peak,
        ):
            start = time.perf_counter()
            cpu, machine, database = _process_cpu(pids), _machine_cpu(), _database_cpu()
            running = request_issuance(  # the broker's executor: the settings name one
                container.uow(),
                container.signing,
                container.executor,
                IssueRequest(organisation_id, achievement_id),
            )
            follow_issue(container.uow(), running.job, poll_seconds=0.1)
            elapsed = time.perf_counter() - start
            cpu, machine = _process_cpu(pids) - cpu, _machine_cpu() - machine
            database = _database_cpu() - database
        label = f"{make_url(url).get_backend_name()} {workers} worker{'s' * (workers > 1)}"
        _report(label, n, elapsed, _stored(container), peak[0])
        _cpu_report(n, cpu, machine, database)
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--workers", type=int, help="only this many workers (default: 1 and 2)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run_in_process(f"sqlite:///{Path(tmp) / 'bench.db'}", args.n, args.profile)
    server = os.environ.get("CERTMINT_BENCH_POSTGRES_URL")
    if not server:
        return
    with _processes.redis_broker() as broker:
        for workers in [args.workers] if args.workers else [1, 2]:
            with throwaway_database(server) as url:
                run_on_workers(url, broker, args.n, workers)


if __name__ == "__main__":
    main()
