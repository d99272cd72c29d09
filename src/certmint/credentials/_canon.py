"""Canonicalization: RDFC-1.0 (via pyld, bounded and in safe mode) and JCS (RFC 8785).

RDFC-1.0 is https://www.w3.org/TR/rdf-canon/; pyld calls it ``URDNA2015``. Its Hash N-Degree
Quads step is exponential in the number of indistinguishable blank nodes, so a crafted document
can make it run for hours (https://www.w3.org/TR/rdf-canon/#dataset-poisoning). Every entry point
here takes :class:`Limits` and enforces them before and during the work.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from certmint.credentials._loader import BundledDocumentLoader
from certmint.credentials.errors import (
    CanonicalizationError,
    DocumentLoaderError,
    LimitExceededError,
    UndefinedTermError,
)

__all__ = [
    "Limits",
    "WorkBudget",
    "canonicalize_dataset",
    "canonicalize_jcs",
    "canonicalize_rdfc",
    "check_json_bounds",
    "expand_safe",
    "to_dataset",
    "work_budget",
]

Dataset = dict[str, list[dict[str, Any]]]

# pyld shares LRU caches between calls (each resolved context keeps one, and the loader's cache
# holds those contexts), and they are not safe to touch from two threads at once. JSON-LD
# processing is pure Python, so under the GIL the lock costs no throughput; the fast path and
# RDFC-1.0 (per-call state only) run outside it.
_PYLD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Limits:
    """Bounds on work done for one untrusted document.

    The defaults are far above what an Open Badges credential needs (ours have ~40 quads and
    ~5 blank nodes, and expand in ~10 ms) and far below what hurts a server. The time budget
    applies to each JSON-LD expansion and to each RDFC-1.0 run separately, checked
    cooperatively (each time pyld resolves a context, and in every Hash N-Degree Quads call).
    It counts the CPU time of the working thread, not the clock: what a document costs us,
    whatever else the machine (or the GIL) is busy with. On the clock, a busy server turned
    valid credentials into "limit exceeded".
    """

    max_bytes: int = 1_000_000
    max_depth: int = 64
    max_values: int = 20_000
    max_quads: int = 5_000
    max_blank_nodes: int = 500
    max_hash_n_degree_calls: int = 2_000
    time_budget_s: float = 1.0


DEFAULT_LIMITS = Limits()


@dataclass
class WorkBudget:
    """CPU seconds that one request may spend on JSON-LD and RDFC-1.0 work, all documents
    together: ``Limits.time_budget_s`` bounds each expansion or canonicalization, but a
    request holding many documents (a presentation, a proof set) would add them up. Counted
    on the clock of the thread that opened it, as ``Limits`` counts its own."""

    seconds: float
    started: float = field(default_factory=time.thread_time)

    def spent(self) -> float:
        return time.thread_time() - self.started

    def check(self) -> None:
        """Raise ``LimitExceededError`` once the budget is spent."""
        if (spent := self.spent()) > self.seconds:
            raise LimitExceededError("seconds of work for the request", spent, self.seconds)


_BUDGET: ContextVar[WorkBudget | None] = ContextVar("certmint_work_budget", default=None)


@contextmanager
def work_budget(seconds: float) -> Iterator[WorkBudget]:
    """Within the block, every expansion and canonicalization also stops once the request has
    spent ``seconds`` (checked where ``Limits``' own budget is). Inside an open budget, the
    outer one stays in force: a nested call cannot give itself more time."""
    outer = _BUDGET.get()
    if outer is not None:
        yield outer
        return
    budget = WorkBudget(seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _check_request_budget() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.check()


def check_json_bounds(value: Any, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise ``LimitExceededError`` when ``value`` nests deeper or holds more values than allowed.

    Iterative, so a deeply nested document cannot exhaust the Python stack here.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > limits.max_values:
            raise LimitExceededError("JSON values", count, limits.max_values)
        if depth > limits.max_depth:
            raise LimitExceededError("JSON depth", depth, limits.max_depth)
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


@contextmanager
def _translate_pyld() -> Iterator[None]:
    """Turn pyld's ``JsonLdError`` into our errors (keeping a loader error when it is the cause)."""
    try:
        yield
    except jsonld.JsonLdError as exc:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, DocumentLoaderError):
                raise cause from exc
            cause = cause.__cause__ or cause.__context__
        raise CanonicalizationError(f"JSON-LD processing failed: {_innermost(exc)}") from exc
    except RecursionError as exc:
        raise LimitExceededError("JSON depth", float("inf"), 0) from exc
    except (TypeError, KeyError, AttributeError, IndexError, ValueError) as exc:
        # pyld assumes well-formed JSON-LD in places; on hostile input it can fail like this
        raise CanonicalizationError(f"malformed JSON-LD ({type(exc).__name__}: {exc})") from exc


def _innermost(exc: jsonld.JsonLdError) -> str:
    """The message of the deepest JsonLdError in the cause chain (pyld wraps them in layers)."""
    innermost: BaseException = exc
    cause = exc.__cause__
    while isinstance(cause, jsonld.JsonLdError):
        innermost, cause = cause, cause.__cause__
    message = innermost.args[0] if innermost.args else type(innermost).__name__
    code = getattr(innermost, "code", None)
    return f"{message} ({code})" if code else str(message)


