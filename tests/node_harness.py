"""The Node.js harness in ``tests/interop`` (``interop.mjs``): independent tools run on what
Certmint produces (Digital Bazaar's VC libraries, ajv, PNG and XML parsers).

Needs ``npm ci --prefix tests/interop`` (pinned versions in tests/interop/package-lock.json;
``make test`` runs it, installing Debian's Node.js and npm when npm is missing). Without it the
tests skip when pytest is run by hand, and fail under ``make test`` and CI
(``tests.conftest.require_service``) so the check cannot silently disappear there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import require_service

INTEROP = Path(__file__).resolve().parent / "interop"


def node_or_skip(*packages: str) -> str:
    """The ``node`` executable, once ``packages`` are installed in the harness."""
    executable = shutil.which("node")
    missing = None
    if executable is None:
        missing = "node is not installed"
    else:
        absent = [p for p in packages if not (INTEROP / "node_modules" / p).is_dir()]
        if absent:
            missing = f"tests/interop/node_modules lacks {', '.join(absent)}"
    if missing is not None:
        require_service(f"{missing}: run `npm ci --prefix tests/interop`")
    assert executable is not None
    return executable


def run_harness(node: str, command: str, payload: Any) -> Any:
    """Run ``interop.mjs command`` with ``payload`` as JSON on stdin; return its JSON answer."""
    result = subprocess.run(
        [node, str(INTEROP / "interop.mjs"), command],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
