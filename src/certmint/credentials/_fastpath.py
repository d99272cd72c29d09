"""An exact, faster RDFC-1.0 path for documents that share a shape.

Full JSON-LD processing of an Open Badges credential costs ~10 ms in pyld, nearly all of it
spent expanding the large OB3/VC contexts; the RDFC-1.0 step itself costs ~0.3 ms. Credentials
of one issuance differ only in string values, so we expand once per *shape* and reuse the result:

1. The shape of a document is its JSON structure with every string value replaced by a *slot*,
   except strings that select meaning rather than carry data (``@context``, ``type``, and the
   few enumerations in :data:`FIXED_KEYS`), which are part of the shape.
2. The first document of a shape is compiled: each slot gets a placeholder IRI and the document
   goes through the full pyld path. In the resulting RDF dataset each placeholder must appear
   whole, as a literal value or as an IRI (subject/object); anything else (a placeholder
   inside a longer string, as a predicate or datatype, or not at all) marks the shape as not
   eligible and it always takes the full path. The compile is run a second time with
   placeholders of another IRI scheme and both results must agree, which proves that no
   context maps ``urn:`` or ``did:`` as a compact-IRI prefix for these slots.
3. Later documents of the shape fill their values into the template's quads and only the
   RDFC-1.0 step runs. A value goes into an IRI slot only if pyld would leave it unchanged:
   it starts with ``http://``, ``https://``, ``urn:`` or ``did:``, has no whitespace (pyld drops
   such IRIs) and is not a term of the contexts in play; otherwise that document takes the full
   path. Literal slots take any string: JSON-LD copies a string value into its RDF literal
   verbatim, and escaping happens in the shared N-Quads serializer. Quads are de-duplicated,
   as JSON-LD node merging does when two slots name the same node.

``tests/credentials/test_fastpath.py`` checks with hypothesis that the two paths produce the
same canonical N-Quads byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyld.nquads import escape

from certmint.credentials._canon import (
    DEFAULT_LIMITS,
    Limits,
    canonicalize_rdfc,
    to_dataset,
)
from certmint.credentials._loader import BundledDocumentLoader
from certmint.credentials._rdfc import (
    BLANK,
    Parts,
    Quad,
    canonicalize_quads,
    label_and_sort,
    object_text,
)
from certmint.credentials.errors import CredentialError

__all__ = ["FIXED_KEYS", "FastRdfCanonicalizer"]

#: Keys whose string values are part of a document's shape (they select types and vocabulary
#: terms, so a different value can mean a different expansion).
FIXED_KEYS = frozenset(
    {
        "@context",
        "@type",
        "@language",
        "@direction",
        "type",
        "achievementType",
        "identityType",
        "statusPurpose",
        "cryptosuite",
        "proofPurpose",
    }
)
_PLACEHOLDER = re.compile(r"(urn|did):x-certmint-slot:(\d+)")
_IRI_VALUE = re.compile(r"(?:https?://|urn:|did:)\S*")
_POSITIONS = ("subject", "object")
_UNKNOWN = object()  # a shape not compiled yet (None means compiled and not eligible)


def _shape(value: Any, values: list[str]) -> Hashable:
    """The document's structure with slot strings collected into ``values``, in document order.

    Key order is part of the shape (JSON-LD ignores it, so this only costs a cache entry when
    a caller reorders keys; it saves sorting every object of every document).

    Subtrees under :data:`FIXED_KEYS` are part of the shape verbatim (frozen). String leaves,
    most of a credential, are handled inline: this runs twice per signature.
    """
    kind = type(value)
    if kind is dict:
        shaped: list[Hashable] = []
        for key, item in value.items():
            if key in FIXED_KEYS:
                shaped.append((key, ("=", _freeze(item))))
            elif type(item) is str:
                values.append(item)
                shaped.append((key, "$"))
            else:
                shaped.append((key, _shape(item, values)))
        return tuple(shaped)
    if kind is list:
        return ("[", *[_shape(item, values) for item in value])
    if kind is str:
        values.append(value)
        return "$"
    return ("v", kind.__name__, value)


def _freeze(value: Any) -> Hashable:
    """A hashable, type-preserving image of a JSON value (for the fixed parts of a shape)."""
    kind = type(value)
    if kind is dict:
        return ("{", *[(key, _freeze(item)) for key, item in sorted(value.items())])
    if kind is list:
        return ("[", *[_freeze(item) for item in value])
    if kind is str:
        text: str = value
        return text
    return ("v", kind.__name__, value)


def _fill(value: Any, slots: list[str]) -> Any:
    """Return ``value`` with its slot strings replaced, in ``_shape``'s order."""
    if isinstance(value, dict):
        return {
            key: item if key in FIXED_KEYS else _fill(item, slots) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_fill(item, slots) for item in value]
    if isinstance(value, str):
        return slots.pop(0)
    return value


