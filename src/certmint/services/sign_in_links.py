"""Signing in without a password: a one-time link sent by e-mail, and learner invitations.

A link carries 256 random bits; only their SHA-256 is stored. It works once, and only for
``LINK_LIFETIME`` (an invitation's for ``INVITATION_LIFETIME``). Asking for a link answers the
same whether or not the address has an account, so the form reveals nothing; at most
``MAX_LINKS`` links are sent per account per ``LINK_LIFETIME``, so it cannot flood an inbox.
Links are for learner accounts: staff sign in with their password.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from uuid import UUID

from certmint.domain.accounts import Role, User
from certmint.domain.organisations import Organisation
from certmint.services.accounts import create_user
from certmint.services.audit import record
from certmint.services.errors import Conflict, InvalidInput, NotFound, Unauthorized
from certmint.services.notifications import Mailer
from certmint.services.organisations import find_organisation
from certmint.services.roster import resolve_learner
from certmint.services.sessions import start_session
from certmint.services.tokens import secret_hash
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "INVITATION_LIFETIME",
    "LINK_LIFETIME",
    "MAX_LINKS",
    "invite_learner",
    "send_sign_in_link",
    "sign_in_with_link",
]

LINK_LIFETIME = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=7)
MAX_LINKS = 3
LINK_PATH = "/login/link/"


def send_sign_in_link(
    uow: SqlAlchemyUnitOfWork,
    mailer: Mailer,
    organisation_slug: str | None,
    email: str,
    *,
    base_url: str,
    sender: str,
    now: datetime | None = None,
) -> bool:
    """E-mail a sign-in link to the learner account with this address. Returns whether one was
    sent; callers must not tell the person (that would reveal which addresses have accounts)."""
    now = now or datetime.now(UTC)
    try:
        organisation = find_organisation(uow, organisation_slug)
    except NotFound:
        return False
    with uow:
        user = uow.users.by_email(organisation.id, email)
        if user is None or not user.active or user.role is not Role.LEARNER:
            return False
        if uow.users.links_since(user.id, now - LINK_LIFETIME) >= MAX_LINKS:
            return False
        token = _new_link(uow, user, now, LINK_LIFETIME)
        uow.commit()
    subject = f"Sign in to {organisation.name}"
    body = (
        f"Dear {user.display_name},\n\n"
        f"Use this link within {LINK_LIFETIME.seconds // 60} minutes to sign in and see your "
        f"certificates. It works once.\n\n{_link(base_url, token)}\n\n"
        "If you did not ask for it, ignore this e-mail: nobody can sign in without the link.\n"
    )
    mailer.send(_message(organisation, user, sender, subject, body))
    return True


def invite_learner(
    uow: SqlAlchemyUnitOfWork,
    mailer: Mailer,
    organisation_id: UUID,
    learner_ref: str,
    *,
    base_url: str,
    sender: str,
    actor: str,
) -> User:
    """Create a learner account for a learner record (its e-mail address and name) and e-mail
    a sign-in link valid for ``INVITATION_LIFETIME``. Raises ``Conflict`` if the learner has an
    account already, ``InvalidInput`` if the record has no e-mail address."""
    learner = resolve_learner(uow, organisation_id, learner_ref)
    if not learner.email:
        raise InvalidInput([f"learner {learner.external_id}: no e-mail address"], "not invited")
    with uow:
        if uow.users.by_learner(organisation_id, learner.id) is not None:
            raise Conflict(f"learner {learner.external_id} already has an account")
        organisation = uow.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    user = create_user(
        uow,
        organisation_id,
        email=learner.email,
        display_name=learner.name,
        role=Role.LEARNER,
        learner_id=learner.id,
        actor=actor,
    )
    now = datetime.now(UTC)
    with uow:
        token = _new_link(uow, user, now, INVITATION_LIFETIME)
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="user.invited",
            subject_type="user",
            subject_id=user.id,
            details={"learner_id": str(learner.id)},
            at=now,
        )
        uow.commit()
    body = (
        f"Dear {learner.name},\n\n"
        f"{organisation.name} has made you an account to see, download and share your "
        f"certificates. Sign in with this link (it works once, within "
        f"{INVITATION_LIFETIME.days} days):\n\n{_link(base_url, token)}\n\n"
        f"Later, ask for a new link at {base_url.rstrip('/')}/login.\n"
    )
    subject = f"Your certificates at {organisation.name}"
    mailer.send(_message(organisation, user, sender, subject, body))
    return user


def sign_in_with_link(
    uow: SqlAlchemyUnitOfWork, token: str, *, now: datetime | None = None
) -> tuple[User, str]:
    """Use a link (once) and start a session: the user and the session cookie's token. Raises
    ``Unauthorized`` for a link that is unknown, used, expired, or whose user is disabled."""
    now = now or datetime.now(UTC)
    refused = Unauthorized("this sign-in link is unknown, used or expired: ask for a new one")
    if not token or len(token) > 100:
        raise refused
    with uow:
        user_id = uow.users.use_link(secret_hash(token), now)
        user = None if user_id is None else uow.users.by_id(user_id)
        if user is None or not user.active:
            raise refused
        uow.commit()
    _, session_token = start_session(uow, user, now=now)
    return user, session_token


def _new_link(uow: SqlAlchemyUnitOfWork, user: User, now: datetime, lifetime: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    uow.users.add_link(user.id, secret_hash(token), now, now + lifetime)
    return token


def _link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def _message(
    organisation: Organisation, user: User, sender: str, subject: str, body: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((organisation.name, sender))
    message["To"] = user.email
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    return message
