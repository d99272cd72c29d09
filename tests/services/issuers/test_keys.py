from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from certmint.credentials import (
    BundledDocumentLoader,
    DidResolver,
    InMemoryKeyStore,
    ProofOptions,
    sign_document,
    verify_proof,
)
from certmint.domain.accounts import Principal, Role
from certmint.services.errors import Forbidden, NotFound
from certmint.services.issuers.keys import (
    did_document_for,
    ensure_signing_key,
    issuer_identity,
    issuer_key,
    rotate_signing_key,
)
from certmint.services.links import Links
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import make_organisation

LINKS = Links("https://certs.example.org:8443")


def test_default_and_other_organisations_get_their_own_did(uow: SqlAlchemyUnitOfWork) -> None:
    default = make_organisation(uow, "Main", default=True)
    other = make_organisation(uow, "Physics Dept")
    assert LINKS.did(default) == "did:web:certs.example.org%3A8443"
    assert LINKS.did(other) == "did:web:certs.example.org%3A8443:orgs:physics-dept"


def test_ensure_is_idempotent_and_keys_rotate(uow: SqlAlchemyUnitOfWork) -> None:
    store = InMemoryKeyStore()
    org = make_organisation(uow, default=True)
    first = ensure_signing_key(uow, store, org.id)
    assert ensure_signing_key(uow, store, org.id) == first
    second = rotate_signing_key(uow, store, Principal.at_shell(org.id), reason="yearly")
    assert second.key_id != first.key_id
    assert len(store.list()) == 2

    document = did_document_for(uow, LINKS, None)
    methods = [m["id"] for m in document["verificationMethod"]]
    did = LINKS.did(org)
    assert methods == [f"{did}#{second.key_id}", f"{did}#{first.key_id}"]  # newest first
    assert document["assertionMethod"] == methods  # the retired key still verifies
    assert document["authentication"] == methods[:1]


def test_signature_by_the_issuer_key_resolves_through_the_did_document(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    store = InMemoryKeyStore()
    org = make_organisation(uow, default=True)
    ensure_signing_key(uow, store, org.id)
    signer = issuer_key(uow, store, org, LINKS)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": signer.did,
        "credentialSubject": {"name": "x"},
    }
    loader = BundledDocumentLoader()
    options = ProofOptions(
        verification_method=signer.verification_method, created=datetime.now(UTC)
    )
    signed = sign_document(document, signer.key_pair, options, loader=loader)
    resolver = DidResolver({signer.did: did_document_for(uow, LINKS, None)})
    resolved = resolver(signer.verification_method)
    assert resolved.controller == signer.did
    assert verify_proof(signed, signed["proof"][0], resolved.public_key, loader=loader)


def test_unknown_or_default_slug_is_not_found(uow: SqlAlchemyUnitOfWork) -> None:
    default = make_organisation(uow, "Main", default=True)
    ensure_signing_key(uow, InMemoryKeyStore(), default.id)
    with pytest.raises(NotFound):
        did_document_for(uow, LINKS, "nope")
    with pytest.raises(NotFound):
        did_document_for(uow, LINKS, default.slug)  # the default answers at the bare host only


def test_the_issuer_identity_lists_public_keys_newest_first(uow: SqlAlchemyUnitOfWork) -> None:
    store = InMemoryKeyStore()
    org = make_organisation(uow, "Other")
    assert issuer_identity(uow, org.id, LINKS).keys == []
    first = ensure_signing_key(uow, store, org.id)
    second = rotate_signing_key(uow, store, Principal.at_shell(org.id))
    identity = issuer_identity(uow, org.id, LINKS)
    assert identity.did == LINKS.did(org)
    assert [k.key_id for k in identity.keys] == [second.key_id, first.key_id]
    assert [k.is_active for k in identity.keys] == [True, False]
    method = identity.verification_method(second)
    assert method == issuer_key(uow, store, org, LINKS).verification_method
    with pytest.raises(NotFound):
        issuer_identity(uow, uuid4(), LINKS)


def test_only_admins_rotate_keys(uow: SqlAlchemyUnitOfWork) -> None:
    """The use case asks the policy, whoever calls it: a course manager is refused."""
    store = InMemoryKeyStore()
    org = make_organisation(uow)
    first = ensure_signing_key(uow, store, org.id)
    manager = Principal(org.id, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    with pytest.raises(Forbidden):
        rotate_signing_key(uow, store, manager)
    assert ensure_signing_key(uow, store, org.id) == first
