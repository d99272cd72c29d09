"""The conformance runner's verdict, on made-up suite results (the suites themselves run in
.ci/run, not here): only a failure that is not listed fails the run, and listed failures that
no longer happen are named and pruned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conformance.run import SuiteResult, _prune, _report

SUITE = "vc-data-model-2.0-test-suite"
HOOK = 'Status Certmint "before all" hook for "The type property is REQUIRED."'


def _listed(*titles: str) -> dict[str, dict[str, str]]:
    return {SUITE: dict.fromkeys(titles, "why")}


def test_an_unlisted_failure_fails_the_run(capsys: pytest.CaptureFixture[str]) -> None:
    result = SuiteResult(SUITE, passed={"a"}, failures={"b": "Missing expected rejection"})
    assert _report([result], _listed()) == 1
    assert "FAILED, not expected: [vc-data-model-2.0-test-suite] b" in capsys.readouterr().out
    assert _report([result], _listed("b")) == 0


def test_a_suite_that_did_not_run_fails_the_run() -> None:
    assert _report([SuiteResult(SUITE, crashed="mocha wrote no report")], _listed()) == 1


def test_listed_failures_that_no_longer_happen_are_named(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = SuiteResult(SUITE, passed={"a"}, pending={"p"}, failures={"c": "still"})
    listed = _listed("a", "p", HOOK, "c", "never ran")
    assert _report([result], listed) == 0
    assert result.fixed(listed[SUITE]) == {"a", "p", HOOK}
    out = capsys.readouterr().out
    assert out.count("did not fail") == 3
    # A hook that fails again is not fixed, nor is anything when the suite did not run.
    assert HOOK not in SuiteResult(SUITE, failures={HOOK: "422"}).fixed(listed[SUITE])
    assert SuiteResult(SUITE, crashed="timeout").fixed(listed[SUITE]) == set()


def test_prune_keeps_only_what_still_fails(tmp_path: Path) -> None:
    path = tmp_path / "expected-failures.json"
    entries = [{"suite": SUITE, "test": t, "reason": "why"} for t in ("a", "c")]
    path.write_text(json.dumps({"about": "kept", "tests": entries}))
    _prune(path, [SuiteResult(SUITE, passed={"a"}, failures={"c": "still"})])
    document = json.loads(path.read_text())
    assert document["about"] == "kept"
    assert [e["test"] for e in document["tests"]] == ["c"]
