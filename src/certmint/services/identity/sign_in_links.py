"""Signing in without a password: a one-time link sent by e-mail, a link to choose a new
password, and invitations.

The e-mails go through the outbox (``services/notifications/mail.py`` sends them, retrying with
back-off), so asking for a link answers at once and the same way whether or not the address
has an account, and an SMTP server that is down delays the e-mail instead of failing the page.
The link itself is made when the e-mail is sent: it carries 256 random bits, only their SHA-256
is stored, and it works once, within ``LINK_LIFETIME`` (an invitation's within
``INVITATION_LIFETIME``) of being sent. At most ``MAX_LINKS`` links of each kind are queued per
address per ``LINK_LIFETIME``, and ``CLIENT_LINK_RULE``'s allowance per client, so the forms
cannot flood an inbox. Sign-in links are for learner accounts (staff sign in with their
password); a forgotten password is replaced through a link for any role, which signs in only
together with the new password. An invitation's link signs in any role, once, so that a new
member of staff can then set a password. An invitation not yet taken up (no password, never
signed in) can be sent again: a new link, and the links sent before stop working; at most
``MAX_INVITATIONS`` invitation e-mails per account per ``INVITATION_WINDOW``.

Without a mail server the admin hands a link over instead (``hand_over_link``): an invitation's,
or for a learner or course manager who lost their way in, a sign-in link (a learner's) or a
new-password link (a course manager's). Another admin's account never gets one: an admin who
forgot their password asks for the e-mail, or the operator runs ``certmint users
set-password``.
"""

from __future__ import annotations

import secrets
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from uuid import UUID

from certmint.domain.accounts import Principal, Role, User, normalise_email
from certmint.domain.notifications import AccountMailKind, Notification, NotificationStatus
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.catalogue.roster import resolve_learner
from certmint.services.errors import Conflict, InvalidInput, NotFound, Unauthorized
from certmint.services.identity.accounts import add_user, new_user, replace_password
from certmint.services.identity.sessions import start_session
from certmint.services.identity.tokens import secret_hash
from certmint.services.issuers.email_branding import Button, compose_email, mail_brand
from certmint.services.issuers.organisations import find_organisation
from certmint.services.links import Links
from certmint.services.throttling import ThrottleRule, spend_attempt
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "CLIENT_LINK_RULE",
    "INVITATION_LIFETIME",
    "INVITATION_WINDOW",
    "LINK_LIFETIME",
    "MAX_INVITATIONS",
    "MAX_LINKS",
    "BatchInvitations",
    "account_message",
    "awaiting_invitation",
    "hand_over_link",
    "invite_batch",
    "invite_learner",
    "invite_user",
    "request_password_reset",
    "request_sign_in_link",
    "resend_invitation",
    "reset_password",
    "sign_in_with_link",
    "verify_address",
]

LINK_LIFETIME = timedelta(minutes=15)
INVITATION_LIFETIME = timedelta(days=7)
MAX_LINKS = 3
# Invitation e-mails per account (the first included) within the window: enough to resend a
# lost one at once, too few to flood someone's inbox.
MAX_INVITATIONS = 3
INVITATION_WINDOW = timedelta(hours=1)
# Link requests per client: then 1 minute's wait, doubling; forgotten after an hour's quiet.
CLIENT_LINK_RULE = ThrottleRule(20, timedelta(hours=1))
INVITE_PAGE = 1_000  # learners read at a time when a whole batch is invited


