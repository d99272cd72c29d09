"""Data directories on broken file systems, real ones: a read-only one and a full one.

As root (which no file mode stops), each is a small tmpfs of its own: remounted read-only, or
filled to the last byte. As another user, a read-only home is a tree without write
permission, and a full disk is a file size limit of 0 bytes for this process (RLIMIT_FSIZE,
with SIGXFSZ ignored so that a write fails with EFBIG instead of killing the process; the
CLI runner captures output in memory, so only files are refused). As root without the right to
mount (a container without CAP_SYS_ADMIN) neither can be made: ``broken_disk`` yields why.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = ["BrokenDisk", "broken_disk"]

ROOT = os.geteuid() == 0


class BrokenDisk:
    """A directory that can be switched between healthy and broken; ``home`` lives in it."""

    def __init__(self, mountpoint: Path, *, tmpfs: bool) -> None:
        self.mountpoint = mountpoint
        self.home = mountpoint / "home"
        self.tmpfs = tmpfs

    def place(self, source: Path) -> None:
        """Make ``home`` a copy of ``source`` (the disk must be healthy)."""
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.copytree(source, self.home)

    @contextmanager
    def read_only(self) -> Iterator[None]:
        if self.tmpfs:
            _mount("-o", "remount,ro", str(self.mountpoint))
            try:
                yield
            finally:
                _mount("-o", "remount,rw", str(self.mountpoint))
            return
        modes = {path: path.stat().st_mode for path in [self.home, *self.home.rglob("*")]}
        for path, mode in modes.items():
            path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)

    @contextmanager
    def full(self) -> Iterator[None]:
        if not self.tmpfs:
            with _no_file_may_grow():
                yield
            return
        filler = self.mountpoint / "filler"
        with suppress(OSError), filler.open("wb") as handle:
            block = b"\0" * 65536
            while True:
                handle.write(block)
                handle.flush()
        with suppress(OSError), filler.open("ab") as handle:  # the last partial block
            while True:
                handle.write(b"\0")
                handle.flush()
        try:
            yield
        finally:
            filler.unlink()


@contextmanager
def broken_disk(size: str = "4m") -> Iterator[BrokenDisk | str]:
    """A ``BrokenDisk``, or the reason none can be made here (to skip with)."""
    with tempfile.TemporaryDirectory(prefix="certmint-disk-") as directory:
        mountpoint = Path(directory)
        if not ROOT:
            yield BrokenDisk(mountpoint, tmpfs=False)
            return
        try:
            _mount("-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mountpoint))
        except (OSError, subprocess.CalledProcessError) as exc:
            yield f"running as root without the right to mount a tmpfs: {exc}"
            return
        try:
            yield BrokenDisk(mountpoint, tmpfs=True)
        finally:
            subprocess.run(["umount", "-l", str(mountpoint)], check=False)


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@contextmanager
def _no_file_may_grow() -> Iterator[None]:
    """A file size limit of 0 bytes for this process, as long as the block runs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)
