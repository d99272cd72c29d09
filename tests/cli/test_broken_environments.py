"""Every CLI command against a broken environment: a home that was never initialised, a
read-only home, a full disk and a wrong master secret.

The commands are enumerated from the Typer app, so a new command fails this test until it has
sample arguments in ``SAMPLES``. Each command runs on a fresh copy of one small initialised
home, first on a healthy disk (its baseline exit code), then in each broken environment, where
it must answer one sentence and the documented exit code (docs/cli.md), never a traceback, and
lose nothing: afterwards the database passes ``PRAGMA integrity_check``, every certificate
keeps its signed credential, every key still opens with the right secret, and on a read-only or
full disk the database file is byte for byte what it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner, Result

from certmint import jobs
from certmint.cli import app
from certmint.credentials import FileKeyStore
from certmint.environment import Trouble
from tests.broken_homes import BrokenDisk, broken_disk
from tests.cli_homes import invoke_ok, seed_home
from tests.factories import enrolment_csv, enrolment_row

runner = CliRunner()

WRONG_SECRET = "not-the-secret-the-keys-were-sealed-with-0123"

# Sample arguments of every command; placeholders in braces are filled from the seeded home.
SAMPLES: dict[str, list[str]] = {
    "achievements add": [
        "--batch", "B1", "--template", "{template}", "--name", "Honours",
        "--criteria", '{"completed": true}',
    ],
    "achievements list": ["--batch", "B1"],
    "certificates download": ["{certificate}", "--out", "{out}/c.png", "--format", "png"],
    "certificates list": [],
    "certificates reinstate": ["{certificate}"],
    "certificates suspend": ["{certificate}", "--reason", "checking"],
    "demo": ["--no-serve"],
    "export": ["--batch", "B1", "--format", "ob3", "--out", "{out}/export"],
    "import enrolments": ["{csv}"],
    "init": [],
    "issue": ["--batch", "B1"],
    "keys rotate": ["--reason", "routine"],
    "notifications purge": [],
    "orgs add": ["Second Board", "--slug", "second-board"],
    "orgs list": [],
    "orgs show": ["{org}"],
    "orgs update": ["{org}", "--name", "Renamed Institute"],
    "notifications send": [],
    "notifications templates preview": [],
    "notifications templates reset": [],
    "notifications templates set": ["--subject", "Your certificate", "--text", "{text}"],
    "notifications templates show": [],
    "reissue": ["{certificate}", "--reason", "typo", "--name", "Asha Rao"],
    "revoke": ["{certificate}", "--reason", "in error"],
    "serve": [],
    "templates create": [
        "--layout", "classic-1-2", "--title", "Certificate", "--signature", "Meera Iyer|Director",
    ],
    "templates layouts": [],
    "templates preview": ["{template}", "--out", "{out}/preview.svg"],
    "templates publish": ["{template}"],
    "templates upload": ["{svg}"],
    "tokens create": ["--name", "LMS"],
    "tokens list": [],
    "tokens revoke": ["{token}"],
    "users add": ["asha@example.org", "--name", "Asha Rao"],
    "users disable": ["admin@example.org"],
    "users invite": ["L1"],
    "users list": [],
    "users resend-invitation": ["admin@example.org"],
    "users set-password": ["admin@example.org"],
    "verify": ["{credential}", "--offline"],
    "webhooks add": ["--url", "https://127.0.0.1:9/hook"],
    "webhooks deliver": [],
    "webhooks list": [],
    "worker": [],
}  # fmt: skip

# Commands that need no initialised home: they make one, or read only files they are given.
NO_HOME_NEEDED = {"init", "demo", "templates layouts", "verify"}
# Commands that open private keys: with a wrong master secret they must refuse (and change
# nothing); the others do not need the secret and work as on a healthy home.
# A status change signs the status list it changes, so it opens the key too (reinstating
# the sample, an active certificate, is refused before that).
KEY_COMMANDS = {
    "certificates suspend",
    "demo",
    "init",
    "issue",
    "keys rotate",
    "orgs add",
    "reissue",
    "revoke",
    "serve",
}
EXTRA_ENV = {"worker": {"CERTMINT_BROKER_URL": "redis://127.0.0.1:6379/15"}}

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="297mm" height="210mm" '
    'viewBox="0 0 297 210"><text x="20" y="40">{{ recipient.name }}</text></svg>'
)


def _commands() -> list[str]:
    def walk(command: object, path: list[str]) -> Iterator[str]:
        children = getattr(command, "commands", None)
        if not children:
            yield " ".join(path)
            return
        for name, child in sorted(children.items()):
            yield from walk(child, [*path, name])

    return list(walk(typer.main.get_command(app), []))


@dataclass(frozen=True)
class Seed:
    """The healthy home every run starts from, and what it held."""

    home: Path
    files: Path
    values: dict[str, str]
    secret: str
    certificates: frozenset[tuple[str, str]]
    keys: frozenset[tuple[str, str, str | None]]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    work = tmp_path_factory.mktemp("broken-environments")
    home = work / "seed"
    with pytest.MonkeyPatch.context() as patch:
        _clean_environment(patch, home)
        seeded = seed_home(home, work, ("Completion",))
        # A learner who is not awarded yet, so that `issue` has something to sign.
        late = work / "late.csv"
        late.write_bytes(enrolment_csv([enrolment_row("L3")]))
        invoke_ok("import", "enrolments", str(late))
        invoke_ok("users", "add", "admin@example.org", "--name", "Admin")
        token = json.loads(invoke_ok("tokens", "create", "--name", "LMS", "--json"))
        credential = work / "credential.json"
        invoke_ok(
            "certificates", "download", seeded.certificate_ids[0],
            "--format", "ob3", "--out", str(credential),
        )  # fmt: skip
    new = work / "new.csv"
    new.write_bytes(enrolment_csv([enrolment_row("L4")]))
    (work / "mail.txt").write_text("Dear {{ learner_name }}, {{ verification_url }}\n")
    (work / "template.svg").write_text(SVG)
    secret = next(
        line.split("=", 1)[1]
        for line in (home / "certmint.env").read_text().splitlines()
        if line.startswith("CERTMINT_MASTER_SECRET=")
    )
    certificates, keys = _contents(home)
    return Seed(
        home=home,
        files=work,
        values={
            "template": seeded.template_version_id,
            "certificate": seeded.certificate_ids[0],
            "csv": str(new),
            "text": str(work / "mail.txt"),
            "svg": str(work / "template.svg"),
            "credential": str(credential),
            "token": str(token["id"]),
            "org": _default_slug(home),
        },
        secret=secret,
        certificates=certificates,
        keys=keys,
    )


def _default_slug(home: Path) -> str:
    with sqlite3.connect(home / "certmint.db") as db:
        (slug,) = db.execute("SELECT slug FROM organisations WHERE is_default").fetchone()
    db.close()
    return str(slug)


def _clean_environment(patch: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name.startswith("CERTMINT_") and not name.startswith("CERTMINT_TEST_"):
            patch.delenv(name)
    patch.setenv("CERTMINT_HOME", str(home))


def _contents(
    home: Path,
) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str, str | None]]]:
    with sqlite3.connect(home / "certmint.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        certificates = frozenset(db.execute("SELECT id, credential FROM certificates"))
        keys = frozenset(
            db.execute("SELECT organisation_id, public_key_multibase, retired_at FROM signing_keys")
        )
    db.close()
    return certificates, keys


def _args(command: str, seed: Seed, out: Path) -> list[str]:
    values = {**seed.values, "out": str(out)}

    def fill(arg: str) -> str:
        for name, value in values.items():
            arg = arg.replace(f"{{{name}}}", value)
        return arg

    return [*command.split(), *map(fill, SAMPLES[command])]


@pytest.fixture
def no_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` and `worker` return where they would start serving or working."""
    import uvicorn  # noqa: PLC0415

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.setattr(jobs, "run_worker", lambda *args, **kwargs: None)


