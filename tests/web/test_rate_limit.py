"""The verification endpoints' per-client token buckets."""

from __future__ import annotations

import dataclasses
import logging
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis

from certmint.bootstrap import Container
from certmint.web.app import create_app
from certmint.web.rate_limit import RedisTokenBuckets, TokenBuckets
from tests.conftest import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=2.0, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == 0.5  # one token every half second
    assert buckets.take("b") == 0.0  # per client
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0


def test_full_buckets_are_forgotten() -> None:
    clock = Clock()
    buckets = TokenBuckets(rate=1.0, burst=2, max_keys=2, clock=clock)
    buckets.take("a")
    clock.now += 5
    buckets.take("b")
    buckets.take("c")  # over max_keys: "a" has refilled, so it is dropped
    assert set(buckets._buckets) == {"b", "c"}


def _limited(container: Container, **settings: Any) -> Container:
    """The test container with other settings: one request a minute after a burst of two."""
    update = {"verify_rate_per_minute": 1, "verify_rate_burst": 2, **settings}
    limited = dataclasses.replace(container, settings=container.settings.model_copy(update=update))
    limited.__dict__.update(signing=container.signing, fonts=container.fonts)
    return limited


def test_too_many_requests_get_a_429_problem(container: Container) -> None:
    with TestClient(create_app(_limited(container))) as client:
        assert client.get("/v/nothing").status_code == 404
        assert client.get("/verify").status_code == 200
        answer = client.get("/v/nothing")
        assert answer.status_code == 429
        assert answer.headers["content-type"] == "application/problem+json"
        assert 1 <= int(answer.headers["retry-after"]) <= 60
        assert answer.json()["title"] == "Too Many Requests"
        assert client.post("/verify").status_code == 429
        # What other verifiers fetch is never limited.
        for path in ("/.well-known/did.json", "/orgs/x/status/revocation/1", "/healthz"):
            assert client.get(path).status_code != 429


def test_without_redis_each_process_limits_on_its_own(container: Container) -> None:
    """What docs/operations.md warns about: two workers, twice the burst."""
    limited = _limited(container)
    with TestClient(create_app(limited)) as one, TestClient(create_app(limited)) as two:
        assert [one.get("/v/nothing").status_code for _ in range(3)] == [404, 404, 429]
        assert [two.get("/v/nothing").status_code for _ in range(3)] == [404, 404, 429]


def test_workers_sharing_redis_share_one_limit(container: Container, redis_url: str) -> None:
    """Two app instances (two uvicorn workers, or two machines) spend from one bucket."""
    address = f"client-{uuid.uuid4().hex}"
    limited = _limited(container, rate_limit_url=redis_url)
    assert limited.settings.effective_rate_limit_url == redis_url
    one_app, two_app, third_app = (create_app(limited) for _ in range(3))
    assert isinstance(one_app.state.rate_limit, RedisTokenBuckets)
    store = Redis.from_url(redis_url)
    try:
        with (
            TestClient(one_app, client=(address, 1)) as one,
            TestClient(two_app, client=(address, 2)) as two,
            TestClient(third_app, client=(f"{address}-other", 3)) as other,
        ):
            assert one.get("/v/nothing").status_code == 404
            assert two.get("/v/nothing").status_code == 404
            for client in (one, two):
                answer = client.get("/v/nothing")
                assert answer.status_code == 429
                assert 1 <= int(answer.headers["retry-after"]) <= 60
            assert other.get("/v/nothing").status_code == 404  # per client, still
        # The bucket is forgotten once it would be full again (2 tokens at 1 a minute).
        assert 0 < store.pttl(f"certmint:rate:{address}") <= 121_000
    finally:
        store.delete(f"certmint:rate:{address}", f"certmint:rate:{address}-other")
        store.close()


def test_broker_redis_holds_the_buckets_unless_told_otherwise(container: Container) -> None:
    settings = container.settings.model_copy(update={"broker_url": "redis://broker:6379/1"})
    assert settings.effective_rate_limit_url == "redis://broker:6379/1"
    own = settings.model_copy(update={"rate_limit_url": "redis://limits:6379/2"})
    assert own.effective_rate_limit_url == "redis://limits:6379/2"
    amqp = settings.model_copy(update={"broker_url": "amqp://broker"})
    assert amqp.effective_rate_limit_url == ""


def test_an_unreachable_redis_lets_verification_through(
    container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    limited = _limited(container, rate_limit_url=f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING), TestClient(create_app(limited)) as client:
        assert [client.get("/v/nothing").status_code for _ in range(3)] == [404, 404, 404]
    assert "rate limit not applied" in caplog.text
