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
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.credentials import BitstringStatusList, StatusEntry, status_list_credential
from certmint.domain.certificates import CertificateStatus
from certmint.domain.organisations import Organisation
from certmint.domain.status_lists import MIN_STATUS_LIST_SIZE, StatusList, StatusPurpose
from certmint.services.errors import NotFound
from certmint.services.issuers.keys import issuer_key, organisation_did
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "SET_BY",
    "ServedStatusList",
    "StatusPlaces",
    "allocate_indexes",
    "allocate_places",
    "serve_status_list",
    "status_list_url",
]

# Which certificate statuses set the bit of each purpose's list.
SET_BY: dict[StatusPurpose, tuple[str, ...]] = {
    StatusPurpose.REVOCATION: (CertificateStatus.REVOKED.value, CertificateStatus.SUPERSEDED.value),
    StatusPurpose.SUSPENSION: (CertificateStatus.SUSPENDED.value,),
}
_system_random = random.SystemRandom()
BLOCK = 4_096  # 32 blocks in a list of 131,072


def status_list_url(
    base: str, organisation: Organisation, purpose: StatusPurpose, sequence: int
) -> str:
    return f"{base}/orgs/{organisation.slug}/status/{purpose.value}/{sequence}"


def allocate_indexes(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    purpose: StatusPurpose,
    count: int,
    now: datetime,
    *,
    rng: random.Random = _system_random,
    size: int = MIN_STATUS_LIST_SIZE,
) -> tuple[StatusList, list[int]]:
    """``count`` free indexes in the organisation's current list (opening a new list when it
    cannot take them all), inside the caller's unit of work."""
    current = uow.status_lists.latest(organisation_id, purpose)
    if current is None or uow.status_lists.allocated(current.id) + count > current.size:
        current = StatusList(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            purpose=purpose,
            sequence=1 if current is None else current.sequence + 1,
            size=size,
            created_at=now,
            updated_at=now,
        )
        uow.status_lists.add(current)
    taken = uow.status_lists.taken_per_block(current.id, BLOCK)
    blocks = [b for b in range(-(-current.size // BLOCK)) if taken.get(b, 0) < BLOCK]
    rng.shuffle(blocks)
    chosen: list[int] = []
    for block in blocks:
        start, end = block * BLOCK, min((block + 1) * BLOCK, current.size)
        used = uow.status_lists.taken_between(current.id, start, end) if taken.get(block) else set()
        free = [i for i in range(start, end) if i not in used]
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

    def entry(self, base: str, organisation: Organisation, index: int) -> StatusEntry:
        """The ``credentialStatus`` entry of the certificate at ``index``."""
        url = status_list_url(
            base, organisation, self.status_list.purpose, self.status_list.sequence
        )
        return StatusEntry(url, index, self.status_list.purpose.value)

    def record(self, uow: SqlAlchemyUnitOfWork, certificate_ids: Sequence[UUID | None]) -> None:
        """Store the places of the certificates (in ``indexes`` order); ``None`` for a
        credential issued through the VC-API, which no certificate holds (its bit is never
        set, and the place keeps the index from any certificate)."""
        uow.status_lists.add_entries(
            self.status_list.id, list(zip(self.indexes, certificate_ids, strict=True))
        )


def allocate_places(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    count: int,
    now: datetime,
    *,
    rng: random.Random = _system_random,
    size: int = MIN_STATUS_LIST_SIZE,
) -> StatusPlaces:
    """``count`` places for new certificates, one revocation index each."""
    status_list, indexes = allocate_indexes(
        uow, organisation_id, StatusPurpose.REVOCATION, count, now, rng=rng, size=size
    )
    return StatusPlaces(status_list, indexes)


@dataclass(frozen=True)
class ServedStatusList:
    credential: dict[str, Any]
    etag: str
    last_modified: datetime


_cache: dict[tuple[UUID, datetime], dict[str, Any]] = {}


def serve_status_list(
    uow: SqlAlchemyUnitOfWork, signing: Signing, slug: str, purpose: str, sequence: int
) -> ServedStatusList:
    """The signed ``BitstringStatusListCredential``, rebuilt only when a bit changed.

    Its bits are derived from the certificates' statuses at this moment; the signature is
    made with the organisation's active key.
    """
    try:
        list_purpose = StatusPurpose(purpose)
    except ValueError:
        raise NotFound("status list", f"{slug}/{purpose}/{sequence}") from None
    with uow:
        organisation = uow.organisations.get_by_slug(slug)
        status_list = (
            uow.status_lists.get(organisation.id, list_purpose, sequence) if organisation else None
        )
        if organisation is None or status_list is None:
            raise NotFound("status list", f"{slug}/{purpose}/{sequence}")
    etag = f'"{status_list.id.hex[:12]}-{int(status_list.updated_at.timestamp() * 1000)}"'
    cache_key = (status_list.id, status_list.updated_at)
    credential = _cache.get(cache_key)
    if credential is None:
        # Only when a bit changed: read the set bits, unseal the key and sign.
        with uow:
            set_indexes = uow.status_lists.set_indexes(status_list.id, SET_BY[list_purpose])
        key = issuer_key(uow, signing.key_store, organisation, signing.base_url)
        bits = BitstringStatusList(status_list.size)
        for index in set_indexes:
            bits.set(index)
        unsigned = status_list_credential(
            list_url=status_list_url(signing.base, organisation, list_purpose, sequence),
            issuer=organisation_did(organisation, signing.base_url),
            purpose=list_purpose.value,
            status_list=bits,
            valid_from=status_list.updated_at,
        )
        credential = signing.sign(unsigned, key, datetime.now(UTC))
        for stale in [k for k in _cache if k[0] == status_list.id]:
            del _cache[stale]  # keep one signed copy per list: the current one
        _cache[cache_key] = credential
    return ServedStatusList(credential, etag, status_list.updated_at)
