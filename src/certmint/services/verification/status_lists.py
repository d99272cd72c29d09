"""Bitstring status lists: places for new certificates, and the signed lists verifiers read.

Indexes are drawn at random (herd privacy: a set bit says nothing about when a certificate was
issued) and checked against the taken ones; the (list, index) primary key settles any race
between concurrent issuers. So that concurrent issuers rarely race at all, a chunk draws its
indexes inside one randomly chosen block of the list (``BLOCK`` indexes; more blocks when one
has too little room): two chunks in flight meet only when they pick the same block, instead of
almost surely sharing some of two thousand indexes drawn from the whole list. A list holds
``MIN_STATUS_LIST_SIZE`` entries; when it cannot take a whole chunk, the next list is opened.

A new certificate holds one place, in a revocation list: its credential has one
``credentialStatus`` entry, as Open Badges 3.0 allows. Suspension is a state the server holds and
reports (``services.verification.verify``), not a second entry: see docs/credentials.md, "Status".
Certificates issued before also hold the *same* index in the suspension list of the same
sequence number (``.../status/revocation/3`` and ``.../status/suspension/3`` were a pair); those
lists are still served, and their bits still follow the certificates' statuses.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.credentials import BitstringStatusList, StatusEntry, status_list_credential
from certmint.domain.certificates import CertificateStatus
from certmint.domain.organisations import Organisation
from certmint.domain.status_lists import (
    MIN_STATUS_LIST_SIZE,
    PublishedStatusList,
    StatusList,
    StatusPurpose,
)
from certmint.services.errors import NotFound
from certmint.services.issuers.keys import IssuerKey, active_issuer_key
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links, StatusListAddress
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "SET_BY",
    "ServedStatusList",
    "StatusListSigner",
    "StatusPlaces",
    "allocate_indexes",
    "allocate_places",
    "published_status_list",
    "serve_status_list",
    "sign_stale_status_lists",
]

# Which certificate statuses set the bit of each purpose's list.
SET_BY: dict[StatusPurpose, tuple[str, ...]] = {
    StatusPurpose.REVOCATION: (CertificateStatus.REVOKED.value, CertificateStatus.SUPERSEDED.value),
    StatusPurpose.SUSPENSION: (CertificateStatus.SUSPENDED.value,),
}
_system_random = random.SystemRandom()
BLOCK = 4_096  # 32 blocks in a list of 131,072


def allocate_indexes(
    uow: OpenUnitOfWork,
    organisation_id: UUID,
    purpose: StatusPurpose,
    count: int,
    now: datetime,
    *,
    rng: random.Random = _system_random,
    size: int = MIN_STATUS_LIST_SIZE,
    signer: StatusListSigner | None = None,
    reserved: StatusPlaces | None = None,
) -> tuple[StatusList, list[int]]:
    """``count`` free indexes in the organisation's current list (opening a new list when it
    cannot take them all, signed by ``signer``: verifiers can fetch it at once), inside the
    caller's unit of work. ``reserved``: places already drawn for certificates not committed
    yet (the chunk an issuance pipeline is writing), left alone."""
    current = uow.status_lists.latest(organisation_id, purpose)
    held = set()
    if reserved is not None and current is not None and reserved.status_list.id == current.id:
        held = set(reserved.indexes)
    if current is None or uow.status_lists.allocated(current.id) + len(held) + count > current.size:
        opened = StatusList(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            purpose=purpose,
            sequence=1 if current is None else current.sequence + 1,
            size=size,
            created_at=now,
            updated_at=now,
        )
        current = uow.status_lists.add(opened)
        if signer is not None and current is opened:
            signer.sign(uow, [current])
    taken = uow.status_lists.taken_per_block(current.id, BLOCK)
    blocks = [b for b in range(-(-current.size // BLOCK)) if taken.get(b, 0) < BLOCK]
    rng.shuffle(blocks)
    chosen: list[int] = []
    for block in blocks:
        start, end = block * BLOCK, min((block + 1) * BLOCK, current.size)
        used = uow.status_lists.taken_between(current.id, start, end) if taken.get(block) else set()
        free = [i for i in range(start, end) if i not in used and i not in held]
        chosen += rng.sample(free, min(len(free), count - len(chosen)))
        if len(chosen) == count:
            break
    rng.shuffle(chosen)
    return current, chosen


@dataclass(frozen=True)
class StatusPlaces:
    """Places for a run of new certificates: ``indexes[i]`` in the revocation list."""

    status_list: StatusList
    indexes: list[int]

    def entry(self, links: Links, organisation: Organisation, index: int) -> StatusEntry:
        """The ``credentialStatus`` entry of the certificate at ``index``."""
        url = links.status_list(organisation, self.status_list.purpose, self.status_list.sequence)
        return StatusEntry(url, index, self.status_list.purpose.value)

    def record(self, uow: OpenUnitOfWork, certificate_ids: Sequence[UUID | None]) -> None:
        """Store the places of the certificates (in ``indexes`` order); ``None`` for a
        credential issued through the VC-API, which no certificate holds (its bit is never
        set, and the place keeps the index from any certificate)."""
        uow.status_lists.add_entries(
            self.status_list.id, list(zip(self.indexes, certificate_ids, strict=True))
        )


def allocate_places(
    uow: OpenUnitOfWork,
    signer: StatusListSigner,
    count: int,
    now: datetime,
    *,
    rng: random.Random = _system_random,
    size: int = MIN_STATUS_LIST_SIZE,
    reserved: StatusPlaces | None = None,
) -> StatusPlaces:
    """``count`` places for new certificates of ``signer``'s organisation, one revocation
    index each (none of ``reserved``'s)."""
    status_list, indexes = allocate_indexes(
        uow,
        signer.organisation.id,
        StatusPurpose.REVOCATION,
        count,
        now,
        rng=rng,
        size=size,
        signer=signer,
        reserved=reserved,
    )
    return StatusPlaces(status_list, indexes)


class StatusListSigner:
    """Signs an organisation's status lists inside the unit of work that changed them (a new
    list opened by issuance, a bit set or cleared by a status change), so the signed copy a
    verifier is served is never behind the certificates and serving it needs no private key.
    The key is unsealed on first use (``key`` given: the caller's, already open)."""

    def __init__(
        self, signing: Signing, organisation: Organisation, key: IssuerKey | None = None
    ) -> None:
        self.signing = signing
        self.organisation = organisation
        self._key = key

    def changed(
        self, uow: OpenUnitOfWork, status_lists: Sequence[StatusList], now: datetime
    ) -> None:
        """Bits of ``status_lists`` changed at ``now`` (the caller's status change, in its open
        unit of work): record it and sign them as they are now. On PostgreSQL the list's row
        stays locked until commit, so a concurrent change signs after this one, seeing it."""
        uow.status_lists.touch([s.id for s in status_lists], now)
        self.sign(uow, [replace(s, updated_at=now) for s in status_lists])

    def sign(self, uow: OpenUnitOfWork, status_lists: Sequence[StatusList]) -> None:
        """Sign each list's bits as they are in the open unit of work and keep the copy."""
        for status_list in status_lists:
            purpose = status_list.purpose
            bits = BitstringStatusList(status_list.size)
            for index in uow.status_lists.set_indexes(status_list.id, SET_BY[purpose]):
                bits.set(index)
            links = self.signing.links
            unsigned = status_list_credential(
                list_url=links.status_list(self.organisation, purpose, status_list.sequence),
                issuer=links.did(self.organisation),
                purpose=purpose.value,
                status_list=bits,
                valid_from=status_list.updated_at,
            )
            signed = self.signing.sign(unsigned, self.key(uow), datetime.now(UTC))
            uow.status_lists.publish(status_list.id, signed, status_list.updated_at)

    def key(self, uow: OpenUnitOfWork) -> IssuerKey:
        if self._key is None:
            signing = self.signing
            self._key = active_issuer_key(uow, signing.key_store, self.organisation, signing.links)
        return self._key


def sign_stale_status_lists(uow: UnitOfWork, signing: Signing) -> int:
    """Sign every list whose signed copy is missing, behind its list or made for another base
    URL (lists made before signing on change, or after the base URL changed): what a server
    does as it starts, before it serves any. Returns how many were signed."""
    with uow as tx:
        stale = [
            p.status_list
            for p in tx.status_lists.all_published()
            if not p.current or (p.credential or {}).get("id") != _url(signing.links, tx, p)
        ]
        by_organisation: dict[UUID, list[StatusList]] = {}
        for status_list in stale:
            by_organisation.setdefault(status_list.organisation_id, []).append(status_list)
        for organisation_id, lists in by_organisation.items():
            organisation = tx.organisations.get(organisation_id)
            if organisation is not None:
                StatusListSigner(signing, organisation).sign(tx, lists)
        tx.commit()
    return len(stale)


def _url(links: Links, uow: OpenUnitOfWork, published: PublishedStatusList) -> str | None:
    status_list = published.status_list
    organisation = uow.organisations.get(status_list.organisation_id)
    if organisation is None:
        return None
    return links.status_list(organisation, status_list.purpose, status_list.sequence)


@dataclass(frozen=True)
class ServedStatusList:
    credential: dict[str, Any]
    etag: str
    last_modified: datetime


def published_status_list(
    uow: OpenUnitOfWork, address: StatusListAddress
) -> ServedStatusList | None:
    """The signed ``BitstringStatusListCredential`` at ``address``, as it was signed when its
    bits last changed, in the caller's open unit of work; None when there is none. One read,
    nothing signed: a page view or a verifier's fetch never needs the private key."""
    try:
        purpose = StatusPurpose(address.purpose)
    except ValueError:
        return None
    published = uow.status_lists.published(address.slug, purpose, address.sequence)
    if published is None or published.credential is None or published.signed_for is None:
        return None
    signed_for = published.signed_for
    etag = f'"{published.status_list.id.hex[:12]}-{int(signed_for.timestamp() * 1000)}"'
    return ServedStatusList(published.credential, etag, signed_for)


def serve_status_list(uow: UnitOfWork, slug: str, purpose: str, sequence: int) -> ServedStatusList:
    """``published_status_list`` in a unit of work of its own; ``NotFound`` when there is none."""
    with uow as tx:
        served = published_status_list(tx, StatusListAddress(slug, purpose, sequence))
    if served is None:
        raise NotFound("status list", f"{slug}/{purpose}/{sequence}")
    return served