def _context_terms(document: Mapping[str, Any], loader: BundledDocumentLoader) -> frozenset[str]:
    """Every term name defined anywhere in the document's contexts (including scoped ones)."""
    terms: set[str] = set()
    seen: set[str] = set()
    contexts: list[Any] = [document.get("@context")]
    while contexts:
        context = contexts.pop()
        if isinstance(context, list):
            contexts.extend(context)
        elif isinstance(context, str) and context not in seen:
            seen.add(context)
            contexts.append(loader.document(context).get("@context"))
        elif isinstance(context, dict):
            terms.update(context)
            for definition in context.values():
                if isinstance(definition, dict) and "@context" in definition:
                    contexts.append(definition["@context"])
    return frozenset(terms)


#: A template quad ready to serialize: (subject blank node, subject text when fixed, subject
#: slot, " <predicate> ", object blank node, object text when fixed, object slot, and for a
#: literal slot the text after its closing quote, None for an IRI slot). Slots are -1 if fixed.
_Plan = tuple[str | None, str, int, str, str | None, str, int, str | None]


def _plan(
    quads: list[tuple[str, tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]],
) -> list[_Plan]:
    plan: list[_Plan] = []
    for predicate, (s_kind, subject, s_slot), (o_kind, obj, o_slot), (dt, lang) in quads:
        s_blank = subject if s_kind == BLANK else None
        o_blank = obj if o_kind == BLANK else None
        plan.append(
            (
                s_blank,
                "" if s_blank is not None or s_slot >= 0 else f"<{subject}>",
                s_slot,
                f" <{predicate}> ",
                o_blank,
                "" if o_blank is not None or o_slot >= 0 else object_text(o_kind, obj, dt, lang),
                o_slot,
                object_text(o_kind, "", dt, lang)[2:] if o_kind == "literal" else None,
            )
        )
    return plan


@dataclass(eq=False)  # compared and hashed by identity: memo keys hold the template itself
class _Template:
    """Quads of one shape; a component is ``(kind, value, slot)`` with slot -1 when fixed."""

    quads_: list[tuple[str, tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]]
    iri_slots: frozenset[int]
    terms: frozenset[str]
    plan: list[_Plan] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.plan = _plan(self.quads_)

    def canonical(self, values: list[str]) -> str:
        """RDFC-1.0 of the template filled with ``values``: ``canonicalize_quads(quads(values))``
        with each quad's fixed text serialized once per shape instead of once per document."""
        parts: list[Parts] = []
        for s_blank, s_fixed, s_slot, middle, o_blank, o_fixed, o_slot, suffix in self.plan:
            s_text = s_fixed if s_slot < 0 else f"<{values[s_slot]}>"
            if o_slot < 0:
                o_text = o_fixed
            else:
                value = values[o_slot]
                o_text = f"<{value}>" if suffix is None else f'"{escape(value)}"{suffix}'
            parts.append((s_blank, s_text, middle, o_blank, o_text))
        canonical = label_and_sort(list(dict.fromkeys(parts)))  # without duplicate quads
        return canonicalize_quads(self.quads(values)) if canonical is None else canonical

    def accepts(self, values: list[str]) -> bool:
        for slot in self.iri_slots:
            value = values[slot]
            if not _IRI_VALUE.fullmatch(value) or value in self.terms:
                return False
        return True

    def quads(self, values: list[str]) -> list[Quad]:
        """The template's quads with ``values`` filled in, without duplicates."""
        seen: set[Quad] = set()
        quads: list[Quad] = []
        for predicate, subject, obj, datatype in self.quads_:
            quad = (
                subject[0],
                values[subject[2]] if subject[2] >= 0 else subject[1],
                predicate,
                obj[0],
                values[obj[2]] if obj[2] >= 0 else obj[1],
                datatype[0],
                datatype[1],
            )
            if quad not in seen:
                seen.add(quad)
                quads.append(quad)
        return quads


