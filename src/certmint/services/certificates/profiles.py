"""A learner's opt-in public profile: an unguessable URL listing their current certificates.

Off until the learner turns it on; turning it off makes the URL answer 404 at once, and turning
it on again makes a new URL (the old one stays dead). The page shows only what is printed on
the certificates themselves, and only certificates that are current (not revoked, suspended,
superseded or expired).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from certmint.domain.accounts import Principal
from certmint.domain.certificates import CertificateStatus
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import NotFound
from certmint.services.links import Links
from certmint.services.read_models.learner_certificates import (
    IssuerCertificates,
    LearnerCertificate,
    learning_profile,
)
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["PublicProfile", "profile_token", "public_profile", "set_public_profile"]


@dataclass(frozen=True, slots=True)
class PublicProfile:
    """The current certificates of one person, grouped by the organisation that issued them
    (every organisation where the learner's account is theirs: ``learning_profile``)."""

    name: str  # as printed on the newest certificate
    issuers: tuple[IssuerCertificates, ...]

    @property
    def certificates(self) -> tuple[LearnerCertificate, ...]:
        return tuple(c for issuer in self.issuers for c in issuer.certificates)


def profile_token(uow: UnitOfWork, principal: Principal) -> str | None:
    """The learner's profile token, or None while the profile is off."""
    user_id = authorization.own_user_id(principal, Action.PUBLISH_PROFILE)
    with uow as tx:
        return tx.users.profile_token(user_id)


def set_public_profile(uow: UnitOfWork, principal: Principal, *, enabled: bool) -> str | None:
    """Turn the profile on (a new unguessable token, returned) or off (None)."""
    user_id = authorization.own_user_id(principal, Action.PUBLISH_PROFILE)
    token = secrets.token_urlsafe(24) if enabled else None
    with uow as tx:
        if (tx.users.profile_token(user_id) is not None) == enabled:
            return tx.users.profile_token(user_id)  # already so: keep the URL people have
        tx.users.update(user_id, profile_token=token)
        record(
            tx,
            organisation_id=principal.organisation_id,
            actor=principal.actor,
            action="profile.published" if enabled else "profile.withdrawn",
            subject_type="user",
            subject_id=user_id,
        )
        tx.commit()
    return token


def public_profile(uow: UnitOfWork, token: str, *, links: Links) -> PublicProfile:
    """What the public profile page shows; ``NotFound`` for an unknown or withdrawn token."""
    with uow as tx:
        user = tx.users.by_profile_token(token) if 16 <= len(token) <= 64 else None
    owner = Principal.of_user(user) if user is not None and user.active else None
    if owner is None or not authorization.allows(owner, Action.SEE_OWN_CERTIFICATES):
        raise NotFound("profile", token)
    issuers = []
    for issuer in learning_profile(uow, owner, links=links):
        current = tuple(
            c for c in issuer.certificates if c.status is CertificateStatus.ACTIVE and not c.expired
        )
        if current:
            issuers.append(IssuerCertificates(issuer.organisation, current, acting=False))
    newest = max(
        (c for issuer in issuers for c in issuer.certificates),
        key=lambda c: c.issued_at,
        default=None,
    )
    name = newest.printed["recipient.name"] if newest else ""
    return PublicProfile(name, tuple(issuers))
