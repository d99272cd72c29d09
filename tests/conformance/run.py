"""Run the W3C Verifiable Credentials test suites against Certmint served over loopback TLS.

    python -m tests.conformance.run [--suites DIR] [--only SUITE ...] [--keep] [--prune]

A throwaway instance (its own data directory, SQLite, a self-signed certificate for localhost)
is served with ``certmint serve --ssl-keyfile/--ssl-certfile`` and ``CERTMINT_BASE_URL`` set to
its ``https://localhost:PORT`` address. Each suite gets a ``localConfig.cjs`` naming Certmint's
``/vc-api`` endpoints as its only implementation, and runs under mocha with Node.js trusting the
certificate (``NODE_EXTRA_CA_CERTS``) and kept on loopback (``loopback-only.cjs``).

The suites are not part of this repository (docs/conformance.md says why and where they come
from): ``--suites`` (or ``CERTMINT_W3C_SUITES``) names a directory holding each suite, with its
npm dependencies installed, under its repository's name. SOURCES pins their commits.

Prints each suite's passed / failed / pending counts, then every failure that
``expected-failures.json`` does not list (with its message), and exits 1 if there is any (or a
suite could not run), 0 otherwise. A listed test that passed is reported (``--prune`` takes it
off the list), so the list shrinks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.tls import loopback_certificate

HERE = Path(__file__).resolve().parent
SUITES = (
    "vc-data-model-2.0-test-suite",
    "vc-di-eddsa-test-suite",
    "vc-bitstring-status-list-test-suite",
)
EXPECTED = HERE / "expected-failures.json"
DEFAULT_SUITES_DIR = Path("/opt/certmint-w3c-suites")
SUITE_TIMEOUT = 900  # seconds for one suite; the three together take a few minutes
_HOOK = re.compile(r'"(before|after) (all|each)" hook')
START_TIMEOUT = 120  # seconds for the server to answer (a loaded machine starts Python slowly)


@dataclass
class SuiteResult:
    """One suite's run: mocha's counts and the full titles of its failures with their messages."""

    name: str
    passed: set[str] = field(default_factory=set)  # full titles
    pending: set[str] = field(default_factory=set)  # full titles of tests that skipped
    failures: dict[str, str] = field(default_factory=dict)
    not_run: int = 0  # tests under a hook that failed (their failure is the hook's)
    crashed: str | None = None  # why there are no results, when there are none

    def fixed(self, listed: Iterable[str]) -> set[str]:
        """Which of the ``listed`` failures did not happen: tests that passed or skipped
        themselves, and hooks that did not fail (mocha names a hook only when it fails)."""
        if self.crashed:
            return set()
        return {
            t
            for t in listed
            if t in self.passed
            or t in self.pending
            or (_HOOK.search(t) is not None and t not in self.failures)
        }


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    suites_dir: Path = args.suites
    missing = [
        s for s in args.only if not (suites_dir / s / "node_modules" / ".bin" / "mocha").exists()
    ]
    if missing:
        print(
            f"error: {', '.join(missing)} not installed under {suites_dir} "
            "(see docs/conformance.md, 'Getting the suites')",
            file=sys.stderr,
        )
        return 2
    _check_pins(suites_dir, args.only)
    expected = _expected_failures(EXPECTED)
    work = Path(tempfile.mkdtemp(prefix="certmint-conformance-"))
    try:
        with _served_instance(work) as instance:
            results = [_run_suite(suites_dir / s, instance, work) for s in args.only]
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if args.prune:
        _prune(EXPECTED, results)
    return _report(results, expected)


def _prune(path: Path, results: list[SuiteResult]) -> None:
    """Rewrite the expected failures without the tests that passed in this run."""
    listed = _expected_failures(path)
    fixed = {(r.name, t) for r in results for t in r.fixed(listed.get(r.name, {}))}
    document = json.loads(path.read_text())
    document["tests"] = [t for t in document["tests"] if (t["suite"], t["test"]) not in fixed]
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--suites",
        type=Path,
        default=Path(os.environ.get("CERTMINT_W3C_SUITES", DEFAULT_SUITES_DIR)),
        help="directory holding the suites (default: $CERTMINT_W3C_SUITES or %(default)s)",
    )
    parser.add_argument("--only", nargs="+", choices=SUITES, default=list(SUITES))
    parser.add_argument("--keep", action="store_true", help="keep the instance, logs and reports")
    parser.add_argument(
        "--prune", action="store_true", help="drop listed expected failures that passed"
    )
    return parser.parse_args(argv)


def _check_pins(suites_dir: Path, suites: list[str]) -> None:
    """Warn when a suite is not at the commit SOURCES pins (its ``.commit`` file says which)."""
    pins = dict(
        line.split()[:2]
        for line in (HERE / "SOURCES").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    for suite in suites:
        marker = suites_dir / suite / ".commit"
        found = marker.read_text().strip() if marker.exists() else "(unknown)"
        if found != pins.get(f"w3c/{suite}"):
            print(f"warning: {suite} is at {found}, SOURCES pins {pins.get(f'w3c/{suite}')}")


def _expected_failures(path: Path) -> dict[str, dict[str, str]]:
    """Suite name -> {full test title: why it cannot pass here}."""
    listed: dict[str, dict[str, str]] = {}
    for entry in json.loads(path.read_text())["tests"]:
        listed.setdefault(entry["suite"], {})[entry["test"]] = entry["reason"]
    return listed


@dataclass(frozen=True)
class Instance:
    base_url: str
    issuer_did: str  # the organisation's did:web
    key_did: str  # the did:key of its signing key, which the VC-API also signs as
    token: str
    certificate: Path


@contextmanager
def _served_instance(work: Path) -> Iterator[Instance]:
    """A fresh Certmint instance served over HTTPS on a free loopback port, stopped after."""
    key, certificate = loopback_certificate(work)
    port = _free_port()
    base_url = f"https://localhost:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTMINT_")}
    env.update(CERTMINT_HOME=str(work / "home"), CERTMINT_BASE_URL=base_url)
    # The suites send a few hundred requests in a minute from one address: more than the
    # per-client limit lets through, which is not what they measure.
    env["CERTMINT_VERIFY_RATE_PER_MINUTE"] = "0"
    initialised = _certmint(env, "init")
    issuer_did = re.search(r"Issuer DID:\s+(\S+)", initialised)
    if issuer_did is None:
        raise SystemExit(f"certmint init did not name the issuer's DID:\n{initialised}")
    token = json.loads(_certmint(env, "tokens", "create", "--name", "W3C suites", "--json"))
    log = work / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "certmint",
                "serve",
                "--port",
                str(port),
                "--ssl-keyfile",
                str(key),
                "--ssl-certfile",
                str(certificate),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(server, f"{base_url}/healthz", certificate, log)
        key_did = _key_did(f"{base_url}/.well-known/did.json", certificate)
        yield Instance(base_url, issuer_did.group(1), key_did, token["token"], certificate)
    finally:
        server.terminate()
        server.wait(30)


def _certmint(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "certmint", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"certmint {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(server: subprocess.Popen[bytes], url: str, ca: Path, log: Path) -> None:
    trust = ssl.create_default_context(cafile=ca)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if httpx.get(url, verify=trust, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"certmint serve did not come up:\n{log.read_text()}")
        time.sleep(0.3)


def _key_did(did_document_url: str, ca: Path) -> str:
    """``did:key`` of the one key a new instance's DID document names for assertions."""
    document = httpx.get(did_document_url, verify=ssl.create_default_context(cafile=ca)).json()
    (method,) = (
        m for m in document["verificationMethod"] if m["id"] in document["assertionMethod"]
    )
    return f"did:key:{method['publicKeyMultibase']}"


