"""What is wrong with the place an instance runs, in one sentence.

Some failures are nobody's bug but the operator's to fix: the data directory was never
initialised, it cannot be written (a read-only file system, another owner), its disk is full,
the database cannot be reached, a setting is refused, the master secret does not open the
keys. Each is an ``EnvironmentProblem`` with a ``Trouble`` (whose value is the exit code) and a
sentence that names what to do. (The services meet a wrong master secret, only in key
operations, as ``SigningKeyUnavailable``; entry points turn it into ``master_secret_problem``.)

They surface as low-level errors: ``OSError``, pydantic's ``ValidationError``, SQLite's or
the driver's ``OperationalError``. ``diagnose`` turns those into a problem. SQLite does not
always say why (a full disk while it makes its shared-memory file is a "disk I/O error"), so
then the data directory itself is looked at: a read-only mount, no space left, no write
permission.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from enum import IntEnum
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from certmint.config import ConfigurationError, Settings

__all__ = [
    "EnvironmentProblem",
    "Trouble",
    "diagnose",
    "master_secret_problem",
    "not_initialised",
    "require_writable",
]

# Below this much free space a failed write is put down to a full disk.
_NEARLY_FULL_BYTES = 1 << 20


class Trouble(IntEnum):
    """What is wrong; the value is the exit code of the process that meets it (the CLI's, and
    the web app's factory; docs/cli.md lists them)."""

    CONFIGURATION = 1
    NOT_INITIALISED = 5
    NOT_WRITABLE = 6
    DISK_FULL = 7
    MASTER_SECRET = 8
    DATABASE = 9


class EnvironmentProblem(Exception):
    """The environment keeps Certmint from working; ``str()`` is the sentence to show."""

    def __init__(self, trouble: Trouble, sentence: str) -> None:
        super().__init__(sentence)
        self.trouble = trouble
        self.sentence = sentence


def not_initialised(settings: Settings) -> EnvironmentProblem:
    return EnvironmentProblem(
        Trouble.NOT_INITIALISED,
        f"no Certmint instance in {settings.home}: run `certmint init` first "
        f"(or set CERTMINT_HOME to the data directory)",
    )


def master_secret_problem(
    settings: Settings, key_id: str, *, wrong_secret: bool
) -> EnvironmentProblem:
    keys = settings.home / "keys"
    if wrong_secret:
        sentence = (
            f"CERTMINT_MASTER_SECRET does not open the signing keys in {keys}: set the secret "
            f"they were sealed with (`certmint init` keeps the one it made in "
            f"{settings.env_file}); nothing was changed"
        )
    else:
        sentence = f"the signing key {key_id} cannot be read from {keys}; nothing was changed"
    return EnvironmentProblem(Trouble.MASTER_SECRET, sentence)


def require_writable(home: Path) -> None:
    """Raise ``EnvironmentProblem`` unless files can be made in ``home`` (a read-only mount,
    another owner, a full disk), checked by making one: what root may do is not in the mode
    bits, and a read-only mount is not in them either."""
    probe = home / f".certmint-write-check-{os.getpid()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
        finally:
            os.close(fd)
    except OSError as exc:
        problem = _from_os_error(exc, home)
        if problem is None:
            raise
        raise problem from exc
    finally:
        probe.unlink(missing_ok=True)


def diagnose(exc: BaseException, settings: Settings | None) -> EnvironmentProblem | None:
    """The environment problem behind ``exc``, or None when it is not one (a bug)."""
    if isinstance(exc, EnvironmentProblem):
        return exc
    if isinstance(exc, ConfigurationError):
        return EnvironmentProblem(Trouble.CONFIGURATION, str(exc))
    if isinstance(exc, ValidationError):
        reasons = "; ".join(_reason(error["msg"], error["loc"]) for error in exc.errors())
        return EnvironmentProblem(Trouble.CONFIGURATION, reasons)
    home = settings.home if settings is not None else None
    if isinstance(exc, OSError):
        return _from_os_error(exc, home)
    if isinstance(exc, DBAPIError):
        return _from_database_error(exc, settings)
    if isinstance(exc, sqlite3.Error) and home is not None:
        return _from_sqlite(exc, home)
    return None


def _reason(message: str, location: tuple[int | str, ...]) -> str:
    message = message.removeprefix("Value error, ")
    if location and not message.startswith("CERTMINT_"):
        return f"CERTMINT_{str(location[0]).upper()}: {message}"
    return message


def _from_os_error(exc: OSError, home: Path | None) -> EnvironmentProblem | None:
    where = exc.filename or home
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return _disk_full(where)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _not_writable(where, home, read_only=exc.errno == errno.EROFS)
    return None


def _from_database_error(exc: DBAPIError, settings: Settings | None) -> EnvironmentProblem | None:
    original = exc.orig
    if isinstance(original, sqlite3.Error) and settings is not None:
        return _from_sqlite(original, settings.home)
    if exc.connection_invalidated or "connect" in str(original).lower():
        first_line = (str(original).strip().splitlines() or [""])[0]
        return EnvironmentProblem(
            Trouble.DATABASE,
            f"the database cannot be reached (CERTMINT_DATABASE_URL): {first_line}",
        )
    return None


def _from_sqlite(exc: sqlite3.Error, home: Path) -> EnvironmentProblem:
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_FULL":
        return _disk_full(home)
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")):
        return _look_at(home) or _not_writable(home, home, read_only=True)
    found = _look_at(home)
    if found is not None:
        return found
    return EnvironmentProblem(
        Trouble.DATABASE, f"the database in {home} cannot be used: {exc} ({name or 'SQLite'})"
    )


def _look_at(home: Path) -> EnvironmentProblem | None:
    """Why files cannot be made in ``home``, if that is so; None when they can."""
    directory = home
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent
    try:
        stats = os.statvfs(directory)
    except OSError:
        return None
    if stats.f_flag & os.ST_RDONLY:
        return _not_writable(home, home, read_only=True)
    if stats.f_bavail * stats.f_frsize < _NEARLY_FULL_BYTES:
        return _disk_full(home)
    try:
        require_writable(directory)
    except EnvironmentProblem as problem:
        return problem
    return None


def _disk_full(where: object) -> EnvironmentProblem:
    return EnvironmentProblem(
        Trouble.DISK_FULL,
        f"no space left for {where}: the disk (or the file size limit) is full; free some "
        f"space and run the command again",
    )


def _not_writable(where: object, home: Path | None, *, read_only: bool) -> EnvironmentProblem:
    why = "is on a read-only file system" if read_only else "may not be written by this user"
    inside = home is not None and (where == home or home in Path(str(where)).parents)
    need = (
        "Certmint writes in its data directory, even to read its database"
        if inside
        else "Certmint cannot write there"
    )
    return EnvironmentProblem(
        Trouble.NOT_WRITABLE, f"{where} {why}: {need}; make it writable and run the command again"
    )
