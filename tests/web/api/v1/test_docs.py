"""Runs the walk-through in docs/api.md: every curl command, in order, against the app.

Shell variables carry ids from one step to the next (``NAME=$(curl ... | jq -r PATH)``), and
each JSON block after a command must match its answer: every field shown is there, and values
are equal unless they vary from run to run (ids, times, certificate numbers, secrets, ``...``).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from certmint.domain.accounts import Principal, Role
from certmint.services.identity.tokens import create_token
from certmint.services.issuers.keys import ensure_signing_key
from certmint.services.issuers.organisations import create_organisation
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

DOC = Path(__file__).parents[4] / "docs" / "api.md"
WALK_START = "## The REST API, step by step"
WALK_END = "## Public endpoints"
BLOCK = re.compile(r"```(sh|json)\n(.*?)```", re.S)
CAPTURE = re.compile(r"^(\w+)=\$\((.*) \| jq -r '?([^')]+)'?\)$", re.S)
VARIES = re.compile(
    r"(^|/)[A-Za-z0-9_-]{22}$|^\d{4}-\d\d-\d\dT|\.\.\.|^\d{4}-[0-9A-Z]{5}-[0-9A-Z]{5}$|^whsec_"
)


def _commands(script: str) -> list[str]:
    """Shell commands, split at newlines outside quotes and not after a backslash."""
    commands, current, quote = [], "", None
    for ch in script:
        if quote is None and ch in "'\"":
            quote = ch
        elif ch == quote:
            quote = None
        if ch == "\n" and quote is None and not current.endswith("\\"):
            if current.strip():
                commands.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        commands.append(current.strip())
    return [c.replace("\\\n", " ") for c in commands]


def _jq(value: Any, path: str) -> str:
    for part in re.findall(r"\.(\w+)|\[(\d+)\]", path):
        value = value[part[0]] if part[0] else value[int(part[1])]
    return str(value)


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and _matches(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and all(
            any(_matches(e, a) for a in actual) for e in expected
        )
    if isinstance(expected, str) and VARIES.search(expected):
        return True
    return bool(expected == actual)


class Shell:
    """Just enough of a shell and of curl for the walk-through."""

    def __init__(self, client: TestClient, token: str, workdir: Path) -> None:
        self.client = client
        self.variables = {"TOKEN": token}
        self.workdir = workdir
        self.last: Any = None

    def run(self, command: str) -> None:
        if command.startswith("TOKEN="):
            return  # made through the service: the CLI is tested on its own
        capture = CAPTURE.match(command)
        if capture:
            name, curl, path = capture.groups()
            self.variables[name] = _jq(self.curl(curl).json(), path)
            return
        assignment = re.match(r"^(\w+)=(\S+)$", command)
        if assignment:
            self.variables[assignment[1]] = assignment[2]
            return
        assert command.startswith("curl "), command
        self.last = self.curl(command)

    def curl(self, command: str) -> Any:
        for name, value in self.variables.items():
            command = command.replace(f"${name}", value)
        assert "$" not in command.replace("$(", ""), f"unset variable in {command}"
        args = shlex.split(command)[1:]
        method, headers, data, files, output, url = "GET", {}, None, None, None, None
        while args:
            arg = args.pop(0)
            if arg == "-s":
                continue
            if arg == "-X":
                method = args.pop(0)
            elif arg == "-H":
                name, _, value = args.pop(0).partition(": ")
                headers[name] = value
            elif arg == "-d":
                data = args.pop(0)
                if method == "GET":
                    method = "POST"
            elif arg == "-F":
                field, _, path = args.pop(0).partition("=@")
                files = {field: (path, (self.workdir / path).read_bytes())}
                if method == "GET":
                    method = "POST"
            elif arg == "-o":
                output = args.pop(0)
            else:
                assert not arg.startswith("-"), arg
                url = arg
        assert url is not None, command
        response = self.client.request(method, url, headers=headers, content=data, files=files)
        assert response.status_code < 500, response.text
        if output is not None:
            assert response.status_code == 200, response.text
            (self.workdir / output).write_bytes(response.content)
        return response


def test_the_walk_through_runs(
    uow: SqlAlchemyUnitOfWork, signing: Signing, api_client: TestClient, tmp_path: Path
) -> None:
    organisation = create_organisation(
        uow, "Acme Institute", url="https://acme.example", default=True
    )
    ensure_signing_key(uow, signing.key_store, organisation.id)
    _token, secret = create_token(
        uow, Principal.at_shell(organisation.id), name="Moodle", role=Role.ADMIN
    )
    shell = Shell(api_client, secret, tmp_path)
    doc = DOC.read_text(encoding="utf-8")
    walk = doc[doc.index(WALK_START) : doc.index(WALK_END)]
    checked = 0
    for kind, text in BLOCK.findall(walk):
        if kind == "sh":
            shell.last = None
            for command in _commands(text):
                shell.run(command)
            continue
        assert shell.last is not None, f"no command answers this block:\n{text}"
        expected = json.loads(text)
        actual = shell.last.json()
        assert _matches(expected, actual), f"{text}\n!=\n{json.dumps(actual, indent=1)}"
        checked += 1
    assert checked >= 10
