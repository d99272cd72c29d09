"""Signing a chunk's credentials on a pool of processes.

Signing (canonicalization, hashing, Ed25519) is most of a certificate's CPU time and holds
Python's GIL, so threads would not use a second core. The in-process executor hands each
chunk's unsigned credentials to this pool and writes the previous chunk meanwhile
(``services.issuance.pipeline``): on SQLite the write lock is held only while a chunk is
written, not while it signs. Each process builds the offline document loader and the fast RDFC
path once; the organisation's key goes with each task as its 32-byte seed, over the pipe to a
child of this process (never logged, never stored).
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from certmint.credentials import (
    BundledDocumentLoader,
    Ed25519KeyPair,
    FastRdfCanonicalizer,
    ProofOptions,
    sign_document,
)

if TYPE_CHECKING:  # the pool's processes import only the credential library
    from certmint.services.issuers.keys import IssuerKey

__all__ = ["SigningPool"]

#: A chunk is split into this many slices per process, so that both finish together.
SLICES_PER_PROCESS = 2
_tools: tuple[BundledDocumentLoader, FastRdfCanonicalizer] | None = None


def _start() -> None:
    global _tools  # noqa: PLW0603 - one loader and canonicalizer per pool process
    loader = BundledDocumentLoader()
    _tools = (loader, FastRdfCanonicalizer(loader))
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent.sentinel,), daemon=True).start()


def _end_with(parent_sentinel: int) -> None:
    """Leave when the process that started the pool is gone (a SIGKILL, a crash): a pool
    process waits for work on a queue whose other end it holds too, so it would wait for ever,
    and keep the fork server alive with it."""
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(0)


def _sign(
    documents: list[dict[str, Any]], seed: bytes, verification_method: str, created: datetime
) -> list[dict[str, Any]]:
    assert _tools is not None, "the pool's initializer builds the signing tools"
    loader, canonicalizer = _tools
    key = Ed25519KeyPair.from_seed(seed)
    options = ProofOptions(verification_method=verification_method, created=created)
    gc.disable()  # a slice keeps its documents alive to the end (see services.issuance.jobs)
    try:
        return [
            sign_document(d, key, options, loader=loader, rdf_canonicalizer=canonicalizer)
            for d in documents
        ]
    finally:
        gc.enable()


class SigningPool:
    """``processes`` signing processes, started on first use (a fresh interpreter each,
    ``forkserver``: never a fork of a process that runs threads) and kept until ``close``."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload([__name__])
                self._pool = ProcessPoolExecutor(
                    self.processes, mp_context=context, initializer=_start
                )
            return self._pool

    def sign(
        self, documents: Sequence[dict[str, Any]], key: IssuerKey, created: datetime
    ) -> Callable[[], list[dict[str, Any]]]:
        """Start signing ``documents`` (an ``eddsa-rdfc-2022`` proof by ``key`` each, made
        at ``created``); returns what waits for them, signed, in the same order."""
        pool = self._executor()
        seed = key.key_pair.secret_seed()
        size = -(-len(documents) // (self.processes * SLICES_PER_PROCESS)) or 1
        futures: list[Future[list[dict[str, Any]]]] = [
            pool.submit(
                _sign, list(documents[i : i + size]), seed, key.verification_method, created
            )
            for i in range(0, len(documents), size)
        ]
        return lambda: [signed for future in futures for signed in future.result()]

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(cancel_futures=True)
                self._pool = None
