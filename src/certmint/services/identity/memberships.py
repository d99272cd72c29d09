"""One person in several organisations: which one a session acts in, and switching.

A session acts for one account, so in one organisation: every page it opens looks only there.
A person with accounts in other organisations (``authorization.memberships``: the same proved
address) switches explicitly; the session they had ends and a new one starts for their account
in the other organisation, with a new cookie and CSRF token and the same absolute limit, so
nothing a page of one organisation holds (a form, a token) acts in the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from certmint.domain.accounts import Principal, User
from certmint.domain.organisations import Organisation
from certmint.services import authorization
from certmint.services.errors import Unauthorized
from certmint.services.identity.sessions import open_session
from certmint.services.identity.tokens import secret_hash
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["ActingAs", "acting_as", "switch_organisation"]


@dataclass(frozen=True, slots=True)
class ActingAs:
    """The organisation a session acts in, and the others its person may switch to."""

    organisation: Organisation
    others: tuple[Organisation, ...]


def acting_as(uow: UnitOfWork, principal: Principal) -> ActingAs | None:
    """What the admin frame and the account page show; None for a token."""
    with uow as tx:
        found = authorization.memberships(tx, principal)
    if not found:
        return None
    (current, _), *others = found
    return ActingAs(current, tuple(organisation for organisation, _ in others))


def switch_organisation(
    uow: UnitOfWork,
    principal: Principal,
    session_token: str,
    slug: str,
    *,
    now: datetime | None = None,
) -> tuple[User, str]:
    """Act in the organisation ``slug`` from now on: the person's account there and the new
    session cookie's token. ``NotFound`` for an organisation they hold no account in (proved,
    active), ``Unauthorized`` if the session has ended meanwhile."""
    now = now or datetime.now(UTC)
    with uow as tx:
        target = authorization.membership_in(tx, principal, slug)
        found = tx.users.session_by_token_hash(secret_hash(session_token))
        if found is None or found[0].ended_at is not None or found[0].user_id != principal.user_id:
            raise Unauthorized("the session has ended: sign in again")
        old = found[0]
        tx.users.update_session(old.id, ended_at=now)
        _, token = open_session(tx, target, now, old.expires_at, action="user.switched_in")
        tx.commit()
    return target, token
