"""User accounts: create, set a password, sign in (argon2id, throttled per e-mail address and
per client), disable.

Passwords are hashed with argon2id (argon2-cffi's current defaults); a hash made with older
parameters is replaced on the next successful sign-in. Signing in takes the same time whether
or not the e-mail address is known, so response times do not reveal which accounts exist.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from certmint.domain.accounts import Principal, Role, User, normalise_email
from certmint.services import authorization
from certmint.services.audit import record
from certmint.services.authorization import Action
from certmint.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from certmint.services.identity.tokens import secret_hash
from certmint.services.throttling import ThrottleRule, count_failure, throttle_key, unless_throttled
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork

__all__ = [
    "ADDRESS_RULE",
    "CLIENT_RULE",
    "LOCKOUT_AFTER",
    "MIN_PASSWORD_LENGTH",
    "add_user",
    "authenticate",
    "change_own_password",
    "check_password_policy",
    "create_user",
    "disable_user",
    "enable_user",
    "find_user",
    "generate_password",
    "get_user",
    "has_password",
    "list_users",
    "new_user",
    "replace_password",
    "set_course_scope",
    "set_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # argon2 hashes anything, but a megabyte "password" is an attack
# After this many failures an e-mail address waits before it may try again: 1 minute,
# doubling with each further failure, at most an hour. A success resets the count.
LOCKOUT_AFTER = 5
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_UNKNOWN_USER = "unknown e-mail address or wrong password"


# argon2-cffi's defaults are RFC 9106's low-memory profile (argon2id, 64 MiB, 3 passes): about
# a second of one core here, paid once per sign-in. The test suite swaps in argon2's cheapest
# profile (tests/conftest.py) so that hundreds of sign-ins stay fast.
password_hasher = PasswordHasher()


def _hasher() -> PasswordHasher:
    return password_hasher


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the address is unknown, so both cases cost the same."""
    return hasher.hash("certmint-timing-equaliser")


def generate_password() -> str:
    """A random password to hand over once (128 bits, URL-safe characters)."""
    return secrets.token_urlsafe(16)


