from __future__ import annotations

import copy

from fastapi.testclient import TestClient

from tests.web.api.v1.conftest import World


def _credential(api: TestClient, world: World) -> dict:  # type: ignore[type-arg]
    url = f"/api/v1/certificates/{world.id('certificate')}/download?format=ob3"
    credential: dict = api.get(url, headers=world.headers("admin")).json()  # type: ignore[type-arg]
    return credential


def test_a_credential_json(api: TestClient, world: World) -> None:
    credential = _credential(api, world)
    ok = api.post("/api/v1/verifications", json={"credential": credential})
    assert ok.status_code == 200
    report = ok.json()
    assert report["verified"] is True
    assert report["source"] == "credential"
    assert [c["name"] for c in report["checks"]] == [
        "format",
        "signature",
        "issuer_key",
        "status",
        "validity",
    ]
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    bad = api.post("/api/v1/verifications", json={"credential": tampered}).json()
    assert bad["verified"] is False
    signature = next(c for c in bad["checks"] if c["name"] == "signature")
    assert signature["outcome"] == "failed"


def test_a_pdf_upload(api: TestClient, world: World) -> None:
    url = f"/api/v1/certificates/{world.id('certificate')}/download"
    pdf = api.get(url, headers=world.headers("admin")).content
    report = api.post("/api/v1/verifications/file", files={"file": ("c.pdf", pdf)}).json()
    assert (report["verified"], report["source"]) == (True, "pdf attachment"), report
    junk = api.post("/api/v1/verifications/file", files={"file": ("x.bin", b"\x00junk")}).json()
    assert junk["verified"] is False
    assert junk["problem"]
    big = api.post("/api/v1/verifications/file", files={"file": ("x", b"0" * 2_000_001)})
    assert big.status_code == 422


def test_by_id(api: TestClient, world: World) -> None:
    report = api.get(f"/api/v1/verifications/{world.id('certificate')}").json()
    assert report["verified"] is True
    assert report["certificate"]["verdict"] == "valid"
    assert report["certificate"]["printed"]["recipient.name"]
    assert api.get("/api/v1/verifications/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
