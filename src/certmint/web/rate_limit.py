"""A per-client rate limit for the public verification endpoints (a token bucket per address).

Where the buckets live decides what "per client" means:

- with Redis (``Settings.effective_rate_limit_url``: ``CERTMINT_RATE_LIMIT_URL``, else a Redis
  broker's URL) every worker process and machine spends from the same bucket, updated
  atomically by one Lua script: one round trip per request, timed by Redis's own clock so
  machines whose clocks disagree still agree on the bucket;
- without it each process keeps its own buckets in memory, so N uvicorn workers allow a client
  up to N times the limit (still a bound on what one client can make a server do).

The client is the connection's address as uvicorn reports it (behind a reverse proxy, run
uvicorn with ``--forwarded-allow-ips`` so that it takes the address from ``X-Forwarded-For``).
Addresses are forgotten once their bucket is full again (in Redis: the key expires).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError

from certmint.web.problems import problem_response

__all__ = [
    "Buckets",
    "RateLimitExceeded",
    "RedisTokenBuckets",
    "TokenBuckets",
    "install_rate_limit",
    "rate_limited",
]

log = logging.getLogger(__name__)


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry after {retry_after:.1f} s")
        self.retry_after = retry_after


class Buckets(Protocol):
    async def spend(self, key: str) -> float:
        """Take one of ``key``'s tokens: 0.0 if there was one, else the seconds until there
        will be."""

    async def close(self) -> None:
        """Release connections (at shutdown)."""


class TokenBuckets:
    """``rate`` requests per second on average, up to ``burst`` at once, per key; in memory."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take a token: 0.0 if there was one, else the seconds until there will be."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self.max_keys:
                self._forget_full(now)
            return 0.0

    async def spend(self, key: str) -> float:
        return self.take(key)

    async def close(self) -> None:
        """Nothing to release."""

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        refill = self.burst / self.rate
        for key in [k for k, (_, at) in self._buckets.items() if now - at >= refill]:
            del self._buckets[key]


# The same arithmetic as TokenBuckets.take, in one atomic step. KEYS[1]: the client's bucket
# (a hash of tokens and the time they were counted); ARGV: rate per second, burst. The key
# expires once the bucket would be full again. Returns the wait in seconds, as a string (a Lua
# number would be truncated to an integer on the way out).
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens < 1 then
  wait = (1 - tokens) / rate
else
  tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""


class RedisTokenBuckets:
    """``TokenBuckets`` kept in Redis, shared by every process that uses the same server.

    If Redis cannot be reached the request is let through (and logged): the limit protects the
    page, it must not take verification down with it."""

    def __init__(
        self, url: str, rate: float, burst: int, *, prefix: str = "certmint:rate:"
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.prefix = prefix
        self._redis = Redis.from_url(url)
        self._take = self._redis.register_script(_TAKE)

    async def spend(self, key: str) -> float:
        try:
            wait = await self._take(keys=[self.prefix + key], args=[self.rate, self.burst])
        except RedisError as exc:
            log.warning("rate limit not applied: Redis failed (%s)", exc)
            return 0.0
        return float(wait)

    async def close(self) -> None:
        await self._redis.aclose()


async def rate_limited(request: Request) -> None:
    """Dependency: spend one of the client's tokens, or answer 429. (Async: a dictionary
    update or one Redis round trip needs no hop to the thread pool.)"""
    buckets: Buckets | None = request.app.state.rate_limit
    if buckets is None:
        return
    client = request.client.host if request.client else "unknown"
    wait = await buckets.spend(client)
    if wait > 0:
        raise RateLimitExceeded(wait)


async def _too_many(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimitExceeded)
    seconds = max(1, math.ceil(exc.retry_after))
    response = problem_response(
        429,
        "Too Many Requests",
        detail=f"Too many verification requests from this address; try again in {seconds} s.",
        slug="rate-limited",
        instance=request.url.path,
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def install_rate_limit(app: FastAPI, per_minute: int, burst: int, redis_url: str = "") -> None:
    """``per_minute`` 0 turns the limit off; ``redis_url`` shares the buckets between
    processes (the app's shutdown must ``close()`` ``app.state.rate_limit``)."""
    buckets: Buckets | None = None
    if per_minute and redis_url:
        buckets = RedisTokenBuckets(redis_url, per_minute / 60, burst)
    elif per_minute:
        buckets = TokenBuckets(per_minute / 60, burst)
    app.state.rate_limit = buckets
    app.add_exception_handler(RateLimitExceeded, _too_many)
