"""The CLI as a user runs it: CliRunner for the commands, a real process for `serve`."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from certmint.cli import app
from certmint.services.demo import DEMO_NAMES
from tests.factories import enrolment_csv, enrolment_row
from tests.tls import loopback_certificate

runner = CliRunner()


def test_help_works_without_any_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "not-an-environment")  # would fail if read
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "serve", "demo", "import"):
        assert command in result.output


def test_version_comes_from_the_package_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "not-an-environment")  # would fail if read
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"certmint {importlib.metadata.version('certmint')}\n"
    # as a user runs it, in a process of its own
    process = subprocess.run(
        [sys.executable, "-m", "certmint", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (process.returncode, process.stdout) == (0, result.output)


def test_init_writes_a_private_env_file_and_is_idempotent(certmint_home: Path) -> None:
    first = runner.invoke(
        app, ["init", "--org-name", "Acme Institute", "--base-url", "https://certs.acme.example"]
    )
    assert first.exit_code == 0, first.output
    assert "Acme Institute (acme-institute" in first.output and "created" in first.output
    env_file = certmint_home / "certmint.env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    content = env_file.read_text()
    assert "CERTMINT_BASE_URL=https://certs.acme.example" in content
    secret = next(line for line in content.splitlines() if line.startswith("CERTMINT_MASTER"))
    assert len(secret.split("=", 1)[1]) >= 40

    again = runner.invoke(app, ["init"])
    assert again.exit_code == 0 and "exists" in again.output
    assert secret in env_file.read_text()  # never replaced: keys are encrypted under it
    assert "https://certs.acme.example" in again.output
    assert "Issuer DID:     did:web:certs.acme.example" in again.output


def test_keys_rotate_keeps_the_old_key_in_the_did_document(certmint_home: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    keys_dir = certmint_home / "keys"
    (first_key,) = keys_dir.iterdir()
    assert first_key.stat().st_mode & 0o777 == 0o600
    result = runner.invoke(app, ["keys", "rotate", "--reason", "test", "--json"])
    assert result.exit_code == 0, result.output
    rotated = json.loads(result.output)
    assert rotated["verification_method"].startswith("did:web:127.0.0.1%3A8000#z6Mk")
    assert len(list(keys_dir.iterdir())) == 2


def test_import_reports_counts_then_bad_lines(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    good = tmp_path / "good.csv"
    good.write_bytes(enrolment_csv([enrolment_row("L1"), enrolment_row("L2")]))
    result = runner.invoke(app, ["import", "enrolments", str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["learners"] == {"created": 2, "updated": 0, "unchanged": 0}

    bad = tmp_path / "bad.csv"
    bad.write_bytes(enrolment_csv([enrolment_row("L3"), enrolment_row("L4", status="done")]))
    result = runner.invoke(app, ["import", "enrolments", str(bad)])
    assert result.exit_code == 1
    assert "line 3: unknown status 'done'" in result.output
    assert "nothing was written" in result.output

    dry = runner.invoke(app, ["import", "enrolments", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "Dry run" in dry.output


def test_import_into_unknown_organisation(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    file = tmp_path / "x.csv"
    file.write_bytes(enrolment_csv([enrolment_row()]))
    result = runner.invoke(app, ["import", "enrolments", str(file), "--org", "nope"])
    assert result.exit_code == 3
    assert "organisation nope not found" in result.output


def test_demo_loads_learners_once(certmint_home: Path) -> None:
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert f"{len(DEMO_NAMES)} learners" in first.output
    assert re.search(r"admin\s+admin@example\.org\s+password: \S{20,}", first.output)
    assert re.search(r"learner\s+learner1@example\.org\s+password: \S{20,}", first.output)
    again = runner.invoke(app, ["demo", "--no-serve"])
    assert "(0 learners and 0 courses new), 25 certificates" in again.output
    assert "admin@example.org  password: (set earlier" in again.output


def test_a_first_demo_names_the_port_it_serves(certmint_home: Path) -> None:
    """Its QR codes and sign-in link open; a later run on another port keeps that identity,
    which its certificates already name."""
    first = runner.invoke(app, ["demo", "--no-serve", "--port", "8123"])
    assert first.exit_code == 0, first.output
    assert "Issuer DID:     did:web:127.0.0.1%3A8123" in first.output
    assert re.search(r"verify: http://127\.0\.0\.1:8123/v/\S{22}\n", first.output)
    again = runner.invoke(app, ["demo", "--no-serve", "--port", "8124"])
    assert "Base URL:       http://127.0.0.1:8123" in again.output


def test_a_demo_keeps_the_base_url_it_is_given(
    certmint_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTMINT_BASE_URL", "https://certs.example.org")
    result = runner.invoke(app, ["demo", "--no-serve", "--port", "8123"])
    assert "verify: https://certs.example.org/v/" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serving(
    log: Path, url: str, *options: str, verify: bool | ssl.SSLContext = True
) -> Iterator[httpx.Response]:
    """``certmint serve`` with ``options`` in a real process; yields ``url``'s first answer."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "certmint", "serve", *options],
            env={**os.environ},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120  # a loaded machine starts Python slowly
        while True:
            try:
                response = httpx.get(url, timeout=2, verify=verify)
                break
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        yield response
    finally:
        process.terminate()
        process.wait(10)


