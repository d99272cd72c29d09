"""Finding 11: a broken environment is answered with one sentence and an exit code (docs/cli.md),
never a traceback; production mode refuses what is unsafe; a failed `init` leaves nothing.

Before, a full disk, a read-only home, a master secret that was too short and a command on a
home never initialised each ended in a traceback; `certmint init` in production without a
secret left a database behind; production took an http:// base URL and any secret but the
literal placeholder. (Every command in every broken environment: tests/cli/
test_broken_environments.py.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from certmint.cli import app
from tests.broken_homes import broken_disk
from tests.cli_homes import invoke_ok

runner = CliRunner()

GENERATED = "kq3Vd2m9X-Zp7Lw0sYbN4rTg8hJc1FeU6aQiOvRx5yE"  # like `secrets.token_urlsafe(32)`


def _refused(result: Result, code: int, phrase: str) -> None:
    assert result.exit_code == code, result.output
    assert phrase in result.output
    assert result.output.count("error:") == 1  # one sentence
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_command_on_a_home_never_initialised_creates_nothing(certmint_home: Path) -> None:
    for command in (["certificates", "list"], ["issue", "--batch", "B1"], ["keys", "rotate"]):
        _refused(runner.invoke(app, command), 5, "run `certmint init` first")
    assert not certmint_home.exists()
    certmint_home.mkdir()
    _refused(runner.invoke(app, ["users", "list"]), 5, "run `certmint init` first")
    assert list(certmint_home.iterdir()) == []


def test_a_master_secret_too_short_or_missing_is_a_sentence(
    certmint_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTMINT_MASTER_SECRET", GENERATED)
    invoke_ok("init")  # the secret is in the environment, not in certmint.env
    monkeypatch.setenv("CERTMINT_MASTER_SECRET", "short")
    _refused(runner.invoke(app, ["keys", "rotate"]), 1, "CERTMINT_MASTER_SECRET is too short")
    monkeypatch.delenv("CERTMINT_MASTER_SECRET")
    _refused(runner.invoke(app, ["keys", "rotate"]), 1, "CERTMINT_MASTER_SECRET is not set")


def test_production_init_without_a_secret_leaves_nothing(
    certmint_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "production")
    monkeypatch.setenv("CERTMINT_BASE_URL", "https://certs.example.org")
    _refused(runner.invoke(app, ["init"]), 1, "CERTMINT_MASTER_SECRET is the placeholder")
    assert not certmint_home.exists()
    certmint_home.mkdir()
    _refused(runner.invoke(app, ["init"]), 1, "CERTMINT_MASTER_SECRET is the placeholder")
    assert list(certmint_home.iterdir()) == []


@pytest.mark.parametrize(
    ("secret", "base_url", "phrase"),
    [
        (GENERATED, "http://certs.example.org", "CERTMINT_BASE_URL must be an https:// URL"),
        (GENERATED, "http://127.0.0.1:8000", "CERTMINT_BASE_URL must be an https:// URL"),
        ("correct-horse-battery", "https://certs.example.org", "too weak for production"),
        ("abcabcabcabcabcabcabcabcabcabcabcabc", "https://certs.example.org", "too weak"),
        ("change-me", "https://certs.example.org", "is the placeholder"),
    ],
)
def test_production_refuses_what_is_unsafe(
    certmint_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
    base_url: str,
    phrase: str,
) -> None:
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "production")
    monkeypatch.setenv("CERTMINT_MASTER_SECRET", secret)
    _refused(runner.invoke(app, ["init", "--base-url", base_url]), 1, phrase)
    assert not certmint_home.exists()


def test_production_takes_an_https_url_and_a_generated_secret(
    certmint_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "production")
    monkeypatch.setenv("CERTMINT_MASTER_SECRET", GENERATED)
    invoke_ok("init", "--base-url", "https://certs.example.org")
    monkeypatch.setenv("CERTMINT_ENVIRONMENT", "development")
    invoke_ok("init", "--base-url", "http://127.0.0.1:8000")  # loopback http: development only


def test_a_read_only_home_and_a_full_disk_are_sentences(tmp_path: Path) -> None:
    with broken_disk() as disk:
        if isinstance(disk, str):
            pytest.skip(disk)
        seed = tmp_path / "seed"
        invoke_ok_in(seed, "init")
        disk.place(seed)
        env = {"CERTMINT_HOME": str(disk.home)}
        with disk.read_only():
            _refused(runner.invoke(app, ["keys", "rotate"], env=env), 6, "read-only file system")
        with disk.full():
            _refused(runner.invoke(app, ["keys", "rotate"], env=env), 7, "no space left")
        # A first `init` on a full disk leaves nothing behind either.
        fresh = disk.mountpoint / "fresh"
        with disk.full():
            result = runner.invoke(app, ["init"], env={"CERTMINT_HOME": str(fresh)})
            _refused(result, 7, "no space left")
            assert not fresh.exists()


def invoke_ok_in(home: Path, *args: str) -> None:
    result = runner.invoke(app, list(args), env={"CERTMINT_HOME": str(home)})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("environment", "code", "phrase"),
    [
        ({}, 5, "run `certmint init` first"),
        ({"CERTMINT_MASTER_SECRET": "short"}, 1, "CERTMINT_MASTER_SECRET is too short"),
    ],
)
def test_the_web_app_answers_a_broken_environment_at_start(
    tmp_path: Path, environment: dict[str, str], code: int, phrase: str
) -> None:
    started = subprocess.run(
        [sys.executable, "-c", "from certmint.web.app import app_from_environment as f; f()"],
        env={
            "CERTMINT_HOME": str(tmp_path / "home"),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": ":".join(sys.path),
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == code, started.stderr
    assert phrase in started.stderr
    assert "Traceback" not in started.stderr
    assert not (tmp_path / "home").exists()