def check_password_policy(password: str, *, email: str = "") -> None:
    """Raise ``InvalidInput`` unless the password is long enough and not trivially guessable."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"password: at most {MAX_PASSWORD_LENGTH} characters")
    if password and len(set(password)) == 1:
        problems.append("password: not one character repeated")
    if email and password.strip().casefold() == email.strip().casefold():
        problems.append("password: not the e-mail address")
    if problems:
        raise InvalidInput(problems, "password rejected")


def _clean_email(email: str) -> str:
    email = unicodedata.normalize("NFC", email.strip())
    if len(email) > 320 or not _EMAIL.match(email):
        raise InvalidInput([f"email: {email!r} is not an e-mail address"], "user rejected")
    return email


def new_user(
    organisation_id: UUID,
    *,
    email: str,
    display_name: str,
    role: Role,
    course_ids: Iterable[UUID] = (),
    learner_id: UUID | None = None,
    operator: bool = False,
    verified_at: datetime | None = None,
) -> User:
    """A user checked against the role rules (not yet stored: see ``add_user``). A course
    manager needs at least one course; a learner account needs its learner record; the
    operator grant is for staff (``add_user`` checks it is in the default organisation)."""
    email = _clean_email(email)
    display_name = unicodedata.normalize("NFC", display_name.strip())
    courses = frozenset(course_ids)
    problems = []
    if not display_name or len(display_name) > 200 or not display_name.isprintable():
        problems.append("display name: 1 to 200 printable characters")
    problems += _scope_problems(role, courses)
    if role is Role.LEARNER and learner_id is None:
        problems.append("learner: a learner account is linked to a learner record")
    if role is not Role.LEARNER and learner_id is not None:
        problems.append("learner: only learner accounts are linked to a learner record")
    if operator and role is Role.LEARNER:
        problems.append("operator: a learner account cannot operate the instance")
    if problems:
        raise InvalidInput(problems, "user rejected")
    return User(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        email=email,
        display_name=display_name,
        role=role,
        created_at=datetime.now(UTC),
        course_ids=courses,
        learner_id=learner_id,
        operator=operator,
        email_verified_at=verified_at,
    )


def _scope_problems(role: Role, courses: frozenset[UUID]) -> list[str]:
    if role is Role.COURSE_MANAGER and not courses:
        return ["courses: a course manager needs at least one course"]
    if role is not Role.COURSE_MANAGER and courses:
        return ["courses: only course managers are scoped to courses"]
    return []


def add_user(uow: OpenUnitOfWork, user: User, password_hash: str | None, *, actor: str) -> None:
    """Store a ``new_user`` (the caller commits). Raises
    ``NotFound`` for another organisation's course or learner, ``Conflict`` if the e-mail
    address is taken in this organisation (compared case-insensitively)."""
    _check_courses(uow, user.organisation_id, user.course_ids)
    if user.learner_id is not None and (
        uow.roster.get_learner(user.organisation_id, user.learner_id) is None
    ):
        raise NotFound("learner", user.learner_id)
    if uow.users.by_email(user.organisation_id, user.email) is not None:
        raise Conflict(f"a user with e-mail {user.email} exists in this organisation")
    if user.operator and not _is_default(uow, user.organisation_id):
        raise InvalidInput(
            ["operator: only accounts of the default organisation operate the instance"],
            "user rejected",
        )
    uow.users.add(user, password_hash)
    record(
        uow,
        organisation_id=user.organisation_id,
        actor=actor,
        action="user.created",
        subject_type="user",
        subject_id=user.id,
        details={
            "email": user.email,
            "role": user.role.value,
            "courses": sorted(map(str, user.course_ids)),
            **({"operator": True} if user.operator else {}),
        },
        at=user.created_at,
    )


def _is_default(uow: OpenUnitOfWork, organisation_id: UUID) -> bool:
    organisation = uow.organisations.get(organisation_id)
    return organisation is not None and organisation.is_default


def _check_courses(uow: OpenUnitOfWork, organisation_id: UUID, courses: Iterable[UUID]) -> None:
    for course_id in sorted(courses):
        if uow.roster.get_course(organisation_id, course_id) is None:
            raise NotFound("course", course_id)


def create_user(
    uow: UnitOfWork,
    principal: Principal,
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    course_ids: Iterable[UUID] = (),
    learner_id: UUID | None = None,
    operator: bool = False,
    address_verified: bool = False,
) -> User:
    """A new account of the principal's organisation (admins; an ``operator`` account only
    by the instance's operator), with ``new_user``'s rules and ``add_user``'s checks. Without
    a password the user cannot sign in by password until one is set. ``address_verified``:
    whoever creates it vouches for the address (the instance's operator at the command line),
    so the account is its owner's across organisations from the start."""
    authorization.require(principal, Action.ADMINISTER)
    if operator:
        authorization.require(principal, Action.OPERATE_INSTANCE)
    user = new_user(
        principal.organisation_id,
        email=email,
        display_name=display_name,
        role=role,
        course_ids=course_ids,
        learner_id=learner_id,
        operator=operator,
        verified_at=datetime.now(UTC) if address_verified else None,
    )
    if password is not None:
        check_password_policy(password, email=user.email)
    password_hash = None if password is None else _hasher().hash(password)
    with uow as tx:
        add_user(tx, user, password_hash, actor=principal.actor)
        tx.commit()
    return user


def list_users(uow: UnitOfWork, principal: Principal) -> list[User]:
    """The organisation's accounts, for its admins."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        return tx.users.list(principal.organisation_id)


def find_user(uow: UnitOfWork, organisation_id: UUID, email: str) -> User:
    """The user with this e-mail address (any case) in the organisation."""
    with uow as tx:
        user = tx.users.by_email(organisation_id, email)
    if user is None:
        raise NotFound("user", email)
    return user


def set_password(uow: UnitOfWork, principal: Principal, user_id: UUID, password: str) -> None:
    """Replace the user's password (``replace_password``; admins)."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        user = tx.users.get(principal.organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        replace_password(tx, user, password, actor=principal.actor, now=datetime.now(UTC))
        tx.commit()


def replace_password(
    uow: OpenUnitOfWork, user: User, password: str, *, actor: str, now: datetime
) -> None:
    """Replace a password in the caller's transaction (which commits), after the policy
    check; clear the sign-in throttle and end every open session: whoever knew the old
    password is signed out."""
    check_password_policy(password, email=user.email)
    uow.users.update(user.id, password_hash=_hasher().hash(password))
    uow.sign_in_throttles.clear(next(iter(_throttle_keys(user.organisation_id, user.email, None))))
    uow.users.end_sessions_of(user.id, now)
    _record_user(uow, user, actor, "user.password_set", now)


def get_user(uow: UnitOfWork, principal: Principal, user_id: UUID) -> User:
    """One of the organisation's users, for its admins; another organisation's is
    ``NotFound``."""
    authorization.require(principal, Action.ADMINISTER)
    with uow as tx:
        user = tx.users.get(principal.organisation_id, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


def disable_user(uow: UnitOfWork, principal: Principal, user_id: UUID) -> User:
    """Disable an account at once (admins): it cannot sign in and its sessions end. Nothing is
    deleted. Nobody disables their own account (an organisation could lock out its last
    admin)."""
    authorization.require(principal, Action.ADMINISTER)
    if principal.user_id == user_id:
        raise Conflict("you cannot disable your own account")
    now = datetime.now(UTC)
    with uow as tx:
        user = tx.users.get(principal.organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        if not user.active:
            raise Conflict(f"user {user.email} is already disabled")
        tx.users.update(user_id, disabled_at=now)
        tx.users.end_sessions_of(user_id, now)
        _record_user(tx, user, principal.actor, "user.disabled", now)
        tx.commit()
    return replace(user, disabled_at=now)


def enable_user(uow: UnitOfWork, principal: Principal, user_id: UUID) -> User:
    """Let a disabled account sign in again (admins; its old sessions stay ended)."""
    authorization.require(principal, Action.ADMINISTER)
    now = datetime.now(UTC)
    with uow as tx:
        user = tx.users.get(principal.organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        if user.active:
            raise Conflict(f"user {user.email} is not disabled")
        tx.users.update(user_id, disabled_at=None)
        _record_user(tx, user, principal.actor, "user.enabled", now)
        tx.commit()
    return replace(user, disabled_at=None)


def set_course_scope(
    uow: UnitOfWork, principal: Principal, user_id: UUID, course_ids: Iterable[UUID]
) -> User:
    """Give a course manager these courses (at least one, all of the organisation; admins).
    It takes effect on their next request: a session reads the scope afresh each time."""
    authorization.require(principal, Action.ADMINISTER)
    organisation_id = principal.organisation_id
    courses = frozenset(course_ids)
    now = datetime.now(UTC)
    with uow as tx:
        user = tx.users.get(organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        if user.role is not Role.COURSE_MANAGER:
            raise InvalidInput(["courses: only course managers are scoped to courses"], "refused")
        if problems := _scope_problems(user.role, courses):
            raise InvalidInput(problems, "scope rejected")
        _check_courses(tx, organisation_id, courses)
        tx.users.update(user_id, course_ids=courses)
        _record_user(
            tx,
            user,
            principal.actor,
            "user.scope_changed",
            now,
            details={
                "before": sorted(map(str, user.course_ids)),
                "after": sorted(map(str, courses)),
            },
        )
        tx.commit()
    return replace(user, course_ids=courses)


def _record_user(
    uow: OpenUnitOfWork,
    user: User,
    actor: str,
    action: str,
    at: datetime,
    *,
    details: dict[str, object] | None = None,
) -> None:
    record(
        uow,
        organisation_id=user.organisation_id,
        actor=actor,
        action=action,
        subject_type="user",
        subject_id=user.id,
        details=details,
        at=at,
    )


# Per e-mail address, known or not (a success resets it); per client, whichever addresses it
# tries (a success does not reset it, or one valid account would unlock guessing at others).
# A class behind one school router shares a client, hence the larger allowance.
ADDRESS_RULE = ThrottleRule(LOCKOUT_AFTER, timedelta(days=1))
CLIENT_RULE = ThrottleRule(50, timedelta(hours=1))


def _throttle_keys(
    organisation_id: UUID, email: str, client: str | None
) -> dict[str, ThrottleRule]:
    """The throttle keys of one sign-in: hashed, so the table holds no address."""
    address = f"address:{organisation_id}:{normalise_email(unicodedata.normalize('NFC', email))}"
    keys = {throttle_key(address): ADDRESS_RULE}
    if client:
        keys[throttle_key(f"client:{client}")] = CLIENT_RULE
    return keys


def authenticate(
    uow: UnitOfWork,
    organisation_id: UUID,
    email: str,
    password: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> User:
    """The active user with this e-mail address and password.

    Raises ``Unauthorized`` (the same message whether the address is unknown, the password
    wrong or the account disabled) or ``TooManyAttempts`` while the address or the ``client``
    (its network address) is throttled. Nothing reveals which addresses have accounts: failures
    are counted per address whether or not it has one, a throttled address is refused before
    any account is looked up, and an unknown address costs one argon2 verification too.
    """
    now = now or datetime.now(UTC)
    password = password[:MAX_PASSWORD_LENGTH]
    keys = _throttle_keys(organisation_id, email, client)
    with uow as tx:
        throttles = unless_throttled(tx, keys, now)
        user = tx.users.by_email(organisation_id, email)
        password_hash = None if user is None else tx.users.password_hash(user.id)
        right = _verify(password_hash or _dummy_hash(_hasher()), password)
        if user is None or password_hash is None or not user.active or not right:
            count_failure(tx, keys, throttles, now)
            if user is not None:
                record(
                    tx,
                    organisation_id=organisation_id,
                    actor="anonymous",
                    action="user.sign_in_failed",
                    subject_type="user",
                    subject_id=user.id,
                    at=now,
                )
            tx.commit()
            raise Unauthorized(_UNKNOWN_USER)
        address_key = next(iter(keys))
        if address_key in throttles:
            tx.sign_in_throttles.clear(address_key)
        if _hasher().check_needs_rehash(password_hash):
            tx.users.update(user.id, password_hash=_hasher().hash(password))
        tx.commit()
    return user


def has_password(uow: UnitOfWork, principal: Principal) -> tuple[User, bool]:
    """The signed-in person's account, and whether it has a password yet."""
    with uow as tx:
        user = _own_account(tx, principal)
        return user, tx.users.password_hash(user.id) is not None


def change_own_password(
    uow: UnitOfWork,
    principal: Principal,
    *,
    current: str,
    new: str,
    session_token: str,
    now: datetime | None = None,
) -> None:
    """The signed-in person sets or changes their own password. With a password already set,
    ``current`` must be it (wrong guesses count towards the address's sign-in throttle, so a
    stolen session cannot be used to guess the password). Every other session of the user
    ends; the one changing it (``session_token``) stays signed in."""
    now = now or datetime.now(UTC)
    with uow as tx:
        user = _own_account(tx, principal)
        stored = tx.users.password_hash(user.id)
        check_password_policy(new, email=user.email)
        keys = _throttle_keys(user.organisation_id, user.email, None)
        if stored is not None:
            throttles = unless_throttled(tx, keys, now)
            if not _verify(stored, current[:MAX_PASSWORD_LENGTH]):
                count_failure(tx, keys, throttles, now)
                tx.commit()
                raise Unauthorized("the current password is not right")
        tx.users.update(user.id, password_hash=_hasher().hash(new))
        tx.sign_in_throttles.clear(next(iter(keys)))
        tx.users.end_sessions_of(user.id, now, keep_token_hash=secret_hash(session_token))
        action = "user.password_changed" if stored is not None else "user.password_set"
        _record_user(tx, user, principal.actor, action, now, details={"by": "self"})
        tx.commit()


def _own_account(uow: OpenUnitOfWork, principal: Principal) -> User:
    user_id = authorization.own_user_id(principal, Action.USE_OWN_ACCOUNT)
    user = uow.users.get(principal.organisation_id, user_id)
    if user is None or not user.active:
        raise NotFound("user", user_id)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
