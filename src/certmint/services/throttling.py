"""Limits on repeated attempts (failed sign-ins, sign-in link requests, key rotations): a
count per hashed key in the caller's transaction, and a wait that doubles past the allowance.
Identity and issuers both use it, so it belongs to neither."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from certmint.domain.accounts import Throttle
from certmint.services.errors import TooManyAttempts
from certmint.services.unit_of_work import OpenUnitOfWork

__all__ = [
    "MAX_LOCKOUT",
    "ThrottleRule",
    "count_failure",
    "limit_attempt",
    "spend_attempt",
    "throttle_key",
    "unless_throttled",
]

MAX_LOCKOUT = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ThrottleRule:
    """How many failed sign-ins a key may have before each further try waits (1 minute,
    doubling, at most ``MAX_LOCKOUT``), and after how long without one the count starts again."""

    allowed: int
    forget_after: timedelta


def spend_attempt(uow: OpenUnitOfWork, what: str, rule: ThrottleRule, now: datetime) -> bool:
    """Count one attempt at something limited like failed sign-ins (``what`` names it and who
    tries, say asking for sign-in links from one client); False, with nothing counted, while
    the limit holds. The caller commits."""
    try:
        limit_attempt(uow, what, rule, now)
    except TooManyAttempts:
        return False
    return True


def limit_attempt(uow: OpenUnitOfWork, what: str, rule: ThrottleRule, now: datetime) -> None:
    """``spend_attempt`` for a caller that tells the waiting time: ``TooManyAttempts`` (with
    ``retry_after``), nothing counted, while the limit holds."""
    keys = {throttle_key(what): rule}
    throttles = unless_throttled(uow, keys, now)
    count_failure(uow, keys, throttles, now)


def throttle_key(text: str) -> str:
    """Hashed, so the throttle table holds no address or client."""
    return hashlib.sha256(text.encode()).hexdigest()


def _after_failure(rule: ThrottleRule, before: Throttle | None, now: datetime) -> Throttle:
    failures = 1
    if before is not None and now - before.last_failure_at < rule.forget_after:
        failures = before.failures + 1
    locked_until = None
    if failures >= rule.allowed:
        wait = timedelta(minutes=2 ** min(failures - rule.allowed, 6))
        locked_until = now + min(wait, MAX_LOCKOUT)
    return Throttle(failures, now, locked_until)


def unless_throttled(
    uow: OpenUnitOfWork, keys: dict[str, ThrottleRule], now: datetime
) -> dict[str, Throttle]:
    """The keys' throttles; ``TooManyAttempts`` while any of them is locked."""
    throttles = uow.sign_in_throttles.get_many(keys)
    waits = [t.locked_until - now for t in throttles.values() if t.locked_until is not None]
    if any(wait > timedelta(0) for wait in waits):
        raise TooManyAttempts(int(max(waits).total_seconds()) + 1)
    return throttles


def count_failure(
    uow: OpenUnitOfWork,
    keys: dict[str, ThrottleRule],
    throttles: dict[str, Throttle],
    now: datetime,
) -> None:
    for key, rule in keys.items():
        uow.sign_in_throttles.put(key, _after_failure(rule, throttles.get(key), now))