def local_config(instance: Instance) -> dict[str, Any]:
    """The suites' implementation list (vc-test-suite-implementations' ``localConfig.cjs``):
    Certmint alone, on loopback. Each suite picks the endpoints carrying its tags; the issuer
    is listed once per option set, because the options travel with the endpoint. The eddsa
    suite resolves did:key alone, so its issuers sign as the did:key of the organisation's key;
    the others as the organisation's did:web."""
    vc_api = f"{instance.base_url}/vc-api"
    auth = {"Authorization": f"Bearer {instance.token}"}

    def issuer(tags: list[str], options: dict[str, Any], did: str) -> dict[str, Any]:
        return {
            "id": did,
            "endpoint": f"{vc_api}/credentials/issue",
            "headers": auth,
            "options": options,
            "supports": {"vc": ["1.1", "2.0"]},
            "tags": tags,
        }

    rdfc = {"cryptosuite": "eddsa-rdfc-2022"}
    status = {"credentialStatus": {"type": "BitstringStatusListEntry"}}
    verifier_tags = ["vc2.0", "eddsa-rdfc-2022", "eddsa-jcs-2022", "BitstringStatusList"]
    return {
        "settings": {"enableInteropTests": False, "testAllImplementations": False},
        "implementations": [
            {
                "name": "Certmint",
                "implementation": "Certmint (loopback)",
                "issuers": [
                    issuer(["vc2.0"], {}, instance.issuer_did),
                    issuer(["eddsa-rdfc-2022"], rdfc, instance.key_did),
                    issuer(["eddsa-jcs-2022"], {"cryptosuite": "eddsa-jcs-2022"}, instance.key_did),
                    issuer(["BitstringStatusList", "Revocation"], status, instance.issuer_did),
                ],
                "verifiers": [
                    {
                        "id": f"{vc_api}/credentials/verify",
                        "endpoint": f"{vc_api}/credentials/verify",
                        "tags": verifier_tags,
                    }
                ],
                "vpVerifiers": [
                    {
                        "id": f"{vc_api}/presentations/verify",
                        "endpoint": f"{vc_api}/presentations/verify",
                        "tags": ["vc2.0", "BitstringStatusList"],
                    }
                ],
            }
        ],
    }


