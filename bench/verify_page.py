"""The page a QR scan opens, under load: requests per second and latency for ``/v/<id>``.

    .venv/bin/python bench/verify_page.py [--connections 64] [--duration 15] [--workers 2]
        [--database sqlite|postgresql] [--database-url URL]

Prepares a fresh instance as a user would (``certmint demo --no-serve``: the demo roster and
25 issued certificates), serves it as in production (uvicorn, no reload, no access log, the rate
limit off so that one load generator is not throttled), and loads it with wrk (Debian package)
from a separate process: 64 connections cycling through the 25 certificates' pages. Prints
requests per second and the 50th/99th percentile latency, and the server's CPU time per
request (its processes' user+system time over the measured run, divided by the requests): on a
machine shared with other work, throughput and latency measure the sharing, while CPU per
request still says what one core can serve. ``--database both`` (the default) also runs on
PostgreSQL (a throwaway database on ``CERTMINT_BENCH_POSTGRES_URL``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _postgres import throwaway_database
from _processes import free_port, served

WARM_UP_SECONDS = 10
DEFAULT_POSTGRES = "postgresql+psycopg://certmint:certmint@127.0.0.1:5432/postgres"
WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Accept"] = "text/html"})
end
"""


def _env(home: Path, database_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env.update(
        CERTMINT_HOME=str(home),
        CERTMINT_BASE_URL=f"http://127.0.0.1:{port}",
        CERTMINT_VERIFY_RATE_PER_MINUTE="0",
        CERTMINT_LOG_LEVEL="WARNING",
    )
    if database_url:
        env["CERTMINT_DATABASE_URL"] = database_url
    return env


def _prepare(env: dict[str, str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "certmint", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    paths = sorted(set(re.findall(r"/v/[A-Za-z0-9_-]+", out)))
    if not paths:
        raise SystemExit(f"no verification links in the demo's output:\n{out}")
    return paths


def _cpu_seconds(root: int) -> float:
    """User+system CPU time of a process and its children (uvicorn's workers), from /proc."""
    pids = [root]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == root:
            pids.append(int(stat.parent.name))
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _wrk(base: str, paths: list[str], connections: int, duration: int, script: Path) -> str:
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _summary(output: str) -> dict[str, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "non_2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def run(database: str, database_url: str, args: argparse.Namespace) -> None:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "home", database_url, port)
        paths = _prepare(env)
        with served(env, port, args.workers) as (base, pid):
            # Warm up until steady: each worker verifies each certificate once (tens of ms of
            # CPU each, all at once from 64 connections); 3 s left that inside the measurement.
            _wrk(base, paths, args.connections, WARM_UP_SECONDS, Path(tmp) / "warm.lua")
            cpu = _cpu_seconds(pid)
            output = _wrk(base, paths, args.connections, args.duration, Path(tmp) / "load.lua")
            cpu = _cpu_seconds(pid) - cpu
    result = _summary(output)
    requests = result["rps"] * args.duration
    print(
        f"{database:10} workers={args.workers} connections={args.connections} "
        f"{result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p99 {result['p99_ms']:6.1f} ms  non-2xx {result['non_2xx']:.0f}  "
        f"server CPU {cpu / requests * 1000:.2f} ms/request "
        f"({requests / cpu:.0f} req/s per busy core)"
    )
    if args.verbose:
        print(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=int, default=15, help="seconds of measured load")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--verbose", action="store_true", help="print wrk's whole report")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    if args.database in ("sqlite", "both"):
        run("sqlite", "", args)
    if args.database in ("postgresql", "both"):
        server = os.environ.get("CERTMINT_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
        with throwaway_database(server) as url:
            run("postgresql", url, args)


if __name__ == "__main__":
    main()
