"""Public and private words kept apart: a revocation's or suspension's reason is written for
whoever verifies the certificate; the internal note beside it stays in the audit log, and no
public answer (the page, its JSON, the public API, a webhook-free status read) ever shows it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.storage.tables import AuditEventRow
from tests.web.api.v1.conftest import World

NOTE = "INTERNAL: exam board minute 2026/41, see ticket 4411"


def _public_answers(api: TestClient, reference: str) -> list[str]:
    return [
        api.get(f"/v/{reference}").text,
        api.get(f"/v/{reference}", headers={"Accept": "application/json"}).text,
        api.get(f"/api/v1/verifications/{reference}").text,
        api.get(f"/v/{reference}/credential.json").text,
    ]


def test_a_revocations_note_stays_in_the_audit_log(
    api: TestClient, world: World, session: Session
) -> None:
    reference = world.id("certificate")
    revoked = api.post(
        f"/api/v1/certificates/{reference}/revoke",
        json={"reason": "issued in error", "note": NOTE},
        headers=world.headers("admin"),
    )
    assert revoked.status_code == 200, revoked.text
    answers = _public_answers(api, reference)
    assert "issued in error" in answers[0]  # the public reason is public
    assert all(NOTE not in answer for answer in answers)
    (details,) = session.scalars(
        select(AuditEventRow.details).where(AuditEventRow.action == "certificate.revoked")
    )
    assert details == {"note": NOTE}


def test_a_suspensions_note_stays_in_the_audit_log(
    api: TestClient, world: World, session: Session
) -> None:
    reference = world.id("certificate2")
    suspended = api.post(
        f"/api/v1/certificates/{reference}/suspend",
        json={"reason": "under review", "note": NOTE},
        headers=world.headers("admin"),
    )
    assert suspended.status_code == 200, suspended.text
    answers = _public_answers(api, reference)
    assert "under review" in answers[0]
    assert all(NOTE not in answer for answer in answers)
    (details,) = session.scalars(
        select(AuditEventRow.details).where(AuditEventRow.action == "certificate.suspended")
    )
    assert details == {"note": NOTE}