def _run_suite(suite: Path, instance: Instance, work: Path) -> SuiteResult:
    """Mocha over the suite's tests with the JSON reporter (its report, not its console)."""
    result = SuiteResult(suite.name)
    # vc-test-suite-implementations reads localConfig.cjs from the application's root, which
    # APP_ROOT_PATH sets: the suite's directory stays untouched, so runs can share it.
    config_root = work / suite.name
    config_root.mkdir()
    (config_root / "localConfig.cjs").write_text(
        f"module.exports = {json.dumps(local_config(instance), indent=2)};\n"
    )
    started = time.monotonic()
    try:
        # A dry run lists every test; the real run leaves out those under a failed hook.
        listed = _mocha(suite, instance, config_root, "all", "--dry-run")
        data = _mocha(suite, instance, config_root, "run")
    except RuntimeError as exc:
        result.crashed = str(exc)
        return result
    result.passed = {t["fullTitle"] for t in data["passes"]}
    result.pending = {t["fullTitle"] for t in data["pending"]}
    for failure in data["failures"]:
        message = str(failure.get("err", {}).get("message", "")).strip()
        result.failures[failure["fullTitle"]] = message.splitlines()[0][:300] if message else ""
    ran = {t["fullTitle"] for key in ("passes", "failures", "pending") for t in data[key]}
    result.not_run = len({t["fullTitle"] for t in listed["tests"]} - ran)
    print(f"  {suite.name}: ran in {time.monotonic() - started:.0f} s", flush=True)
    return result


def _mocha(
    suite: Path, instance: Instance, config_root: Path, name: str, *options: str
) -> dict[str, Any]:
    """Run mocha in ``suite`` with the JSON reporter; its report (``name``.json) as a dict."""
    report, log = config_root / f"{name}.json", config_root / f"{name}.log"
    env = {
        **os.environ,
        "APP_ROOT_PATH": str(config_root),
        "NODE_EXTRA_CA_CERTS": str(instance.certificate),
        "NODE_OPTIONS": f'--require="{HERE / "loopback-only.cjs"}"',
    }
    command = [str(suite / "node_modules" / ".bin" / "mocha"), "tests/", "--timeout", "15000"]
    command += ["--preserve-symlinks", "--reporter", "json", "--reporter-option"]
    command += [f"output={report}", *options]
    try:
        with log.open("wb") as out:
            subprocess.run(
                command, cwd=suite, env=env, stdout=out, stderr=subprocess.STDOUT,
                timeout=SUITE_TIMEOUT, check=False,
            )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"did not finish within {SUITE_TIMEOUT} s") from exc
    if not report.exists():
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
        raise RuntimeError(f"mocha wrote no report:\n{tail}")
    report_data: dict[str, Any] = json.loads(report.read_text())
    return report_data


def _report(results: list[SuiteResult], expected: dict[str, dict[str, str]]) -> int:
    unexpected = 0
    print(
        "\nW3C suite                              passed  failed  pending  not run"
        "  (failed as expected)"
    )
    for r in results:
        listed = expected.get(r.name, {})
        known = sum(1 for title in r.failures if title in listed)
        if r.crashed:
            print(f"{r.name:<38} did not run: {r.crashed}")
            unexpected += 1
            continue
        print(
            f"{r.name:<38} {len(r.passed):>6}  {len(r.failures):>6}  {len(r.pending):>7}  {r.not_run:>7}"
            f"  ({known})"
        )
    for r in results:
        listed = expected.get(r.name, {})
        surprises = {t: m for t, m in r.failures.items() if t not in listed}
        for title, message in sorted(surprises.items()):
            print(f"\nFAILED, not expected: [{r.name}] {title}\n    {message}")
        unexpected += len(surprises)
        for title in sorted(r.fixed(listed)):
            print(
                f"\nlisted as failing but did not fail (--prune takes it off): [{r.name}] {title}"
            )
    print(
        f"\nW3C suites: {sum(len(r.passed) for r in results)} passed, "
        f"{sum(len(r.failures) for r in results)} failed of which {unexpected} not expected, "
        f"{sum(len(r.pending) for r in results)} pending, "
        f"{sum(r.not_run for r in results)} not run (under a failed hook)"
    )
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
