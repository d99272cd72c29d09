"""What several benchmarks need around the code they measure: a free loopback port, a Redis
broker, Celery workers, a served instance, and the peak memory of a process tree."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and its live descendants."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += process_tree(int(child))
    return found


@contextmanager
def peak_memory(roots: Sequence[int]) -> Iterator[list[int]]:
    """Sample the summed RSS of ``roots`` and their descendants every 50 ms; yields [peak KiB]."""
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], sum(_rss_kib(p) for r in roots for p in process_tree(r)))
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


@contextmanager
def redis_broker() -> Iterator[str]:
    """CERTMINT_BENCH_REDIS_URL, else a throwaway redis-server on a free loopback port."""
    url = os.environ.get("CERTMINT_BENCH_REDIS_URL")
    if url:
        yield url
        return
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("set CERTMINT_BENCH_REDIS_URL or install redis-server")
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        process = subprocess.Popen([server, *options], cwd=data, stdout=subprocess.DEVNULL)
        try:
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)


@contextmanager
def workers(env: dict[str, str], count: int, logs: Path) -> Iterator[list[int]]:
    """``count`` ``certmint worker`` processes, ready to take chunks; yields their pids and
    stops them (SIGTERM: each finishes its chunk) on the way out."""
    processes = []
    try:
        for i in range(count):
            log = logs / f"worker{i}.log"
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "certmint", "worker", "--concurrency", "1"],
                        env=env | {"CERTMINT_LOG_LEVEL": "INFO"},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                )
            while b" ready." not in log.read_bytes():
                if processes[-1].poll() is not None:
                    raise SystemExit(log.read_text(errors="replace"))
                time.sleep(0.1)
        yield [p.pid for p in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(60)


@contextmanager
def served(env: dict[str, str], port: int, workers: int) -> Iterator[tuple[str, int]]:
    """The web application as production serves it (uvicorn, no reload, no access log) on
    ``127.0.0.1:port``; yields its base URL and the server's pid once it answers."""
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "certmint.web.app:app_from_environment",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(30)
