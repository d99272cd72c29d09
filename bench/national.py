"""A national-scale run: many organisations on one instance, a million learners, two workers.

    CERTMINT_BENCH_POSTGRES_URL=postgresql+psycopg://... .venv/bin/python bench/national.py
        [--organisations 36] [--learners 1000000] [--workers 2] [--sample 500]

Everything goes through the ``certmint`` command as an operator and each organisation's admin
would use it, on a throwaway PostgreSQL database with Celery workers on a Redis broker
(CERTMINT_BENCH_REDIS_URL, else a redis-server started on a free port):

1. ``orgs``: the operator adds the organisations (each gets its signing key and DID).
2. ``enrolments``: each organisation imports its LMS export of enrolled learners; sizes are
   spread as a country's are (a few large boards and universities, many small institutes).
3. ``attach``: each designs a template and attaches it to its batch with automatic issuance
   on completion.
4. ``completions``: each imports its export again, now with every learner completed; the
   import hands automatic issuance to the workers, and the stage ends when every
   organisation's command has seen its job finish (two imports run at a time).
5. ``verification``: the instance is served (uvicorn, two processes) and a random sample of
   the certificates' ``/v/<id>`` pages is loaded once each, as QR scans would (cold views).

Each stage prints its time, its rate and the peak memory of every process the run started
(the commands, the workers, Redis and the server; PostgreSQL's own processes are not counted).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

from _postgres import throwaway_database
from _processes import free_port, peak_memory, redis_broker, served, workers
from certmint.domain.ids import url_id
from certmint.storage.tables import CertificateRow

SECRET = "bench-master-secret-0123456789"
HEADER = "course_id,course_name,batch_id,batch_name,learner_id,name,email,status,completed_on"
NAMES = ("Aarav Sharma", "अनन्या कृष्णमूर्ति", "محمد عبد الله", "王小明", "Zoë Müller", "Ngozi Okafor")


def _sizes(organisations: int, learners: int) -> list[int]:
    """Learners per organisation, Zipf-like (weight 1/(rank+1)^0.8), summing to ``learners``."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(organisations)]
    sizes = [int(learners * w / sum(weights)) for w in weights]
    sizes[0] += learners - sum(sizes)
    return sizes


def _export(path: Path, org: int, size: int, *, completed: bool) -> None:
    status = "completed,2026-11-30" if completed else "enrolled,"
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(size):
            out.write(
                f"SKILL-{org},National Skills Certificate,B2026,Winter 2026,L{i:07d},"
                f"{NAMES[i % len(NAMES)]} {i},o{org}.l{i}@example.org,{status}\n"
            )


def _certmint(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "certmint", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"certmint {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def _stage(name: str, count: int, unit: str) -> Iterator[None]:
    with peak_memory([os.getpid()]) as peak:
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
    print(
        f"{name:13} {count:>9,} {unit:13} {elapsed:8.1f} s  {count / elapsed:11,.1f} {unit}/s  "
        f"peak memory {peak[0] / 1024:6.0f} MiB",
        flush=True,
    )


def _in_pairs(jobs: list[Callable[[], object]]) -> None:
    """Two at a time, as two admins would; the first failure stops the run."""
    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()


def _sample_pages(env: dict[str, str], database_url: str, port: int, sample: int) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = connection.scalars(
            select(CertificateRow.id).order_by(func.random()).limit(sample)
        ).all()
    engine.dispose()
    latencies: list[float] = []
    with served(env, port, workers=2) as (base, _), httpx.Client(base_url=base) as client:

        def view(certificate: object) -> None:
            start = time.perf_counter()
            page = client.get(f"/v/{url_id(certificate)}", headers={"Accept": "text/html"})
            latencies.append(time.perf_counter() - start)
            if page.status_code != 200:
                raise SystemExit(f"/v/{url_id(certificate)} answered {page.status_code}")

        with _stage("verification", len(ids), "pages"), ThreadPoolExecutor(8) as pool:
            list(pool.map(view, ids))
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{'':13} cold page views: p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms")


def run(server: str, organisations: int, learners: int, worker_count: int, sample: int) -> None:
    sizes = _sizes(organisations, learners)
    with (
        tempfile.TemporaryDirectory() as tmp,
        throwaway_database(server) as database_url,
        redis_broker() as broker,
    ):
        home = Path(tmp)
        port = free_port()  # the instance's public URL is where the last stage serves it
        env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")} | {
            "CERTMINT_HOME": str(home / "home"),
            "CERTMINT_DATABASE_URL": database_url,
            "CERTMINT_MASTER_SECRET": SECRET,
            "CERTMINT_BASE_URL": f"http://127.0.0.1:{port}",
            "CERTMINT_BROKER_URL": broker,
            "CERTMINT_LOG_LEVEL": "WARNING",
            "CERTMINT_VERIFY_RATE_PER_MINUTE": "0",
            "COLUMNS": "200",
        }
        _certmint(env, "init")
        slugs = [f"board-{i:02d}" for i in range(organisations)]
        with _stage("orgs", organisations, "organisations"):
            for i, slug in enumerate(slugs):
                _certmint(env, "orgs", "add", f"Skills Board {i:02d}", "--slug", slug)
        exports = [home / f"{slug}.csv" for slug in slugs]
        for i, (path, size) in enumerate(zip(exports, sizes, strict=True)):
            _export(path, i, size, completed=False)
        with _stage("enrolments", learners, "rows"):
            for path, slug in zip(exports, slugs, strict=True):
                _certmint(env, "import", "enrolments", str(path), "--org", slug, "--json")
        with _stage("attach", organisations, "achievements"):
            for slug in slugs:
                version = json.loads(
                    _certmint(
                        env,
                        *("templates", "create", "--layout", "classic-1-1", "--org", slug),
                        *("--title", "Certificate of {{achievement.name}}", "--publish"),
                        *("--signature", "A. Registrar|Registrar", "--json"),
                    )
                )["version_id"]
                _certmint(
                    env,
                    *("achievements", "add", "--batch", "B2026", "--template", version),
                    *("--name", "Completion", "--criteria", '{"completed": true}', "--auto"),
                    *("--org", slug, "--json"),
                )
        for i, (path, size) in enumerate(zip(exports, sizes, strict=True)):
            _export(path, i, size, completed=True)
        issued: list[int] = []

        def complete(path: Path, slug: str) -> None:
            out = _certmint(env, "import", "enrolments", str(path), "--org", slug, "--json")
            issued.append(json.loads(out)["certificates_issued"])

        with workers(env, worker_count, home) as _, _stage("completions", learners, "certificates"):
            _in_pairs(
                [lambda p=p, s=s: complete(p, s) for p, s in zip(exports, slugs, strict=True)]
            )
        if sum(issued) != learners:
            raise SystemExit(f"{sum(issued):,} certificates issued for {learners:,} learners")
        _sample_pages(env, database_url, port, sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=36)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=500)
    args = parser.parse_args()
    server = os.environ.get("CERTMINT_BENCH_POSTGRES_URL")
    if not server:
        raise SystemExit("set CERTMINT_BENCH_POSTGRES_URL to a PostgreSQL server's URL")
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"{args.organisations} organisations, {args.learners:,} learners, "
        f"{args.workers} workers on PostgreSQL",
        flush=True,
    )
    run(server, args.organisations, args.learners, args.workers, args.sample)


if __name__ == "__main__":
    main()
