"""PostgreSQL and Redis servers the suite starts for itself when none is configured.

``make test`` installs Debian's ``postgresql`` and ``redis-server`` packages; the session then
runs a throwaway server of each on a free loopback port, in a temporary directory that is
removed with it, so a fresh machine runs every test without setting anything up (and without
touching the servers those packages may have started for the machine). PostgreSQL's ``initdb``
refuses to run as root, so as root both it and the server run as the ``postgres`` system user
the package created. Neither server keeps anything: no fsync, no Redis snapshots.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["free_port", "postgres_bin", "run_postgres", "run_redis"]

# Durability is of no use to a server that is deleted when the session ends; speed is.
POSTGRES_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",  # loopback TCP only: nothing in /var/run/postgresql
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian keeps them off PATH), if any."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with status {process.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not answer on 127.0.0.1:{port}") from None
            time.sleep(0.05)


@contextmanager
def run_postgres(bin_dir: Path) -> Iterator[str]:
    """A PostgreSQL server of its own; yields its URL (superuser ``certmint``, a random
    password, the ``postgres`` database)."""
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    as_user = ["runuser", "-u", "postgres", "--"] if owner else []
    workdir = Path(tempfile.mkdtemp(prefix="certmint-postgres-"))
    try:
        password = secrets.token_hex(16)
        password_file = workdir / "password"
        password_file.write_text(password)
        password_file.chmod(0o600)
        if owner is not None:
            for path in (workdir, password_file):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        data, log = workdir / "data", workdir / "server.log"

        def tool(*args: str) -> None:
            result = subprocess.run(
                [*as_user, *args], capture_output=True, text=True, timeout=120, check=False
            )
            if result.returncode != 0:
                log_text = log.read_text(errors="replace") if log.exists() else ""
                raise RuntimeError(f"{' '.join(args)}: {result.stderr}{result.stdout}{log_text}")

        tool(
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data),
            "--username",
            "certmint",
            f"--pwfile={password_file}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        port = free_port()
        settings = {**POSTGRES_SETTINGS, "port": str(port)}
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        # --wait: until the server accepts connections
        tool(str(bin_dir / "pg_ctl"), "--pgdata", str(data), "--log", str(log), "--wait", "start")
        try:
            yield f"postgresql+psycopg://certmint:{password}@127.0.0.1:{port}/postgres"
        finally:
            tool(str(bin_dir / "pg_ctl"), "--pgdata", str(data), "--mode=immediate", "stop")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def run_redis(server: str, workdir: Path) -> Iterator[str]:
    """A Redis server of its own that keeps nothing on disk; yields its URL (db 0)."""
    port = free_port()
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
