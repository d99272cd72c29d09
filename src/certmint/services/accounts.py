"""User accounts: create, set a password, sign in (argon2id, throttled per account), disable.

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

from certmint.domain.accounts import Role, User
from certmint.services.audit import record
from certmint.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "LOCKOUT_AFTER",
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "check_password_policy",
    "create_user",
    "disable_user",
    "find_user",
    "generate_password",
    "list_users",
    "set_password",
]

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # argon2 hashes anything, but a megabyte "password" is an attack
# After this many consecutive failures an account waits before it may try again: 1 minute,
# doubling with each further failure, at most an hour. A success resets the count.
LOCKOUT_AFTER = 5
MAX_LOCKOUT = timedelta(hours=1)
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


def create_user(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    *,
    email: str,
    display_name: str,
    role: Role,
    actor: str,
    password: str | None = None,
    course_ids: Iterable[UUID] = (),
    learner_id: UUID | None = None,
) -> User:
    """A new account. A course manager needs at least one course of the organisation; a learner
    account needs the learner record it belongs to. Without a password the user cannot sign in
    by password until one is set. Raises ``Conflict`` if the e-mail address is taken in this
    organisation (compared case-insensitively)."""
    email = _clean_email(email)
    display_name = unicodedata.normalize("NFC", display_name.strip())
    courses = frozenset(course_ids)
    problems = []
    if not display_name or len(display_name) > 200 or not display_name.isprintable():
        problems.append("display name: 1 to 200 printable characters")
    if role is Role.COURSE_MANAGER and not courses:
        problems.append("courses: a course manager needs at least one course")
    if role is not Role.COURSE_MANAGER and courses:
        problems.append("courses: only course managers are scoped to courses")
    if role is Role.LEARNER and learner_id is None:
        problems.append("learner: a learner account is linked to a learner record")
    if role is not Role.LEARNER and learner_id is not None:
        problems.append("learner: only learner accounts are linked to a learner record")
    if problems:
        raise InvalidInput(problems, "user rejected")
    if password is not None:
        check_password_policy(password, email=email)
    user = User(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        email=email,
        display_name=display_name,
        role=role,
        created_at=datetime.now(UTC),
        course_ids=courses,
        learner_id=learner_id,
    )
    password_hash = None if password is None else _hasher().hash(password)
    with uow:
        for course_id in sorted(courses):
            if uow.roster.get_course(organisation_id, course_id) is None:
                raise NotFound("course", course_id)
        if learner_id is not None and uow.roster.get_learner(organisation_id, learner_id) is None:
            raise NotFound("learner", learner_id)
        if uow.users.by_email(organisation_id, email) is not None:
            raise Conflict(f"a user with e-mail {email} exists in this organisation")
        uow.users.add(user, password_hash)
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="user.created",
            subject_type="user",
            subject_id=user.id,
            details={"email": email, "role": role.value, "courses": sorted(map(str, courses))},
            at=user.created_at,
        )
        uow.commit()
    return user


def list_users(uow: SqlAlchemyUnitOfWork, organisation_id: UUID) -> list[User]:
    with uow:
        return uow.users.list(organisation_id)


def find_user(uow: SqlAlchemyUnitOfWork, organisation_id: UUID, email: str) -> User:
    """The user with this e-mail address (any case) in the organisation."""
    with uow:
        user = uow.users.by_email(organisation_id, email)
    if user is None:
        raise NotFound("user", email)
    return user


def set_password(
    uow: SqlAlchemyUnitOfWork, organisation_id: UUID, user_id: UUID, password: str, *, actor: str
) -> None:
    """Replace the user's password (after the policy check), clear the sign-in throttle and end
    every open session: whoever knew the old password is signed out."""
    now = datetime.now(UTC)
    with uow:
        user = uow.users.get(organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        check_password_policy(password, email=user.email)
        uow.users.update(
            user_id, password_hash=_hasher().hash(password), failed_logins=0, locked_until=None
        )
        uow.users.end_sessions_of(user_id, now)
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="user.password_set",
            subject_type="user",
            subject_id=user_id,
            at=now,
        )
        uow.commit()


def disable_user(
    uow: SqlAlchemyUnitOfWork, organisation_id: UUID, user_id: UUID, *, actor: str
) -> User:
    """Disable an account at once: it cannot sign in and its sessions end. Nothing is deleted."""
    now = datetime.now(UTC)
    with uow:
        user = uow.users.get(organisation_id, user_id)
        if user is None:
            raise NotFound("user", user_id)
        if not user.active:
            raise Conflict(f"user {user.email} is already disabled")
        uow.users.update(user_id, disabled_at=now)
        uow.users.end_sessions_of(user_id, now)
        record(
            uow,
            organisation_id=organisation_id,
            actor=actor,
            action="user.disabled",
            subject_type="user",
            subject_id=user_id,
            at=now,
        )
        uow.commit()
    return replace(user, disabled_at=now)


def authenticate(
    uow: SqlAlchemyUnitOfWork,
    organisation_id: UUID,
    email: str,
    password: str,
    *,
    now: datetime | None = None,
) -> User:
    """The active user with this e-mail address and password.

    Raises ``Unauthorized`` (the same message whether the address is unknown, the password
    wrong or the account disabled) or ``TooManyAttempts`` while the account is throttled. An
    unknown address costs one argon2 verification too, so timing reveals nothing.
    """
    now = now or datetime.now(UTC)
    password = password[:MAX_PASSWORD_LENGTH]
    with uow:
        user = uow.users.by_email(organisation_id, email)
        credentials = None if user is None else uow.users.credentials(user.id)
        if user is None or credentials is None or credentials.password_hash is None:
            _verify(_dummy_hash(_hasher()), password)
            raise Unauthorized(_UNKNOWN_USER)
        if not user.active:
            _verify(credentials.password_hash, password)
            raise Unauthorized(_UNKNOWN_USER)
        if credentials.locked_until is not None and credentials.locked_until > now:
            raise TooManyAttempts(int((credentials.locked_until - now).total_seconds()) + 1)
        if not _verify(credentials.password_hash, password):
            failures = credentials.failed_logins + 1
            locked_until = None
            if failures >= LOCKOUT_AFTER:
                wait = timedelta(minutes=2 ** min(failures - LOCKOUT_AFTER, 6))
                locked_until = now + min(wait, MAX_LOCKOUT)
            uow.users.update(user.id, failed_logins=failures, locked_until=locked_until)
            record(
                uow,
                organisation_id=organisation_id,
                actor="anonymous",
                action="user.sign_in_failed",
                subject_type="user",
                subject_id=user.id,
                details={"failures": failures},
                at=now,
            )
            uow.commit()
            raise Unauthorized(_UNKNOWN_USER)
        changes: dict[str, object] = {}
        if credentials.failed_logins or credentials.locked_until:
            changes.update(failed_logins=0, locked_until=None)
        if _hasher().check_needs_rehash(credentials.password_hash):
            changes["password_hash"] = _hasher().hash(password)
        if changes:
            uow.users.update(user.id, **changes)
            uow.commit()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
