"""The verification endpoints' per-client token buckets."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient

from certmint.bootstrap import Container
from certmint.web.app import create_app
from certmint.web.rate_limit import TokenBuckets


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


def test_too_many_requests_get_a_429_problem(container: Container) -> None:
    limited = dataclasses.replace(
        container,
        settings=container.settings.model_copy(
            update={"verify_rate_per_minute": 1, "verify_rate_burst": 2}
        ),
    )
    limited.__dict__.update(signing=container.signing, fonts=container.fonts)
    with TestClient(create_app(limited)) as client:
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