def _compile(dataset: dict[str, list[dict[str, Any]]], slots: int) -> _Template | None:
    if set(dataset) != {"@default"}:
        return None
    quads = []
    used: dict[int, str] = {}
    for quad in dataset["@default"]:
        components = []
        for position in _POSITIONS:
            component = quad[position]
            value = component["value"]
            slot = -1
            match = _PLACEHOLDER.search(value)
            if match:
                if match.group(0) != value:
                    return None
                slot = int(match.group(2))
                kind = "literal" if component["type"] == "literal" else "iri"
                if used.setdefault(slot, kind) != kind:
                    return None
            components.append((component["type"], value, slot))
        obj = quad["object"]
        datatype = (obj.get("datatype"), obj.get("language"))
        if any(_PLACEHOLDER.search(str(part)) for part in (*datatype, quad["predicate"]["value"])):
            return None
        quads.append((quad["predicate"]["value"], components[0], components[1], datatype))
    if set(used) != set(range(slots)):
        return None
    iri_slots = frozenset(slot for slot, kind in used.items() if kind == "iri")
    return _Template(quads, iri_slots, frozenset())


@dataclass
class FastRdfCanonicalizer:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, exactly as the full pyld path gives.

    https://www.w3.org/TR/rdf-canon/ and
    https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm

    Callable, so it plugs into ``sign_document(..., rdf_canonicalizer=...)``. Safe to share
    between threads: the caches are only read with ``dict.get`` and replaced whole entries at a
    time, so at worst two threads compile one shape twice (with the same result). The counters
    ``fast`` and ``full`` (approximate under threads) say how often each path ran.
    """

    loader: BundledDocumentLoader
    limits: Limits = DEFAULT_LIMITS
    max_shapes: int = 256
    fast: int = field(default=0, init=False)
    full: int = field(default=0, init=False)
    max_memo: int = 64
    _templates: dict[Hashable, _Template | None] = field(
        default_factory=dict, init=False, repr=False
    )
    # Proof configurations repeat (same key, same second): remember the last few results.
    _memo: dict[Hashable, str] = field(default_factory=dict, init=False, repr=False)

    def __call__(self, document: Mapping[str, Any]) -> str:
        values: list[str] = []
        shape = _shape(document, values)
        template = self._template(shape, document, values)
        if template is None or not template.accepts(values):
            self.full += 1
            return canonicalize_rdfc(document, self.loader, self.limits)
        self.fast += 1
        key = (template, tuple(values))
        canonical = self._memo.get(key)
        if canonical is None:
            canonical = template.canonical(values)
            if len(self._memo) >= self.max_memo:
                self._memo.clear()
            self._memo[key] = canonical
        return canonical

    def covers(self, document: Mapping[str, Any]) -> bool:
        """Whether ``document`` would take the fast path. Never compiles a shape.

        A covered document expands without dropping anything (its shape was compiled in safe
        mode, and its IRI values are ones pyld leaves as they are), so a verifier may skip its
        own safe-mode expansion for it. Verifiers use only shapes compiled already (by signing,
        or by :meth:`prepare`): compiling costs two full pyld runs, which untrusted input
        should not be able to trigger at will.
        """
        values: list[str] = []
        template = self._templates.get(_shape(document, values))
        return isinstance(template, _Template) and template.accepts(values)

    def prepare(self, document: Mapping[str, Any]) -> bool:
        """Compile the shape of a trusted ``document``; return whether it can take the fast path.

        Signing compiles shapes as it meets them; a process that only verifies can prepare the
        shapes it expects (a sample credential, a sample proof configuration).
        """
        values: list[str] = []
        template = self._template(_shape(document, values), document, values)
        return template is not None and template.accepts(values)

    def _template(
        self, shape: Hashable, document: Mapping[str, Any], values: list[str]
    ) -> _Template | None:
        template = self._templates.get(shape, _UNKNOWN)
        if template is _UNKNOWN:
            template = self._build(document, len(values))
            if len(self._templates) >= self.max_shapes:
                self._templates.clear()
            self._templates[shape] = template
        return template if isinstance(template, _Template) else None

    def _build(self, document: Mapping[str, Any], slots: int) -> _Template | None:
        probes = {
            scheme: _fill(document, [f"{scheme}:x-certmint-slot:{i}" for i in range(slots)])
            for scheme in ("urn", "did")
        }
        try:
            template = _compile(to_dataset(probes["urn"], self.loader, self.limits), slots)
            if template is None:
                return None
            did_values = [f"did:x-certmint-slot:{i}" for i in range(slots)]
            expected = canonicalize_quads(template.quads(did_values))
            if expected != canonicalize_rdfc(probes["did"], self.loader, self.limits):
                return None
            template.terms = _context_terms(document, self.loader)
        except CredentialError:
            return None  # the full path will raise the same error for the real document
        return template