def _invoke(command: str, seed: Seed, home: Path, out: Path, secret: str | None = None) -> Result:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {"CERTMINT_HOME": str(home), **EXTRA_ENV.get(command, {})}
    if secret is not None:
        env["CERTMINT_MASTER_SECRET"] = secret
    return runner.invoke(app, _args(command, seed, out), env=env)


def _answered(result: Result, command: str) -> tuple[int, str]:
    """Exit code and output; asserts that nothing escaped as a traceback."""
    code, output = result.exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        command,
        output,
        result.exception,
    )
    assert "Traceback" not in output, (command, output)
    assert "[/]" not in output, (command, output)  # no markup of ours shown as text
    return code, output


def _assert_intact(seed: Seed, home: Path, *, unchanged_bytes: str | None = None) -> None:
    if unchanged_bytes is not None:
        assert _digest(home / "certmint.db") == unchanged_bytes
    certificates, keys = _contents(home)
    assert seed.certificates <= certificates  # every signed credential is still there
    assert {(o, k) for o, k, _ in seed.keys} <= {(o, k) for o, k, _ in keys}
    store = FileKeyStore(home / "keys", seed.secret.encode())
    for organisation_id, multibase, _ in keys:
        store.get(f"{uuid.UUID(organisation_id)}#{multibase}")  # opens with the right secret
    assert (home / "certmint.env").read_text() == (seed.home / "certmint.env").read_text()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_command_answers_every_broken_environment(
    seed: Seed, tmp_path: Path, no_serving: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = _commands()
    assert set(commands) == set(SAMPLES), "give every command sample arguments in SAMPLES"
    _clean_environment(monkeypatch, seed.home)
    out = tmp_path / "out"
    baseline: dict[str, int] = {}
    for command in commands:
        home = tmp_path / "healthy"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(seed.home, home)
        code, output = _answered(_invoke(command, seed, home, out), command)
        assert code in (0, 1, 3, 4), (command, output)  # a healthy home: no environment code
        baseline[command] = code
        _assert_intact(seed, home)
    assert baseline["issue"] == baseline["keys rotate"] == baseline["export"] == 0

    for command in commands:
        # Never initialised: nothing is made in its place.
        home = tmp_path / "never-initialised"
        shutil.rmtree(home, ignore_errors=True)
        code, output = _answered(_invoke(command, seed, home, out), command)
        if command in NO_HOME_NEEDED:
            # verify: the credential's issuer (its DID, its status list) lived in that home.
            expected = 1 if command == "verify" else baseline[command]
            assert code == expected, (command, output)
        else:
            assert code == Trouble.NOT_INITIALISED, (command, output)
            assert "run `certmint init` first" in output
            assert not home.exists(), command

        # A wrong master secret: key operations refuse and change nothing; the rest work.
        home = tmp_path / "wrong-secret"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(seed.home, home)
        before = _digest(home / "certmint.db")
        code, output = _answered(_invoke(command, seed, home, out, WRONG_SECRET), command)
        if command in KEY_COMMANDS:
            assert code == Trouble.MASTER_SECRET, (command, output)
            assert "CERTMINT_MASTER_SECRET does not open the signing keys" in output
            _assert_intact(seed, home, unchanged_bytes=before)
        else:
            assert code == baseline[command], (command, output)
            _assert_intact(seed, home)


@pytest.mark.parametrize("trouble", [Trouble.NOT_WRITABLE, Trouble.DISK_FULL])
def test_every_command_answers_a_broken_disk(
    seed: Seed, trouble: Trouble, no_serving: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clean_environment(monkeypatch, seed.home)
    with broken_disk() as disk:
        if isinstance(disk, str):
            pytest.skip(disk)
        out = disk.mountpoint.parent / f"{disk.mountpoint.name}-out"
        try:
            for command in _commands():
                _run_on_broken_disk(seed, disk, trouble, command, out)
        finally:
            shutil.rmtree(out, ignore_errors=True)


def _run_on_broken_disk(
    seed: Seed, disk: BrokenDisk, trouble: Trouble, command: str, out: Path
) -> None:
    disk.place(seed.home)
    before = _digest(disk.home / "certmint.db")
    broken = disk.read_only() if trouble is Trouble.NOT_WRITABLE else disk.full()
    with broken:
        code, output = _answered(_invoke(command, seed, disk.home, out), command)
    if command in ("templates layouts", "verify") and code == 0:
        pass  # they need nothing of the home's disk (verify reads it only when it can)
    else:
        assert code == trouble, (command, output)
        assert output.count("error:") == 1, (command, output)  # one sentence
    _assert_intact(seed, disk.home, unchanged_bytes=before)


def test_the_sample_credential_still_verifies_after_all_that(seed: Seed, tmp_path: Path) -> None:
    """The seed's credential against a copy of its home: the keys it names are the ones kept."""
    home = tmp_path / "home"
    shutil.copytree(seed.home, home)
    result = runner.invoke(
        app,
        ["verify", seed.values["credential"], "--offline", "--json"],
        env={"CERTMINT_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["verified"] is True
