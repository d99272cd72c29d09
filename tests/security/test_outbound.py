"""Findings 2 and 3 of issue 12: webhooks reached the host's private network, and `certmint
verify` fetched DID documents from any address a credential named and told which ports were
open. Traffic goes to loopback listeners only; other private ranges are refused before any
connection (their checks are in tests/adapters/test_addresses.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from certmint.bootstrap import outbound_client
from certmint.cli import app
from certmint.config import load_settings
from certmint.credentials import (
    MAX_DID_DOCUMENT_BYTES,
    BundledDocumentLoader,
    Ed25519KeyPair,
    IssuerProfile,
    ProofOptions,
    build_credential,
    sign_document,
)
from certmint.domain.accounts import Principal
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.notifications.webhooks import add_webhook, deliver_due
from certmint.services.verification.verify import MAX_FETCHED
from certmint.storage.tables import WebhookDeliveryRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.credentials.conftest import NOW, make_data
from tests.factories import enrolment_row, scenario
from tests.listeners import Answer, accepting, listening

runner = CliRunner()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://10.0.0.5/hooks", "private"),
        ("https://192.168.1.20/hooks", "private"),
        ("https://127.0.0.1:5432/", "loopback"),
        ("https://[::1]/hooks", "loopback"),
        ("https://[::ffff:a9fe:a9fe]/", "link-local"),
        ("https://localhost/hooks", "loopback"),
    ],
)
def test_a_webhook_to_a_private_address_is_refused_when_saved(
    certmint_home: Path, url: str, kind: str
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(app, ["webhooks", "add", "--url", url])
    assert added.exit_code == 1, added.output
    assert f"url: its host is a {kind} address" in added.output
    assert "CERTMINT_OUTBOUND_ALLOW_NETWORKS" in added.output
    assert runner.invoke(app, ["webhooks", "list"]).output.strip() == ""


def test_a_plain_http_webhook_is_refused_in_production(
    certmint_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "production")
    monkeypatch.setenv("CERTMINT_MASTER_SECRET", "kq3Vd2m9X-Zp7Lw0sYbN4rTg8hJc1FeU6aQiOvRx5yE")
    monkeypatch.setenv("CERTMINT_BASE_URL", "https://certs.example.org")
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(app, ["webhooks", "add", "--url", "http://lms.example/hooks"])
    assert added.exit_code == 1
    assert "url: only https:// URLs are allowed" in added.output
    assert runner.invoke(app, ["webhooks", "add", "--url", "https://lms.example/h"]).exit_code == 0


def test_an_operator_allows_a_loopback_receiver_and_delivery_checks_again(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    """Saved while the operator allowed loopback; delivered after the allowance was taken back
    (or a name moved to a private address): the receiver hears nothing."""
    allowing = outbound_client(load_settings(outbound_allow_networks="127.0.0.0/8"))
    strict = outbound_client(load_settings(outbound_allow_networks=""))
    with listening() as receiver:
        receiver.answers["/hooks"] = Answer(204, b"")
        s = scenario(uow, signing, [enrolment_row("L1")])
        url = receiver.url("/hooks")
        add_webhook(uow, Principal.at_shell(s.organisation.id), url=url, policy=allowing.policy)
        issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
        summary = deliver_due(uow, strict.post, now=datetime.now(UTC))
        assert (summary.delivered, summary.retrying, receiver.hits) == (0, 1, [])
        with uow:
            (error,) = uow.session.scalars(select(WebhookDeliveryRow.last_error)).all()
        assert error is not None and "its host is a loopback address" in error


def _credential_of(did: str, path: Path) -> Path:
    """A credential signed by a key its issuer's DID document (at ``did``) would hold."""
    key = Ed25519KeyPair.generate()
    issuer = IssuerProfile(did=did, name="Somewhere", url="https://somewhere.example/")
    credential = build_credential(make_data(issuer=issuer, status=None))
    options = ProofOptions(f"{did}#{key.public_key.multibase}", NOW)
    signed = sign_document(credential, key, options, loader=BundledDocumentLoader())
    path.write_text(json.dumps(signed), encoding="utf-8")
    return path


def test_verify_does_not_fetch_from_loopback_nor_tell_which_ports_are_open(
    certmint_home: Path, tmp_path: Path
) -> None:
    outputs = []
    with accepting() as (open_port, accepted):
        with accepting() as (closed_port, _):
            pass  # closed again: nothing listens there now
        for port in (open_port, closed_port):
            did = f"did:web:127.0.0.1%3A{port}"
            result = runner.invoke(
                app, ["verify", str(_credential_of(did, tmp_path / f"{port}.json"))]
            )
            assert result.exit_code == 1, result.output
            assert "Traceback" not in result.output
            outputs.append(result.output.replace(str(port), "PORT"))
    assert accepted == []  # no connection was made to the listening port
    assert outputs[0].replace(tmp_path.name, "") == outputs[1].replace(tmp_path.name, "")
    assert (
        "could not fetch its DID document (Certmint does not send requests to "
        "https://127.0.0.1:PORT/.well-known/did.json: its host is a loopback address"
    ) in outputs[0].replace("\n", " ")
    for leak in ("refused", "timed out", "Errno", "SSL", "reset", "EOF"):
        assert leak not in outputs[0]


def test_the_docs_state_the_limits_the_code_applies() -> None:
    """Issue 12 (e): docs/cli.md's DID document limit disagreed with the code."""
    docs = Path(__file__).parents[2] / "docs"
    cli = " ".join((docs / "cli.md").read_text(encoding="utf-8").split())
    assert f"DID documents up to {MAX_DID_DOCUMENT_BYTES:,} bytes" in cli
    assert f"status lists up to {MAX_FETCHED:,})" in cli
    operations = " ".join((docs / "operations.md").read_text(encoding="utf-8").split())
    assert f"(DID documents {MAX_DID_DOCUMENT_BYTES:,} bytes, status lists" in operations
