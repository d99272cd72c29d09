"""Signing keys and issuer identity (did:web) of organisations.

The private key goes into the key store before its public half is recorded, so a row never
points at a key that was not saved; a key saved for a transaction that then rolled back is
merely unused. Key-store ids are ``<organisation id>#<publicKeyMultibase>``: they do not depend
on the base URL, which may change, while the DID (derived from it) does.

Every operation on private keys first proves the master secret by opening the key it relies
on (the active one), before it changes anything: a key made under a wrong secret would be
unusable later, and retiring the good one for it would stop all issuing. A key store that does
not open answers ``SigningKeyUnavailable``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from certmint.credentials import (
    Ed25519KeyPair,
    Ed25519PublicKey,
    KeyDecryptionError,
    KeyStore,
    KeyStoreError,
    did_document,
)
from certmint.domain.accounts import Principal
from certmint.domain.organisations import Organisation, SigningKey
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import Conflict, NotFound, SigningKeyUnavailable, TooManyAttempts
from certmint.services.links import Links
from certmint.services.throttling import ThrottleRule, limit_attempt
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "ROTATION_RULE",
    "IssuerIdentity",
    "IssuerKey",
    "active_issuer_key",
    "did_document_for",
    "did_document_of",
    "ensure_signing_key",
    "issuer_identity",
    "issuer_key",
    "prove_master_secret",
    "rotate_signing_key",
]


@dataclass(frozen=True)
class IssuerKey:
    """What signing needs: the issuer's DID, the verification method id and the key pair."""

    did: str
    verification_method: str
    key_pair: Ed25519KeyPair


@dataclass(frozen=True)
class IssuerIdentity:
    """What others see of an organisation as issuer: its DID and the public halves of every
    key it ever had, newest first (``keys[0]`` signs now unless it is retired)."""

    did: str
    keys: list[SigningKey]

    def verification_method(self, key: SigningKey) -> str:
        """The id a credential's proof names for ``key``."""
        return f"{self.did}#{key.public_key_multibase}"


def _store_id(organisation_id: UUID, public_key_multibase: str) -> str:
    return f"{organisation_id}#{public_key_multibase}"


def _unseal(key_store: KeyStore, organisation_id: UUID, key: SigningKey) -> Ed25519KeyPair:
    """The private half of ``key``: the proof that the master secret is the right one."""
    with _key_store_errors():
        return key_store.get(_store_id(organisation_id, key.public_key_multibase))


@contextmanager
def _key_store_errors() -> Iterator[None]:
    try:
        yield
    except KeyDecryptionError as exc:
        raise SigningKeyUnavailable(exc.key_id, wrong_secret=True) from None
    except KeyStoreError as exc:
        raise SigningKeyUnavailable(exc.key_id, wrong_secret=False) from None


def _new_key(
    uow: OpenUnitOfWork, key_store: KeyStore, organisation_id: UUID, now: datetime
) -> SigningKey:
    pair = Ed25519KeyPair.generate()
    multibase = pair.public_key.multibase
    with _key_store_errors():  # the store refuses a secret that opens none of its keys
        key_store.put(_store_id(organisation_id, multibase), pair)
    key = SigningKey(uuid.uuid4(), organisation_id, multibase, multibase, now, None)
    uow.signing_keys.add(key)
    return key


def ensure_signing_key(
    uow: UnitOfWork, key_store: KeyStore, organisation_id: UUID, *, actor: str = "system"
) -> SigningKey:
    """The organisation's active key, made now if it has none (idempotent); an existing key is
    opened, which proves the master secret."""
    with uow as tx:
        existing = tx.signing_keys.active_for(organisation_id)
        if existing is not None:
            _unseal(key_store, organisation_id, existing)
            return existing
        key = add_first_key(tx, key_store, organisation_id, actor=actor)
        tx.commit()
    return key


def add_first_key(
    tx: OpenUnitOfWork, key_store: KeyStore, organisation_id: UUID, *, actor: str
) -> SigningKey:
    """A new organisation's signing key, in the transaction that stores the organisation, so
    that a key the store refuses (a wrong master secret) leaves no organisation without one."""
    now = datetime.now(UTC)
    key = _new_key(tx, key_store, organisation_id, now)
    record(
        tx,
        organisation_id=organisation_id,
        actor=actor,
        action="key.created",
        subject_type="signing_key",
        subject_id=key.key_id,
        at=now,
    )
    return key


