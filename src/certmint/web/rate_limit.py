"""A per-client rate limit for the public verification endpoints (a token bucket per address).

In process and in memory: each worker process limits on its own, which bounds what one client
can make a server do without a shared store. The client is the connection's address as uvicorn
reports it (behind a reverse proxy, run uvicorn with ``--forwarded-allow-ips`` so that it takes
the address from ``X-Forwarded-For``). Addresses are forgotten once their bucket is full again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from certmint.web.problems import problem_response

__all__ = ["RateLimitExceeded", "TokenBuckets", "install_rate_limit", "rate_limited"]


class RateLimitExceeded(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many requests; retry after {retry_after:.1f} s")
        self.retry_after = retry_after


class TokenBuckets:
    """``rate`` requests per second on average, up to ``burst`` at once, per key."""

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

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        refill = self.burst / self.rate
        for key in [k for k, (_, at) in self._buckets.items() if now - at >= refill]:
            del self._buckets[key]


async def rate_limited(request: Request) -> None:
    """Dependency: spend one of the client's tokens, or answer 429. (Async: a few dictionary
    operations need no hop to the thread pool, where FastAPI runs plain functions.)"""
    buckets: TokenBuckets | None = request.app.state.rate_limit
    if buckets is None:
        return
    client = request.client.host if request.client else "unknown"
    wait = buckets.take(client)
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


def install_rate_limit(app: FastAPI, per_minute: int, burst: int) -> None:
    """``per_minute`` 0 turns the limit off."""
    app.state.rate_limit = TokenBuckets(per_minute / 60, burst) if per_minute else None
    app.add_exception_handler(RateLimitExceeded, _too_many)