class _DeadlineResolver(ContextResolver):  # type: ignore[misc]
    """pyld's context resolver with a deadline.

    pyld resolves a context for every node whose type carries a scoped context (all of OB3's do),
    and that is where expansion spends its time, so checking the clock here bounds expansion.
    """

    def __init__(self, loader: BundledDocumentLoader, limits: Limits) -> None:
        super().__init__(loader.context_cache, loader)
        self._limits = limits
        self._start = time.thread_time()

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        _check_request_budget()
        elapsed = time.thread_time() - self._start
        if elapsed > self._limits.time_budget_s:
            raise LimitExceededError(
                "JSON-LD expansion seconds", elapsed, self._limits.time_budget_s
            )
        return super().resolve(active_ctx, context, base, cycles)


def _options(loader: BundledDocumentLoader, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": _DeadlineResolver(loader, limits),
        "base": None,  # no default base: a relative IRI must stay visible (and be rejected)
        "processingMode": "json-ld-1.1",
    }


def _check_expanded(node: Any, problems: list[str]) -> None:
    """Safe mode, second half: relative @id/@type references are not errors in JSON-LD, but
    they vanish or change meaning in RDF, so a signed credential must not contain them."""
    if isinstance(node, list):
        for item in node:
            _check_expanded(item, problems)
        return
    if not isinstance(node, dict):
        return
    node_id = node.get("@id")
    if isinstance(node_id, str) and not (node_id.startswith("_:") or ":" in node_id):
        problems.append(f"@id {node_id!r}")
    for type_ in node.get("@type", []) if isinstance(node.get("@type"), list) else []:
        if isinstance(type_, str) and ":" not in type_:
            problems.append(f"@type {type_!r}")
    for key, value in node.items():
        if key not in ("@id", "@type", "@value", "@language", "@direction"):
            _check_expanded(value, problems)


def expand_safe(
    document: Mapping[str, Any],
    loader: BundledDocumentLoader,
    limits: Limits = DEFAULT_LIMITS,
) -> list[Any]:
    """Expand ``document``; raise ``UndefinedTermError`` if any term would be dropped.

    pyld has no safe mode, so we watch its ``on_property_dropped`` hook and then look for relative
    references in the result; together these cover what jsonld.js's ``safe: true`` rejects.
    """
    dropped: list[str] = []

    def on_dropped(name: str | None) -> None:
        dropped.append(str(name))

    processor = jsonld.JsonLdProcessor(on_property_dropped=on_dropped)
    with _PYLD_LOCK, _translate_pyld():
        expanded: list[Any] = processor.expand(dict(document), _options(loader, limits))
    _check_expanded(expanded, dropped)
    if dropped:
        raise UndefinedTermError(tuple(sorted(set(dropped))))
    return expanded


def to_dataset(
    document: Mapping[str, Any],
    loader: BundledDocumentLoader,
    limits: Limits = DEFAULT_LIMITS,
) -> Dataset:
    """Return the RDF dataset of ``document`` (pyld's dict form), checked in safe mode."""
    check_json_bounds(document, limits)
    expanded = expand_safe(document, loader, limits)
    with _PYLD_LOCK, _translate_pyld():
        dataset: Dataset = jsonld.JsonLdProcessor().to_rdf(expanded, _options(loader, limits))
    return dataset


class _BoundedURDNA2015(URDNA2015):  # type: ignore[misc]
    """pyld's RDFC-1.0 with a deadline and a cap on Hash N-Degree Quads calls."""

    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self._limits = limits
        self._start = time.thread_time()
        self._calls = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._calls += 1
        if self._calls > self._limits.max_hash_n_degree_calls:
            raise LimitExceededError(
                "Hash N-Degree Quads calls", self._calls, self._limits.max_hash_n_degree_calls
            )
        _check_request_budget()
        elapsed = time.thread_time() - self._start
        if elapsed > self._limits.time_budget_s:
            raise LimitExceededError(
                "canonicalization seconds", elapsed, self._limits.time_budget_s
            )
        return super().hash_n_degree_quads(id_, issuer)


def canonicalize_dataset(dataset: Dataset, limits: Limits = DEFAULT_LIMITS) -> str:
    """Return the RDFC-1.0 canonical N-Quads of ``dataset`` (which is consumed)."""
    quads = sum(len(triples) for triples in dataset.values())
    if quads > limits.max_quads:
        raise LimitExceededError("quads", quads, limits.max_quads)
    blank = {
        component["value"]
        for triples in dataset.values()
        for quad in triples
        for component in (quad["subject"], quad["object"])
        if component["type"] == "blank node"
    }
    blank.update(name for name in dataset if name.startswith("_:"))
    if len(blank) > limits.max_blank_nodes:
        raise LimitExceededError("blank nodes", len(blank), limits.max_blank_nodes)
    with _translate_pyld():
        result: str = _BoundedURDNA2015(limits).main(dataset, {"format": "application/n-quads"})
    return result


def canonicalize_rdfc(
    document: Mapping[str, Any],
    loader: BundledDocumentLoader,
    limits: Limits = DEFAULT_LIMITS,
) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document (the full pyld path)."""
    return canonicalize_dataset(to_dataset(document, loader, limits), limits)


def canonicalize_jcs(value: Any) -> bytes:
    """Return the RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"JCS canonicalization failed: {exc}") from exc


def json_size(document: Any) -> int:
    """Return the size of ``document`` serialized compactly as UTF-8 JSON."""
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())
