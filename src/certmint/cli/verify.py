"""``certmint verify PATH...``: check credentials, certificate PDFs and photos of QR codes.

Exit status: 0 when every file verifies, 1 when one does not, 2 when one cannot be read.
Keys and status lists of this instance (when ``CERTMINT_HOME`` holds one) are used locally;
other issuers' are fetched through the guarded HTTP client (the operator's outbound policy)
unless ``--offline``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from certmint.bootstrap import outbound_client
from certmint.cli.state import print_json, state
from certmint.cli.terminal import console, styled
from certmint.credentials import BundledDocumentLoader, Outcome
from certmint.environment import EnvironmentProblem, Trouble
from certmint.services.verification.verify import (
    FileVerification,
    Instance,
    document_verdict,
    verify_file,
)

__all__ = ["verify"]

EXIT_INVALID = 1
EXIT_UNREADABLE = 2
_MARKS = {
    Outcome.PASSED: ("✔", "green"),
    Outcome.FAILED: ("✘", "red"),
    Outcome.SKIPPED: ("-", "yellow"),
    Outcome.NOT_APPLICABLE: ("·", "dim"),
}


def _instance(ctx: typer.Context) -> Instance | None:
    """This machine's Certmint, if it has an initialised database."""
    st = state(ctx)
    try:
        container = st.container()
    except EnvironmentProblem as problem:
        if problem.trouble is Trouble.NOT_INITIALISED:
            return None
        raise
    return Instance(container.uow(), container.signing)


def _did_documents(paths: list[Path]) -> dict[str, Any]:
    documents = {}
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        documents[document["id"]] = document
    return documents


def _as_dict(path: Path, found: FileVerification) -> dict[str, Any]:
    result: dict[str, Any] = {
        "file": str(path),
        "source": found.source,
        "verified": found.verified,
        "problem": str(found.problem) if found.problem else None,
    }
    if found.report is not None:
        result["report"] = found.report.to_dict()
    if found.certificate is not None:
        result["certificate"] = found.certificate.to_dict()
    return result


def _print(path: Path, found: FileVerification) -> None:
    if found.problem:
        console.print(
            styled((str(path), "bold"), ": ", ("unreadable", "red"), f": {found.problem}")
        )
        return
    report = found.report or (found.certificate.report if found.certificate else None)
    verdict = (
        found.certificate.verdict
        if found.certificate
        else (document_verdict(report) if report else "invalid")
    )
    colour = "green" if found.verified else "red"
    word = verdict.replace("_", " ").upper()  # NOT YET VALID
    console.print(styled((str(path), "bold"), f" ({found.source}): ", (word, f"bold {colour}")))
    if found.certificate and found.certificate.status_reason:
        console.print(f"  reason: {found.certificate.status_reason}")
    for check in report.checks if report else ():
        console.print(styled("  ", _MARKS[check.outcome], f" {check.name:<11} {check.detail}"))


def verify(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Credential JSON, certificate PDF, baked PNG or SVG, or image of a QR code.",
        ),
    ],
    offline: Annotated[bool, typer.Option("--offline", help="Never use the network.")] = False,
    did_document: Annotated[
        list[Path] | None, typer.Option(help="A DID document (JSON) to trust for its DID.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Verify credentials: format, signature, issuer key, status, validity dates."""
    loader = BundledDocumentLoader()
    fetch = None if offline else outbound_client(state(ctx).settings).fetch
    instance = _instance(ctx)
    documents = _did_documents(did_document or [])
    results = []
    for path in paths:
        found = verify_file(
            path.read_bytes(),
            loader=loader,
            instance=instance,
            fetch=fetch,
            did_documents=documents,
        )
        results.append((path, found))
        if not as_json:
            _print(path, found)
    if as_json:
        print_json([_as_dict(path, found) for path, found in results])
    if any(found.problem for _, found in results):
        raise typer.Exit(EXIT_UNREADABLE)
    if not all(found.verified for _, found in results):
        raise typer.Exit(EXIT_INVALID)
