"""Public and private words kept apart: a revocation's or suspension's reason is written for
whoever verifies the certificate; the internal note beside it stays in the audit log, and no
public answer (the page, its JSON, the public API, a webhook-free status read) ever shows it."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize(
    ("action", "certificate", "reason"),
    [("revoke", "certificate", "issued in error"), ("suspend", "certificate2", "under review")],
)
def test_the_note_stays_in_the_audit_log(
    api: TestClient, world: World, session: Session, action: str, certificate: str, reason: str
) -> None:
    reference = world.id(certificate)
    changed = api.post(
        f"/api/v1/certificates/{reference}/{action}",
        json={"reason": reason, "note": NOTE},
        headers=world.headers("admin"),
    )
    assert changed.status_code == 200, changed.text
    answers = _public_answers(api, reference)
    assert reason in answers[0]  # the public reason is public
    assert all(NOTE not in answer for answer in answers)
    (details,) = session.scalars(
        select(AuditEventRow.details).where(AuditEventRow.action.startswith("certificate."))
    )
    assert details == {"note": NOTE}
