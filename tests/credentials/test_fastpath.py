"""The fast RDFC path must give exactly the canonical N-Quads of the full pyld path."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from certmint.credentials import (
    AchievementInfo,
    BundledDocumentLoader,
    CredentialData,
    EmailIdentity,
    ExternalIdentity,
    FastRdfCanonicalizer,
    InvalidCredentialDataError,
    IssuerProfile,
    Limits,
    ProofOptions,
    Recipient,
    ScoreResult,
    StatusEntry,
    UndefinedTermError,
    build_credential,
    canonicalize_quads,
    canonicalize_rdfc,
    sign_document,
    status_entry,
)
from certmint.credentials._rdfc import _URDNA2015, _pyld_dataset
from tests.credentials.conftest import NOW, make_data, with_two_status_entries

# Text from every Unicode category but lone surrogates, with controls, combining marks,
# joiners, quotes and backslashes over-represented: what sanitising and N-Quads escaping touch.
_TRICKY = st.sampled_from(
    ["\x00", "\t", "\n", "\r", "\x7f", "\x85", "\u0301", "\u200d", "\u202e", '"', "\\", "\u2028"]
)
_CHAR = st.one_of(st.characters(exclude_categories=["Cs"]), _TRICKY)
TEXT = st.lists(_CHAR, min_size=1, max_size=40).map("".join)
_IRI_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"],
    exclude_characters='<>"{}|\\^`',
)
_PATH = st.lists(_IRI_CHARS, max_size=20).map("".join)
_HOST = st.from_regex(r"[a-z0-9]{1,10}(\.[a-z]{2,5}){1,2}", fullmatch=True)
HTTPS = st.builds(lambda host, path: f"https://{host}/{path}", _HOST, _PATH)
DID = st.builds(lambda host: f"did:web:{host}", _HOST)
MOMENT = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
IDENTITY = st.one_of(
    st.builds(EmailIdentity, st.emails(), TEXT),
    st.builds(ExternalIdentity, TEXT, st.sampled_from(["sourcedId", "identifier", "ext:lms"])),
)

# The time budget guards servers against hostile documents (test_verifier.py); here, on
# a loaded machine, it would only turn slow compiles of new shapes into false failures.
UNHURRIED = Limits(time_budget_s=120.0)
STATUS_ENTRY = st.builds(
    StatusEntry, HTTPS, st.integers(0, 2**20), st.sampled_from(["revocation", "suspension"])
)
# What issuance wrote until 2026-12 (old credentials are still verified): the same index in
# the paired revocation and suspension lists.
PAIRED = st.builds(
    lambda host, sequence, index: [
        status_entry(
            StatusEntry(f"https://{host}/orgs/a/status/{purpose}/{sequence}", index, purpose)
        )
        for purpose in ("revocation", "suspension")
    ],
    _HOST,
    st.integers(1, 99),
    st.integers(0, 2**17 - 1),
)


@st.composite
def credential_data(draw: st.DrawFn) -> CredentialData:
    valid_from = draw(MOMENT)
    return CredentialData(
        certificate_id=draw(st.uuids()),
        issuer=IssuerProfile(draw(DID), draw(TEXT), draw(HTTPS), draw(st.none() | HTTPS)),
        recipient=Recipient(draw(TEXT), draw(IDENTITY)),
        achievement=AchievementInfo(
            draw(HTTPS), draw(TEXT), draw(TEXT), draw(TEXT), draw(st.none() | HTTPS)
        ),
        valid_from=valid_from,
        valid_until=draw(
            st.none()
            | st.timedeltas(timedelta(seconds=1), timedelta(days=40_000)).map(
                lambda delta: valid_from + delta
            )
        ),
        result=draw(st.none() | st.builds(ScoreResult, TEXT | st.decimals().map(str))),
        status=draw(st.none() | STATUS_ENTRY),
    )


@pytest.fixture(scope="module")
def fast(loader: BundledDocumentLoader) -> FastRdfCanonicalizer:
    return FastRdfCanonicalizer(loader, UNHURRIED)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=credential_data())
def test_fast_path_equals_full_pyld_path(
    data: CredentialData, fast: FastRdfCanonicalizer, loader: BundledDocumentLoader
) -> None:
    try:
        credential = build_credential(data)
    except InvalidCredentialDataError:
        assume(False)  # the builder refused it: nothing would be signed
        return
    before = fast.fast
    assert fast(credential) == canonicalize_rdfc(credential, loader, UNHURRIED)
    assert fast.fast == before + 1, "a builder credential must take the fast path"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=credential_data(), status=PAIRED)
def test_fast_path_equals_full_path_with_paired_status_entries(
    data: CredentialData,
    status: list[dict[str, Any]],
    fast: FastRdfCanonicalizer,
    loader: BundledDocumentLoader,
) -> None:
    try:
        credential = build_credential(replace(data, status=None)) | {"credentialStatus": status}
    except InvalidCredentialDataError:
        assume(False)
        return
    assert len(credential["credentialStatus"]) == 2
    before = fast.fast
    assert fast(credential) == canonicalize_rdfc(credential, loader, UNHURRIED)
    assert fast.fast == before + 1


@settings(max_examples=50, deadline=None)
@given(created=MOMENT, method=st.one_of(DID, HTTPS).map(lambda iri: iri + "#key-1"))
def test_fast_path_equals_full_path_for_proof_configurations(
    created: datetime, method: str, fast: FastRdfCanonicalizer, loader: BundledDocumentLoader
) -> None:
    config = ProofOptions(method, created).configuration(build_credential(make_data())["@context"])
    assert fast(config) == canonicalize_rdfc(config, loader)


def test_signatures_are_identical_on_both_paths(
    fast: FastRdfCanonicalizer, loader: BundledDocumentLoader, issuer_key: Any
) -> None:
    credential = build_credential(make_data())
    options = ProofOptions("did:web:certs.example.org#k", NOW)
    slow = sign_document(credential, issuer_key, options, loader=loader)
    quick = sign_document(credential, issuer_key, options, loader=loader, rdf_canonicalizer=fast)
    assert quick == slow


def test_slots_naming_the_same_node_are_merged(
    fast: FastRdfCanonicalizer, loader: BundledDocumentLoader
) -> None:
    # Issuer logo and achievement image are one node: JSON-LD merges them and so must we.
    same = "https://certs.example.org/same.png"
    data = make_data()
    issuer = IssuerProfile(data.issuer.did, data.issuer.name, same, same)
    achievement = AchievementInfo(same, "n", "d", "c", same)
    credential = build_credential(make_data(issuer=issuer, achievement=achievement))
    full = canonicalize_rdfc(credential, loader)
    assert fast(credential) == full
    assert len(full.splitlines()) == len(set(full.splitlines()))


def test_identical_values_in_every_literal_slot(
    fast: FastRdfCanonicalizer, loader: BundledDocumentLoader
) -> None:
    text = 'x"\\\n'
    data = make_data(
        recipient=Recipient(text, ExternalIdentity(text)),
        achievement=AchievementInfo("https://e.org/a", text, text, text),
        result=ScoreResult(text),
    )
    credential = build_credential(data)
    assert fast(credential) == canonicalize_rdfc(credential, loader)


def test_values_pyld_would_rewrite_take_the_full_path(
    loader: BundledDocumentLoader,
) -> None:
    fast = FastRdfCanonicalizer(loader)
    credential = build_credential(make_data())
    fast(credential)
    assert (fast.fast, fast.full) == (1, 0)
    # A relative IRI would be resolved or dropped by JSON-LD: not a fast-path value.
    credential["credentialSubject"]["achievement"]["id"] = "achievements/42"
    with pytest.raises(UndefinedTermError):
        fast(credential)
    assert fast.full == 1
    # A compact IRI whose prefix is a context term would be expanded: e.g. "xsd:".
    credential["credentialSubject"]["achievement"]["id"] = "xsd:string"
    assert fast(credential) == canonicalize_rdfc(credential, loader)
    assert fast.full == 2


def test_a_different_shape_compiles_a_new_template(loader: BundledDocumentLoader) -> None:
    fast = FastRdfCanonicalizer(loader)
    for changes in ({}, {"result": None}, {"valid_until": None}, {}):
        credential = build_credential(make_data(certificate_id=uuid.uuid4(), **changes))
        assert fast(credential) == canonicalize_rdfc(credential, loader)
    assert fast.fast == 4
    assert len(fast._templates) == 3


def test_ineligible_shapes_always_take_the_full_path(loader: BundledDocumentLoader) -> None:
    fast = FastRdfCanonicalizer(loader)
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            {"data": {"@id": "urn:d", "@type": "@json"}},
        ],
        "id": "urn:uuid:1",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:a.example",
        "credentialSubject": {"data": {"note": "a string inside a JSON literal"}},
    }
    for _ in range(2):
        assert fast(document) == canonicalize_rdfc(document, loader)
    assert (fast.fast, fast.full) == (0, 2)


_NODE = st.sampled_from(["_:b0", "_:b1", "_:b2", "_:b3"])
_IRI = st.sampled_from(["urn:a", "urn:b", "https://e.org/c"])
_LITERAL = st.tuples(
    st.just("literal"),
    TEXT,
    st.sampled_from(
        [
            "http://www.w3.org/2001/XMLSchema#string",
            "http://www.w3.org/2001/XMLSchema#dateTime",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        ]
    ),
    st.sampled_from([None, "en", "fr-CA"]),
)
_OBJECT = st.one_of(
    st.tuples(st.just("blank node"), _NODE, st.none(), st.none()),
    st.tuples(st.just("IRI"), _IRI, st.none(), st.none()),
    _LITERAL,
)
QUADS = st.lists(
    st.builds(
        lambda subject, predicate, obj: (*subject, predicate, *obj[:2], obj[2], obj[3]),
        st.one_of(st.tuples(st.just("blank node"), _NODE), st.tuples(st.just("IRI"), _IRI)),
        st.sampled_from(["urn:p", "urn:q"]),
        _OBJECT,
    ),
    max_size=12,
    unique=True,
)


@settings(max_examples=400, deadline=None)
@given(quads=QUADS)
def test_own_rdfc_equals_pyld_including_ties(quads: list[Any]) -> None:
    # Small graphs over four blank nodes and two predicates: ties between first-degree hashes
    # (symmetric nodes, cycles, self-loops) are common here, exercising the hand-over to pyld.
    fixed = [
        (*quad[:5], quad[5], quad[6] if quad[5].endswith("langString") else None)
        if quad[3] == "literal"
        else (*quad[:5], None, None)
        for quad in quads
    ]
    expected = _URDNA2015().main(_pyld_dataset(fixed), {"format": "application/n-quads"})
    assert canonicalize_quads(fixed) == expected


def test_symmetric_blank_nodes_are_handed_to_pyld() -> None:
    quads = [
        ("blank node", "_:x", "urn:p", "blank node", "_:y", None, None),
        ("blank node", "_:y", "urn:p", "blank node", "_:x", None, None),
    ]
    assert canonicalize_quads(quads) == ("_:c14n0 <urn:p> _:c14n1 .\n_:c14n1 <urn:p> _:c14n0 .\n")


def test_shared_between_threads_with_tiny_caches(loader: BundledDocumentLoader) -> None:
    # Tiny caches force clears while other threads read: results must stay exact.
    fast = FastRdfCanonicalizer(loader, max_shapes=1, max_memo=1)
    variants = [{}, {"result": None}, {"valid_until": None}, {"status": None}, {}]
    documents = [
        build_credential(make_data(certificate_id=uuid.UUID(int=i), **variants[i % 5]))
        for i in range(40)
    ]
    documents[4::5] = [  # the two entries issued until 2026-12
        with_two_status_entries(d, "https://e.org/status", 7) for d in documents[4::5]
    ]
    expected = [canonicalize_rdfc(document, loader) for document in documents]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(fast, documents * 3))
    assert results == expected * 3