def test_serve_answers_healthz(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    port = _free_port()
    log = tmp_path / "serve.log"
    with _serving(log, f"http://127.0.0.1:{port}/healthz", "--port", str(port)) as response:
        assert response.status_code == 200
        assert response.json()["database"] == "ok"
        # init recorded the default base URL, port 8000: its QR codes would not open here
        assert "which this server does not answer" in log.read_text()


def test_serve_answers_over_https_with_the_given_certificate(
    certmint_home: Path, tmp_path: Path
) -> None:
    key, cert = loopback_certificate(tmp_path)
    port = _free_port()
    assert runner.invoke(app, ["init", "--base-url", f"https://localhost:{port}"]).exit_code == 0
    url = f"https://localhost:{port}/healthz"
    options = ("--port", str(port), "--ssl-keyfile", str(key), "--ssl-certfile", str(cert))
    with _serving(
        tmp_path / "serve.log", url, *options, verify=ssl.create_default_context(cafile=cert)
    ) as response:
        assert response.status_code == 200
        assert f"Serving on https://127.0.0.1:{port}" in (tmp_path / "serve.log").read_text()
        with pytest.raises(httpx.TransportError):  # plain HTTP is not answered
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)


def test_serve_refuses_unusable_tls_files(certmint_home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    key, cert = loopback_certificate(tmp_path)
    alone = runner.invoke(app, ["serve", "--ssl-certfile", str(cert)])
    assert alone.exit_code == 2
    assert "go together" in alone.output
    swapped = runner.invoke(app, ["serve", "--ssl-keyfile", str(cert), "--ssl-certfile", str(key)])
    assert swapped.exit_code == 1
    assert "cannot serve HTTPS" in swapped.output
    assert "Traceback" not in swapped.output
    missing = runner.invoke(
        app, ["serve", "--ssl-keyfile", str(tmp_path / "nope.pem"), "--ssl-certfile", str(cert)]
    )
    assert missing.exit_code == 1
    assert "No such file" in missing.output


def test_serve_refuses_an_uninitialised_database(certmint_home: Path) -> None:
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 5  # not initialised (docs/cli.md)
    assert "run `certmint init` first" in result.output
    assert not certmint_home.exists()  # and nothing was made in its place


def test_tokens_are_shown_once_and_revocable(certmint_home: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    created = runner.invoke(app, ["tokens", "create", "--name", "LMS", "--json"])
    assert created.exit_code == 0
    token = json.loads(created.output)
    assert token["token"].startswith("cm_")
    listed = runner.invoke(app, ["tokens", "list"])
    assert "LMS" in listed.output
    assert token["token"] not in listed.output  # only its first characters
    assert runner.invoke(app, ["tokens", "revoke", token["id"]]).exit_code == 0
    assert runner.invoke(app, ["tokens", "revoke", token["id"]]).exit_code == 4


def test_webhooks_add_and_list(certmint_home: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(
        app,
        [
            "webhooks",
            "add",
            "--url",
            "https://lms.example/hooks",
            "--event",
            "certificate.revoked",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    hook = json.loads(added.output)
    assert hook["secret"].startswith("whsec_")
    assert hook["events"] == ["certificate.revoked"]
    listed = runner.invoke(app, ["webhooks", "list"])
    assert "https://lms.example/hooks" in listed.output
    assert hook["secret"] not in listed.output
    bad = runner.invoke(app, ["webhooks", "add", "--url", "https://x.example", "--event", "nope"])
    assert bad.exit_code == 1