def rotate_signing_key(
    uow: UnitOfWork, key_store: KeyStore, principal: Principal, *, reason: str | None = None
) -> SigningKey:
    """Retire the organisation's active key and make a new one (admins). Retired keys stay in
    the DID document, so credentials they signed keep verifying. ``TooManyAttempts`` past
    ``ROTATION_RULE``. The active key is opened first: with a wrong master secret this raises
    ``SigningKeyUnavailable`` and changes nothing."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id, actor = principal.organisation_id, principal.actor
    with uow as tx:
        if tx.organisations.get(organisation_id) is None:
            raise NotFound("organisation", organisation_id)
        now = datetime.now(UTC)
        _limit_rotations(tx, organisation_id, now)
        old = tx.signing_keys.active_for(organisation_id)
        if old is not None:
            _unseal(key_store, organisation_id, old)
        tx.signing_keys.retire_active(organisation_id, now)
        key = _new_key(tx, key_store, organisation_id, now)
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action="key.rotated",
            subject_type="signing_key",
            subject_id=key.key_id,
            reason=reason,
            details={"retired": old.key_id if old else None},
            at=now,
        )
        tx.commit()
    return key


# Every retired key stays in the DID document for good, and verifiers bound the document's
# size: a loop of rotations (a script gone wrong, a stolen admin token) would soon make every
# credential of the organisation unverifiable. A few in a row are fine (a mistake put right);
# then each further one waits, from a minute doubling up to an hour.
ROTATION_RULE = ThrottleRule(allowed=3, forget_after=timedelta(days=1))


def _limit_rotations(uow: OpenUnitOfWork, organisation_id: UUID, now: datetime) -> None:
    try:
        limit_attempt(uow, f"key-rotation:{organisation_id}", ROTATION_RULE, now)
    except TooManyAttempts as exc:
        raise TooManyAttempts(exc.retry_after, "key rotations") from None


def issuer_key(
    uow: UnitOfWork, key_store: KeyStore, organisation: Organisation, links: Links
) -> IssuerKey:
    """The active key pair of an organisation, ready to sign."""
    with uow as tx:
        return active_issuer_key(tx, key_store, organisation, links)


def active_issuer_key(
    uow: OpenUnitOfWork, key_store: KeyStore, organisation: Organisation, links: Links
) -> IssuerKey:
    """``issuer_key`` inside the caller's open unit of work (for work that signs in the
    transaction that changed what it signs: status lists)."""
    key = uow.signing_keys.active_for(organisation.id)
    if key is None:
        raise Conflict(f"organisation {organisation.slug} has no signing key; run `certmint init`")
    did = links.did(organisation)
    return IssuerKey(
        did=did,
        verification_method=f"{did}#{key.public_key_multibase}",
        key_pair=_unseal(key_store, organisation.id, key),
    )


def prove_master_secret(uow: UnitOfWork, key_store: KeyStore) -> int:
    """Open the active key of every organisation (what a server checks before it starts);
    returns how many were opened, or raises ``SigningKeyUnavailable``."""
    with uow as tx:
        active = [
            key
            for organisation in tx.organisations.list()
            if (key := tx.signing_keys.active_for(organisation.id)) is not None
        ]
    for key in active:
        _unseal(key_store, key.organisation_id, key)
    return len(active)


def issuer_identity(uow: UnitOfWork, organisation_id: UUID, links: Links) -> IssuerIdentity:
    """The organisation's DID and its keys, public halves only (the settings page shows them)."""
    with uow as tx:
        organisation = tx.organisations.get(organisation_id)
        if organisation is None:
            raise NotFound("organisation", organisation_id)
        keys = tx.signing_keys.list_for(organisation_id)
    return IssuerIdentity(links.did(organisation), keys[::-1])


def did_document_for(uow: UnitOfWork, links: Links, slug: str | None) -> dict[str, Any]:
    """The DID document of the default organisation (``slug=None``) or of ``slug``'s.

    Only the default organisation answers at the bare host; any other at ``/orgs/<slug>``.
    """
    with uow as tx:
        organisation = (
            tx.organisations.get_default() if slug is None else tx.organisations.get_by_slug(slug)
        )
        if organisation is None or (slug is not None and organisation.is_default):
            raise NotFound("organisation", slug or "(default)")
        document = did_document_of(tx, links, organisation)
    if document is None:
        raise NotFound("signing key of organisation", organisation.slug)
    return document


def did_document_of(
    uow: OpenUnitOfWork, links: Links, organisation: Organisation
) -> dict[str, Any] | None:
    """The organisation's DID document (every key it ever had), in the caller's open unit of
    work; None while it has no key."""
    keys = uow.signing_keys.list_for(organisation.id)
    if not keys:
        return None
    public_keys = [Ed25519PublicKey.from_multibase(k.public_key_multibase) for k in keys]
    return did_document(links.did(organisation), public_keys)
