"""Credentials built and signed per second on one core: full pyld path vs the fast path.

    .venv/bin/python bench/sign.py [--count 3000] [--full-count 200] [--suite eddsa-rdfc-2022]

Each credential is built from fresh data (a different learner, id, score and status index, as
in a bulk issuance of one achievement) and signed; the fast path's one-off template compile is
included in its figure. Both paths' signatures are compared for a sample, which must be equal.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from certmint.credentials import (
    AchievementInfo,
    BundledDocumentLoader,
    CredentialData,
    Ed25519KeyPair,
    EmailIdentity,
    FastRdfCanonicalizer,
    IssuerProfile,
    ProofOptions,
    Recipient,
    ScoreResult,
    StatusEntry,
    build_credential,
    sign_document,
)

ISSUER = IssuerProfile(
    "did:web:certs.example.org",
    "Example Institute",
    "https://certs.example.org/",
    "https://certs.example.org/logo.png",
)
ACHIEVEMENT = AchievementInfo(
    "https://certs.example.org/achievements/42",
    "Completion",
    "Data Science 101, batch 2026-A",
    "Attend 80% of sessions.\nPass the final assessment.",
)
NAMES = ["Aïda Núñez", "राहुल शर्मा", "李小龍", "Zoë O'Brien", "محمد علي", "Ngũgĩ wa Thiong'o"]


def _data(rng: random.Random, i: int) -> CredentialData:
    return CredentialData(
        certificate_id=uuid.UUID(int=rng.getrandbits(128)),
        issuer=ISSUER,
        recipient=Recipient(
            f"{rng.choice(NAMES)} {i}", EmailIdentity(f"learner{i}@example.org", f"salt{i}")
        ),
        achievement=ACHIEVEMENT,
        valid_from=datetime(2026, 1, 15, tzinfo=UTC),
        result=ScoreResult(f"{rng.randint(40, 100)}"),
        status=StatusEntry("https://certs.example.org/status/1", rng.randrange(131_072)),
    )


def _rate(count: int, sign_one: Callable[[int], object], repeat: int) -> tuple[float, float]:
    """Best of ``repeat`` runs: (credentials per CPU-second, per wall-clock second).

    CPU time of this one-threaded process is the per-core figure; wall time also counts
    whatever else the machine was doing.
    """
    best_cpu = best_wall = 0.0
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(count):
            sign_one(i)
        best_cpu = max(best_cpu, count / (time.process_time() - cpu))
        best_wall = max(best_wall, count / (time.perf_counter() - wall))
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="credentials on the fast path")
    parser.add_argument("--full-count", type=int, default=200, help="credentials on the full path")
    parser.add_argument("--suite", default="eddsa-rdfc-2022")
    parser.add_argument("--repeat", type=int, default=3, help="runs per path; the best counts")
    args = parser.parse_args()

    loader = BundledDocumentLoader()
    key = Ed25519KeyPair.from_seed(bytes(32))
    method = f"{ISSUER.did}#{key.public_key.multibase}"
    options = ProofOptions(method, datetime(2026, 6, 1, 12, tzinfo=UTC), args.suite)
    fast = FastRdfCanonicalizer(loader)

    def full_one(i: int) -> dict[str, object]:
        return sign_document(
            build_credential(_data(random.Random(i), i)), key, options, loader=loader
        )

    def fast_one(i: int) -> dict[str, object]:
        credential = build_credential(_data(random.Random(i), i))
        return sign_document(credential, key, options, loader=loader, rdf_canonicalizer=fast)

    for i in range(0, 50, 7):  # the paths must agree before their speeds mean anything
        assert full_one(i) == fast_one(i), f"fast and full path differ for credential {i}"
    fast = FastRdfCanonicalizer(loader)  # count the template compile in the fast figure

    full_cpu, full_wall = _rate(args.full_count, full_one, args.repeat)
    fast_cpu, fast_wall = _rate(args.count, fast_one, args.repeat)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"machine: {platform.machine()} cores={os.cpu_count()} load={load:.2f} "
        f"python={platform.python_version()} suite={args.suite} best of {args.repeat}"
    )
    print("                credentials/s per core (CPU time)   per wall-clock second")
    print(f"full pyld path: {full_cpu:10.0f}                         {full_wall:10.0f}")
    print(
        f"fast path:      {fast_cpu:10.0f}                         {fast_wall:10.0f}"
        f"   ({fast.fast} fast, {fast.full} full canonicalizations)"
    )
    print(f"ratio:          {fast_cpu / full_cpu:10.1f}x")
    if args.suite != "eddsa-rdfc-2022":
        print("(the fast path only changes RDF canonicalization: for JCS both lines are one path)")


if __name__ == "__main__":
    main()
