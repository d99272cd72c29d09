"""Finding 5: what Certmint writes is private (files 0600, directories 0700) whatever the
umask. The SQLite database was 0644 in a 0755 home: webhook secrets, password hashes and
learner data readable by every user of the machine."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from certmint.bootstrap import bootstrap
from certmint.config import load_settings
from tests.cli_homes import invoke_ok, seed_home


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """The usual umask, under which files come out world-readable unless made otherwise."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` (itself included) whose mode lets others in."""
    lax = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected = 0o700 if path.is_dir() else 0o600
        if mode != expected:
            lax[str(path.relative_to(root.parent))] = oct(mode)
    return lax


def test_everything_certmint_keeps_in_its_home_is_private(
    certmint_home: Path, tmp_path: Path, lax_umask: None
) -> None:
    seeded = seed_home(certmint_home, tmp_path, ("Completion",))
    out = tmp_path / "out"
    out.mkdir()
    invoke_ok("certificates", "download", seeded.certificate_ids[0], "--out", str(out / "c.pdf"))
    assert (certmint_home / "cache").is_dir()  # the rendered file is cached in the home

    # While a connection is open, SQLite's own -wal and -shm files exist: private too.
    container = bootstrap(load_settings())
    try:
        with container.engine.connect() as connection:
            connection.execute(text("SELECT count(*) FROM certificates"))
            assert (certmint_home / "certmint.db-wal").exists()
            assert (certmint_home / "certmint.db-shm").exists()
            assert _modes(certmint_home) == {}
    finally:
        container.close()
    assert _modes(certmint_home) == {}


def test_exports_and_downloads_are_private(
    certmint_home: Path, tmp_path: Path, lax_umask: None
) -> None:
    seeded = seed_home(certmint_home, tmp_path, ("Completion",))
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    invoke_ok("export", "--batch", "B1", "--format", "ob3", "--out", str(out / "batch"))
    invoke_ok("export", "--batch", "B1", "--format", "csv", "--out", str(out / "batch.zip"))
    invoke_ok("certificates", "download", seeded.certificate_ids[0], "--out", str(out / "c.pdf"))
    invoke_ok("templates", "preview", seeded.template_version_id, "--out", str(out / "preview.png"))
    assert len(list((out / "batch").iterdir())) == 2
    assert zipfile.ZipFile(out / "batch.zip").namelist() == ["certificates.csv"]
    assert _modes(out) == {}


def test_a_home_made_world_readable_is_made_private_on_the_next_start(
    certmint_home: Path, tmp_path: Path, lax_umask: None
) -> None:
    seed_home(certmint_home, tmp_path, ("Completion",))
    invoke_ok("certificates", "list")  # leaves the cache, if any, as it is
    old = {
        certmint_home: 0o755,
        certmint_home / "certmint.db": 0o644,
        certmint_home / "certmint.env": 0o644,
        certmint_home / "keys": 0o755,
    }
    for path, mode in old.items():
        path.chmod(mode)
    assert _modes(certmint_home) != {}

    invoke_ok("users", "list")

    assert _modes(certmint_home) == {}
