"""Awarding: certificates for chosen learners, stored with their status-list places, webhook
events and e-mails in the caller's transaction."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from certmint.domain.certificates import Certificate, certificate_number
from certmint.domain.courses import Enrolment, Learner
from certmint.domain.notifications import Notification, NotificationKind, NotificationStatus
from certmint.services.certificate_events import enqueue_certificate_events
from certmint.services.issuance.context import AchievementContext
from certmint.services.issuance.signed_certificates import draft_certificate
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import OpenUnitOfWork
from certmint.services.verification.status_lists import (
    StatusListSigner,
    StatusPlaces,
    allocate_places,
)

__all__ = ["award", "certificate_numbers", "draft_awards", "store_awards"]

_rng = random.SystemRandom()


def certificate_numbers(
    uow: OpenUnitOfWork, organisation_id: UUID, count: int, year: int
) -> list[str]:
    numbers: set[str] = set()
    while len(numbers) < count:
        fresh = {
            certificate_number(year, _rng.getrandbits(50)) for _ in range(count - len(numbers))
        }
        numbers |= fresh - uow.certificates.numbers_taken(organisation_id, sorted(fresh))
    return list(numbers)


def award(
    uow: OpenUnitOfWork,
    ctx: AchievementContext,
    signing: Signing,
    pairs: Sequence[tuple[Enrolment, Learner]],
    now: datetime,
    *,
    supersedes: UUID | None = None,
    valid_from: datetime | None = None,
) -> list[Certificate]:
    """Issue to each (enrolment, learner) inside the open unit of work; nothing is checked
    (the caller decided who is eligible; the database refuses a second current certificate)."""
    if not pairs:
        return []
    places = allocate_places(
        uow, StatusListSigner(signing, ctx.organisation, ctx.key), len(pairs), now
    )
    numbers = certificate_numbers(uow, ctx.organisation.id, len(pairs), now.year)
    drafts = draft_awards(
        ctx, pairs, places, numbers, now, valid_from=valid_from, supersedes=supersedes
    )
    certificates = [replace(c, credential=signing.sign(c.credential, ctx.key, now)) for c in drafts]
    store_awards(uow, ctx, pairs, certificates, places=places, now=now)
    return certificates


def draft_awards(
    ctx: AchievementContext,
    pairs: Sequence[tuple[Enrolment, Learner]],
    places: StatusPlaces,
    numbers: Sequence[str],
    now: datetime,
    *,
    valid_from: datetime | None = None,
    supersedes: UUID | None = None,
) -> list[Certificate]:
    """Each pair's certificate at its place and number, its credential not signed yet."""
    return [
        draft_certificate(
            ctx,
            learner,
            enrolment,
            number=number,
            status=places.entry(ctx.links, ctx.organisation, index),
            issued=now,
            valid_from=valid_from,
            supersedes=supersedes,
        )
        for (enrolment, learner), number, index in zip(pairs, numbers, places.indexes, strict=True)
    ]


def store_awards(
    uow: OpenUnitOfWork,
    ctx: AchievementContext,
    pairs: Sequence[tuple[Enrolment, Learner]],
    certificates: Sequence[Certificate],
    *,
    places: StatusPlaces,
    now: datetime,
) -> None:
    """Insert the signed certificates with their status-list places, webhook events and
    e-mails (the outboxes), inside the open unit of work."""
    supersedes = certificates[0].supersedes_id if certificates else None
    uow.certificates.add_many(list(certificates))
    places.record(uow, [c.id for c in certificates])
    enqueue_certificate_events(
        uow,
        ctx.organisation.id,
        "certificate.reissued" if supersedes else "certificate.issued",
        certificates,
        links=ctx.links,
        now=now,
    )
    kind = NotificationKind.REISSUED if supersedes else NotificationKind.ISSUED
    uow.notifications.add_many(
        [
            Notification(
                uuid.uuid4(),
                ctx.organisation.id,
                c.id,
                kind,
                learner.email,
                NotificationStatus.PENDING,
                0,
                now,
                now,
            )
            for c, (_, learner) in zip(certificates, pairs, strict=True)
            if learner.email
        ]
    )