def request_sign_in_link(
    uow: UnitOfWork,
    organisation_slug: str | None,
    email: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> None:
    """Queue a sign-in link for this address. Whether the address has an account is decided
    only when the e-mail is sent, so this does the same work for every address and tells the
    caller nothing. At most ``MAX_LINKS`` per address, and ``CLIENT_LINK_RULE``'s allowance per
    ``client`` (its network address), so that one client cannot fill the outbox."""
    _request(uow, organisation_slug, email, AccountMailKind.SIGN_IN_LINK, client=client, now=now)


def request_password_reset(
    uow: UnitOfWork,
    organisation_slug: str | None,
    email: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> None:
    """Queue a link to choose a new password, for any role's account with this address; as
    ``request_sign_in_link``, the same work for every address, and the same limits (the
    client's allowance is shared by both forms)."""
    kind = AccountMailKind.PASSWORD_RESET
    _request(uow, organisation_slug, email, kind, client=client, now=now)


def _request(
    uow: UnitOfWork,
    organisation_slug: str | None,
    email: str,
    kind: AccountMailKind,
    *,
    client: str | None,
    now: datetime | None,
) -> None:
    now = now or datetime.now(UTC)
    try:
        organisation = find_organisation(uow, organisation_slug)
    except NotFound:
        return
    address = normalise_email(unicodedata.normalize("NFC", email))
    if not address or len(address) > 320:
        return
    with uow as tx:
        if client and not spend_attempt(tx, f"sign-in-links:{client}", CLIENT_LINK_RULE, now):
            return
        queued = tx.notifications.count_since(organisation.id, kind, address, now - LINK_LIFETIME)
        if queued < MAX_LINKS:
            _queue(tx, organisation.id, kind, address, now)
        tx.commit()


def invite_user(
    uow: UnitOfWork,
    principal: Principal,
    *,
    email: str,
    display_name: str,
    role: Role,
    course_ids: Iterable[UUID] = (),
    learner_id: UUID | None = None,
    send: bool = True,
) -> User:
    """Create an account without a password (admins; ``accounts.new_user``'s rules) and, with
    ``send``, queue an e-mail with a sign-in link valid for ``INVITATION_LIFETIME``, in one
    transaction. Without (no mail server to send it), the admin hands the person a link from
    ``hand_over_link`` instead."""
    authorization.require(principal, Action.ADMINISTER)
    user = new_user(
        principal.organisation_id,
        email=email,
        display_name=display_name,
        role=role,
        course_ids=course_ids,
        learner_id=learner_id,
    )
    with uow as tx:
        _invite(tx, user, actor=principal.actor, send=send)
        tx.commit()
    return user


def _invite(uow: OpenUnitOfWork, user: User, *, actor: str, send: bool) -> None:
    """Store a ``new_user`` and queue its invitation."""
    add_user(uow, user, None, actor=actor)
    if send:
        kind = AccountMailKind.INVITATION
        _queue(uow, user.organisation_id, kind, user.email, user.created_at, user=user)
    record(
        uow,
        organisation_id=user.organisation_id,
        actor=actor,
        action="user.invited",
        subject_type="user",
        subject_id=user.id,
        details={"role": user.role.value},
        at=user.created_at,
    )


@dataclass(frozen=True)
class BatchInvitations:
    """What inviting a batch did: who was invited, and why the others were not."""

    invited: int
    had_account: int  # the learner, or someone with their e-mail address, has an account
    no_email: int


def invite_batch(
    uow: UnitOfWork, principal: Principal, batch_id: UUID, *, send: bool = True
) -> BatchInvitations:
    """Invite every learner of a batch who has an e-mail address and no account yet (admins),
    in one transaction (so a second run invites only those added since). Each invitation is
    the one ``invite_learner`` makes."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    counts = {"invited": 0, "had_account": 0, "no_email": 0}
    with uow as tx:
        if tx.roster.get_batch(organisation_id, batch_id) is None:
            raise NotFound("batch", batch_id)
        after: UUID | None = None
        while page := tx.roster.enrolments_page(batch_id, after=after, limit=INVITE_PAGE):
            after = page[-1][0].id
            for _, learner in page:
                email = normalise_email(learner.email or "")
                if not email:
                    counts["no_email"] += 1
                elif tx.users.by_learner(organisation_id, learner.id) or tx.users.by_email(
                    organisation_id, email
                ):
                    counts["had_account"] += 1
                else:
                    user = new_user(
                        organisation_id,
                        email=email,
                        display_name=learner.name,
                        role=Role.LEARNER,
                        learner_id=learner.id,
                    )
                    _invite(tx, user, actor=principal.actor, send=send)
                    counts["invited"] += 1
        tx.commit()
    return BatchInvitations(**counts)


def invite_learner(
    uow: UnitOfWork, principal: Principal, learner_ref: str, *, send: bool = True
) -> User:
    """Invite a learner record (its e-mail address and name) to an account (admins). Raises
    ``Conflict`` if the learner has an account already, ``InvalidInput`` if the record has no
    e-mail address."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    learner = resolve_learner(uow, organisation_id, learner_ref)
    if not learner.email:
        raise InvalidInput([f"learner {learner.external_id}: no e-mail address"], "not invited")
    with uow as tx:
        if tx.users.by_learner(organisation_id, learner.id) is not None:
            raise Conflict(f"learner {learner.external_id} already has an account")
    return invite_user(
        uow,
        principal,
        email=learner.email,
        display_name=learner.name,
        role=Role.LEARNER,
        learner_id=learner.id,
        send=send,
    )


def awaiting_invitation(uow: UnitOfWork, principal: Principal) -> set[UUID]:
    """The organisation's accounts whose invitation has not been taken up (for its admins):
    active, with no password, never signed in. Their invitation may be sent again."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        return tx.users.never_signed_in(principal.organisation_id)


def resend_invitation(
    uow: UnitOfWork, principal: Principal, user_id: UUID, *, now: datetime | None = None
) -> User:
    """Queue the invitation e-mail again with a new link (admins). The links sent before stop
    working at once, and an invitation still waiting in the outbox is dropped, so only the
    newest link signs in. Raises ``Conflict`` if the account was taken up already (or is
    disabled), or if ``MAX_INVITATIONS`` were queued for it within ``INVITATION_WINDOW``."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    now = now or datetime.now(UTC)
    kind = AccountMailKind.INVITATION
    with uow as tx:
        user = _awaiting(tx, organisation_id, user_id)
        sent = tx.notifications.count_since(
            organisation_id, kind, user.email, now - INVITATION_WINDOW
        )
        if sent >= MAX_INVITATIONS:
            raise Conflict(
                f"{user.email} was sent {sent} invitations in the last "
                f"{INVITATION_WINDOW.seconds // 60} minutes: wait before sending another"
            )
        _forget_links(tx, user, now)
        _queue(tx, organisation_id, kind, user.email, now, user=user)
        record(
            tx,
            organisation_id=organisation_id,
            actor=principal.actor,
            action="user.invitation_resent",
            subject_type="user",
            subject_id=user.id,
            at=now,
        )
        tx.commit()
    return user


def hand_over_link(
    uow: UnitOfWork,
    organisation_id: UUID,
    user_id: UUID,
    *,
    links: Links,
    actor: str,
    now: datetime | None = None,
) -> str:
    """A link for the admin to hand over when no mail server is configured (or an e-mail does
    not arrive), valid for ``INVITATION_LIFETIME``: the sign-in link of an invitation not yet
    taken up (any role), or for an active learner a sign-in link and for an active course
    manager a link to choose a new password. Raises ``Conflict`` for another admin who has
    signed in already, a disabled account, and the admin's own. As with
    ``resend_invitation``, the links made before stop working and a waiting invitation e-mail is
    dropped. The account's address counts as not proved from then on (``authorization``'s
    memberships). The audit log records that a link was made, never the link."""
    now = now or datetime.now(UTC)
    with uow as tx:
        user = tx.users.get(organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        invited = bool(tx.users.never_signed_in(organisation_id, [user.id]))
        if actor == f"user:{user.id}":
            raise Conflict("you are signed in already: change your password on your account page")
        if not user.active:
            raise Conflict(f"{user.email} is disabled: enable the account first")
        if not invited and user.role is Role.ADMIN:
            raise Conflict(
                f"{user.email} is an admin: they ask for a new password on the sign-in page, "
                "or the operator sets one (certmint users set-password)"
            )
        _forget_links(tx, user, now)
        token = _new_link(tx, user, INVITATION_LIFETIME, now, mailed=False)
        # Whoever holds this link can be the account: it is no longer proved to be the
        # address owner's, so it joins none of their other organisations until they use a
        # link e-mailed to the address again (``verify_address``).
        tx.users.update(user.id, email_verified_at=None)
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action="user.invitation_link_made" if invited else "user.sign_in_link_made",
            subject_type="user",
            subject_id=user.id,
            at=now,
        )
        tx.commit()
    reset = not invited and user.role is not Role.LEARNER
    return links.password_reset(token) if reset else links.sign_in_link(token)


def _awaiting(uow: OpenUnitOfWork, organisation_id: UUID, user_id: UUID) -> User:
    """The account, if its invitation is still to be taken up."""
    user = uow.users.get(organisation_id, user_id)
    if user is None:
        raise NotFound("user", user_id)
    if not uow.users.never_signed_in(organisation_id, [user.id]):
        raise Conflict(
            f"{user.email} has signed in or set a password already, or is disabled: "
            "there is no invitation to send again"
        )
    return user


def _forget_links(uow: OpenUnitOfWork, user: User, now: datetime) -> None:
    """Only the newest invitation signs in: earlier links stop working, waiting e-mails go."""
    uow.users.expire_links(user.id, now)
    uow.notifications.skip_waiting(user.id, AccountMailKind.INVITATION)


def _new_link(
    uow: OpenUnitOfWork, user: User, lifetime: timedelta, now: datetime, *, mailed: bool
) -> str:
    """A new one-time link's secret; only its hash is stored.
    ``mailed``: it goes to the address by e-mail, so using it proves the address."""
    token = secrets.token_urlsafe(32)
    uow.users.add_link(user.id, secret_hash(token), now, now + lifetime, mailed=mailed)
    return token


def sign_in_with_link(
    uow: UnitOfWork, token: str, *, now: datetime | None = None
) -> tuple[User, str]:
    """Use a link (once) and start a session: the user and the session cookie's token. Raises
    ``Unauthorized`` for a link that is unknown, used, expired, or whose user is disabled.

    A link that was e-mailed proves the address (``verify_address``); one an admin handed
    over does not, since the admin had it too."""
    now = now or datetime.now(UTC)
    with uow as tx:
        user = _spend_link(
            tx, token, now, "this sign-in link is unknown, used or expired: ask for a new one"
        )
        tx.commit()
    _, session_token = start_session(uow, user, now=now)
    return user, session_token


def reset_password(
    uow: UnitOfWork, token: str, password: str, *, now: datetime | None = None
) -> tuple[User, str]:
    """Use a link (once) to replace the password, end every other session (whoever knew the
    old password is signed out) and start a new one: the user and the session cookie's token.
    A password that fails the policy raises ``InvalidInput`` and leaves the link unspent;
    the link is refused like ``sign_in_with_link``'s, and an e-mailed one proves the address
    as there."""
    now = now or datetime.now(UTC)
    with uow as tx:
        user = _spend_link(
            tx, token, now, "this link is unknown, used or expired: ask for a new one"
        )
        replace_password(tx, user, password, actor=f"user:{user.id}", now=now)
        tx.commit()
    _, session_token = start_session(uow, user, now=now)
    return user, session_token


def _spend_link(tx: OpenUnitOfWork, token: str, now: datetime, refusal: str) -> User:
    """The active user a link (used now, once) is for; an e-mailed link proves the address.
    Any link that cannot be used gets the same ``refusal``: which of unknown, used, expired
    or disabled it was is not told to whoever holds it."""
    if not token or len(token) > 100:
        raise Unauthorized(refusal)
    used = tx.users.use_link(secret_hash(token), now)
    user = None if used is None else tx.users.by_id(used[0])
    if used is None or user is None or not user.active:
        raise Unauthorized(refusal)
    if used[1] and user.email_verified_at is None:
        user = verify_address(tx, user, now)
    return user


def verify_address(uow: OpenUnitOfWork, user: User, now: datetime) -> User:
    """Record that the account's owner proved its address. A
    password set before then may be someone else's (an admin who signed in with a handed-over
    invitation link), so it is dropped and the account's other sessions end: from now on the
    account is the address owner's, also in the organisations where they have accounts."""
    uow.users.update(user.id, email_verified_at=now, password_hash=None)
    uow.users.end_sessions_of(user.id, now)
    record(
        uow,
        organisation_id=user.organisation_id,
        actor=f"user:{user.id}",
        action="user.address_verified",
        subject_type="user",
        subject_id=user.id,
        at=now,
    )
    return replace(user, email_verified_at=now)


def account_message(
    uow: UnitOfWork,
    notification: Notification,
    *,
    sender: str,
    links: Links,
    now: datetime,
) -> EmailMessage | None:
    """The e-mail for a queued sign-in link or invitation, with a link made now (committed
    before it is sent; if sending fails the unsent link just expires). None when there is no
    one to send it to: no account with the address asked for (for a sign-in link, no learner
    account), or a disabled one."""
    kind = AccountMailKind(notification.kind)
    with uow as tx:
        organisation = tx.organisations.get(notification.organisation_id)
        brand = mail_brand(tx, organisation)
        if kind is AccountMailKind.INVITATION:
            user = tx.users.by_id(notification.user_id) if notification.user_id else None
        else:
            user = tx.users.by_email(notification.organisation_id, notification.recipient)
            if kind is AccountMailKind.SIGN_IN_LINK and user and user.role is not Role.LEARNER:
                user = None
        if organisation is None or user is None or not user.active:
            return None
        lifetime = INVITATION_LIFETIME if kind is AccountMailKind.INVITATION else LINK_LIFETIME
        token = _new_link(tx, user, lifetime, now, mailed=True)
        tx.commit()
    reset = kind is AccountMailKind.PASSWORD_RESET
    link = links.password_reset(token) if reset else links.sign_in_link(token)
    if reset:
        button = Button(link, "Choose a new password")
        subject = f"Choose a new password at {organisation.name}"
        body = (
            f"Dear {user.display_name},\n\n"
            f"Use this link within {LINK_LIFETIME.seconds // 60} minutes to choose a new "
            f"password. It works once, and signs you out everywhere else.\n\n{link}\n\n"
            "If you did not ask for it, ignore this e-mail: your password stays as it is.\n"
        )
    elif kind is AccountMailKind.SIGN_IN_LINK:
        button = Button(link, "Sign in")
        subject = f"Sign in to {organisation.name}"
        body = (
            f"Dear {user.display_name},\n\n"
            f"Use this link within {LINK_LIFETIME.seconds // 60} minutes to sign in and see "
            f"your certificates. It works once.\n\n{link}\n\n"
            "If you did not ask for it, ignore this e-mail: nobody can sign in without the "
            "link.\n"
        )
    elif user.role is Role.LEARNER:
        button = Button(link, "Sign in")
        subject = f"Your certificates at {organisation.name}"
        body = (
            f"Dear {user.display_name},\n\n"
            f"{organisation.name} has made you an account to see, download and share your "
            f"certificates. Sign in with this link (it works once, within "
            f"{INVITATION_LIFETIME.days} days):\n\n{link}\n\n"
            f"Later, ask for a new link at {links.login()}.\n"
        )
    else:
        button = Button(link, "Sign in")
        subject = f"Your Certmint account at {organisation.name}"
        body = (
            f"Dear {user.display_name},\n\n"
            f"{organisation.name} has made you an account to manage its certificates. Sign in "
            f"with this link (it works once, within {INVITATION_LIFETIME.days} days), then "
            f"choose a password on your account page:\n\n{link}\n"
        )
    return compose_email(
        brand,
        sender=organisation.email_sender or sender,
        sender_name=organisation.name,
        recipient=user.email,
        subject=subject,
        text=body,
        button=button,
    )


def _queue(
    uow: OpenUnitOfWork,
    organisation_id: UUID,
    kind: AccountMailKind,
    recipient: str,
    now: datetime,
    *,
    user: User | None = None,
) -> None:
    uow.notifications.add_many(
        [
            Notification(
                id=uuid.uuid4(),
                organisation_id=organisation_id,
                certificate_id=None,
                kind=kind,
                recipient=recipient,
                status=NotificationStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                user_id=None if user is None else user.id,
            )
        ]
    )
