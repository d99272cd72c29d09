"""Finding 4: a key operation proves the master secret before it changes anything.

Rotating with a wrong ``CERTMINT_MASTER_SECRET`` used to succeed: it retired the good key and
sealed the new one under the wrong secret, and every later issue failed with a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from certmint.cli import app
from certmint.credentials import Ed25519KeyPair, FileKeyStore, KeyDecryptionError
from certmint.domain.accounts import Principal
from certmint.services.errors import SigningKeyUnavailable
from certmint.services.issuers.keys import (
    ensure_signing_key,
    issuer_key,
    prove_master_secret,
    rotate_signing_key,
)
from certmint.services.links import Links
from certmint.storage.tables import SigningKeyRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.cli_homes import invoke_ok, seed_home
from tests.factories import enrolment_csv, enrolment_row, make_organisation

runner = CliRunner()

RIGHT = b"the-secret-the-keys-are-sealed-with"
WRONG = b"a-mistyped-secret-of-the-same-size!"


def test_rotating_with_a_wrong_secret_changes_nothing(
    uow: SqlAlchemyUnitOfWork, session: Session, tmp_path: Path
) -> None:
    org = make_organisation(uow, default=True)
    good = FileKeyStore(tmp_path / "keys", RIGHT)
    first = ensure_signing_key(uow, good, org.id)
    files = sorted((tmp_path / "keys").iterdir())

    with pytest.raises(SigningKeyUnavailable) as refused:
        rotate_signing_key(uow, FileKeyStore(tmp_path / "keys", WRONG), Principal.at_shell(org.id))

    assert refused.value.wrong_secret
    assert sorted((tmp_path / "keys").iterdir()) == files  # no key sealed under the wrong one
    keys = session.scalars(select(SigningKeyRow).where(SigningKeyRow.organisation_id == org.id))
    assert [(k.public_key_multibase, k.retired_at) for k in keys] == [(first.key_id, None)]
    # and the right secret still signs, and rotates
    assert issuer_key(uow, good, org, Links("https://certs.example.org")).key_pair is not None
    assert rotate_signing_key(uow, good, Principal.at_shell(org.id)).key_id != first.key_id


def test_every_key_operation_refuses_a_wrong_secret(
    uow: SqlAlchemyUnitOfWork, tmp_path: Path
) -> None:
    org = make_organisation(uow, default=True)
    ensure_signing_key(uow, FileKeyStore(tmp_path / "keys", RIGHT), org.id)
    wrong = FileKeyStore(tmp_path / "keys", WRONG)
    for operation in (
        lambda: ensure_signing_key(uow, wrong, org.id),  # `init` on an existing home
        lambda: issuer_key(
            uow, wrong, org, Links("https://certs.example.org")
        ),  # issue, status lists
        lambda: prove_master_secret(uow, wrong),  # a server's start
    ):
        with pytest.raises(SigningKeyUnavailable):
            operation()


def test_a_key_store_never_mixes_secrets(tmp_path: Path) -> None:
    """Another organisation's first key under a wrong secret is refused too, at the store."""
    FileKeyStore(tmp_path, RIGHT).put("org-a#key", Ed25519KeyPair.generate())
    with pytest.raises(KeyDecryptionError):
        FileKeyStore(tmp_path, WRONG).put("org-b#key", Ed25519KeyPair.generate())
    assert FileKeyStore(tmp_path, RIGHT).list() == ("org-a#key",)
    FileKeyStore(tmp_path, RIGHT).put("org-b#key", Ed25519KeyPair.generate())


def test_the_cli_refuses_with_one_sentence_and_exit_8(
    certmint_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_home(certmint_home, tmp_path, ("Completion",))
    before = sorted((certmint_home / "keys").iterdir())
    env_file = (certmint_home / "certmint.env").read_text()
    late = tmp_path / "late.csv"
    late.write_bytes(enrolment_csv([enrolment_row("L3")]))
    invoke_ok("import", "enrolments", str(late))

    monkeypatch.setenv("CERTMINT_MASTER_SECRET", WRONG.decode())
    for command in (["keys", "rotate"], ["issue", "--batch", "B1"], ["init"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 8, (command, result.output)
        assert "CERTMINT_MASTER_SECRET does not open the signing keys" in result.output
        assert "Traceback" not in result.output and result.output.count("error:") == 1

    assert sorted((certmint_home / "keys").iterdir()) == before
    assert (certmint_home / "certmint.env").read_text() == env_file
    monkeypatch.delenv("CERTMINT_MASTER_SECRET")
    issued = json.loads(invoke_ok("issue", "--batch", "B1", "--json"))
    assert issued[0]["issued"] == 1  # L3, by the key that was never retired
    invoke_ok("keys", "rotate")


def test_a_server_does_not_start_with_a_wrong_secret(certmint_home: Path, tmp_path: Path) -> None:
    invoke_ok("init")
    started = subprocess.run(
        [sys.executable, "-c", "from certmint.web.app import app_from_environment as f; f()"],
        env={
            "CERTMINT_HOME": str(certmint_home),
            "CERTMINT_MASTER_SECRET": WRONG.decode(),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": ":".join(sys.path),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 8, started.stderr
    assert "CERTMINT_MASTER_SECRET does not open the signing keys" in started.stderr
    assert "Traceback" not in started.stderr
