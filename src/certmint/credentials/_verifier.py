"""Verification of any issuer's credential as a fixed sequence of checks.

``verify_credential`` never raises for a bad or hostile credential: it returns a
:class:`VerificationReport` with one :class:`Check` per step, in this order, each passed,
failed, skipped (a prerequisite failed) or not applicable:

1. ``format``: parseable within bounds; VC 2.0 (or VC 1.1) required fields; for Open Badges
   credentials the OB 3.0 JSON Schema; every term defined by the contexts (JSON-LD safe mode).
2. ``signature``: a ``DataIntegrityProof`` with an allowed cryptosuite verifies.
3. ``issuer_key``: the proof's key belongs to the issuer, for the proof's purpose.
4. ``status``: every ``credentialStatus`` entry is checked (skipped if the signature failed).
5. ``validity``: ``validFrom``/``validUntil`` (VC 2.0) or ``issuanceDate``/``expirationDate``
   (VC 1.1) against ``now``.

https://www.w3.org/TR/vc-data-model-2.0/#verification and
https://www.w3.org/TR/vc-data-integrity/#verify-proof describe the steps.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from certmint.credentials._canon import (
    DEFAULT_LIMITS,
    Limits,
    canonicalize_rdfc,
    check_json_bounds,
    expand_safe,
    json_size,
)
from certmint.credentials._data_model import credential_problems
from certmint.credentials._did import ResolvedKey
from certmint.credentials._fastpath import FastRdfCanonicalizer
from certmint.credentials._loader import BundledDocumentLoader, bundled_digests
from certmint.credentials._proof_sets import KeyResolver, verify_proof_set
from certmint.credentials._proofs import CRYPTOSUITES, proofs_of
from certmint.credentials._schema import check_ob3_schema
from certmint.credentials._status import StatusChecker, status_purpose
from certmint.credentials.errors import CredentialError, LimitExceededError, SchemaError
from certmint.domain.messages import N_, Joined, Message, Said

__all__ = [
    "CHECK_NAMES",
    "VC1_CONTEXT",
    "Check",
    "KeyResolver",
    "Outcome",
    "VerificationReport",
    "verify_credential",
]

VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
_VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
_OB3_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_UNSIGNED = Message("the signature did not verify")
#: The validity check's reason when the period has not started: a verdict of its own ("not yet
#: valid", with the date), not "expired" (see ``VerificationReport.not_yet_valid``).
NOT_YET_VALID = N_("not yet valid: valid from %(start)s")
CHECK_NAMES = ("format", "signature", "issuer_key", "status", "validity")


class Outcome(StrEnum):
    """The result of one verification step (``not_applicable``: nothing to check)."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Check:
    """One step of a verification: its name, outcome and a human-readable reason: a message
    (``str()`` is English: the API, the CLI; the page shows it in its reader's language), or
    plain text where a library words it (an error deeper in the credential code)."""

    name: str
    outcome: Outcome
    detail: Said | str


@dataclass(frozen=True)
class VerificationReport:
    """Every step, in :data:`CHECK_NAMES` order; rendered by the web page, API and CLI alike.

    https://www.w3.org/TR/vc-data-model-2.0/#verification
    """

    checks: tuple[Check, ...]

    @property
    def verified(self) -> bool:
        """True only when no step failed or was skipped."""
        return all(c.outcome in (Outcome.PASSED, Outcome.NOT_APPLICABLE) for c in self.checks)

    @property
    def not_yet_valid(self) -> bool:
        """True when the validity check failed because the period has not started yet."""
        detail = self.check("validity").detail
        return isinstance(detail, Message) and detail.text == NOT_YET_VALID

    def check(self, name: str) -> Check:
        """Return the step called ``name``."""
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready form."""
        return {
            "verified": self.verified,
            "checks": [
                {"name": c.name, "outcome": c.outcome.value, "detail": str(c.detail)}
                for c in self.checks
            ],
        }


def _parse(document: Any, limits: Limits) -> dict[str, Any]:
    if isinstance(document, bytes | str):
        size = len(document.encode() if isinstance(document, str) else document)
        if size > limits.max_bytes:
            raise LimitExceededError("document bytes", size, limits.max_bytes)
        try:
            document = json.loads(document)
        except (ValueError, RecursionError) as exc:
            raise _FormatError(Message("the document is not JSON")) from exc
    if not isinstance(document, dict):
        raise _FormatError(Message("the document is not a JSON object"))
    check_json_bounds(document, limits)
    size = json_size(document)
    if size > limits.max_bytes:
        raise LimitExceededError("document bytes", size, limits.max_bytes)
    return document


class _FormatError(Exception):
    """Internal: the format step failed with this reason."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _failure(exc: _FormatError | CredentialError) -> Said | str:
    return exc.reason if isinstance(exc, _FormatError) else str(exc)


def _id_of(value: Any) -> str | None:
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def _check_format(
    document: dict[str, Any],
    loader: BundledDocumentLoader,
    limits: Limits,
    fast: FastRdfCanonicalizer | None,
) -> Message:
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first not in (_VC2_CONTEXT, VC1_CONTEXT):
        raise _FormatError(Message("@context must start with the VC 2.0 or VC 1.1 context"))
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if not all(isinstance(item, str) for item in types):
        raise _FormatError(Message("type must be a string or a list of strings"))
    if "VerifiableCredential" not in types:
        raise _FormatError(Message("type must include VerifiableCredential"))
    if _id_of(document.get("issuer")) is None:
        raise _FormatError(Message("issuer must be a URL or an object with an id"))
    if not document.get("credentialSubject"):
        raise _FormatError(Message("credentialSubject is missing"))
    if first == VC1_CONTEXT and not isinstance(document.get("issuanceDate"), str):
        raise _FormatError(Message("a VC 1.1 credential needs issuanceDate"))
    version = "VC 2.0" if first == _VC2_CONTEXT else "VC 1.1"
    problems = credential_problems(document, bundled_digests, dates=False)  # see validity
    if problems:
        # each names its JSON path and the statement, in the specification's own terms
        broken = "; ".join(map(str, problems))
        raise _FormatError(
            Message("%(version)s data model: %(problems)s", version=version, problems=broken)
        )
    detail = Message("%(version)s credential", version=version)
    if _OB3_TYPES & set(types) and first == _VC2_CONTEXT:
        try:
            detail = check_ob3_schema(document)
        except SchemaError as exc:
            raise _FormatError(exc.reason) from None
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if fast is None or not fast.covers(unsecured):
        expand_safe(unsecured, loader, limits)
    return detail


def _parse_time(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise _FormatError(Message("%(name)s is not a date-time string", name=name))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _FormatError(
            Message(
                "%(name)s %(value)s is not an XML Schema date-time", name=name, value=repr(value)
            )
        ) from None
    if moment.tzinfo is None:
        raise _FormatError(
            Message("%(name)s %(value)s has no time zone", name=name, value=repr(value))
        )
    return moment


def _check_validity(document: dict[str, Any], now: datetime) -> Check:
    vc1 = "issuanceDate" in document and "validFrom" not in document
    start_name, end_name = (
        ("issuanceDate", "expirationDate") if vc1 else ("validFrom", "validUntil")
    )
    try:
        start = _parse_time(document[start_name], start_name) if start_name in document else None
        end = _parse_time(document[end_name], end_name) if end_name in document else None
    except _FormatError as exc:
        return Check("validity", Outcome.FAILED, exc.reason)
    if start is None and end is None:
        return Check("validity", Outcome.NOT_APPLICABLE, Message("no validity period"))
    if start is not None and now < start:
        return Check("validity", Outcome.FAILED, Message(NOT_YET_VALID, start=document[start_name]))
    if end is not None and now >= end:
        expired = Message("expired at %(end)s", end=document[end_name])
        return Check("validity", Outcome.FAILED, expired)
    if end is not None:
        return Check(
            "validity", Outcome.PASSED, Message("valid until %(end)s", end=document[end_name])
        )
    return Check("validity", Outcome.PASSED, Message("valid"))


def _check_signature(
    document: dict[str, Any],
    *,
    loader: BundledDocumentLoader,
    resolve_key: KeyResolver,
    allowed: Collection[str],
    limits: Limits,
    fast: FastRdfCanonicalizer | None,
) -> tuple[Check, tuple[Mapping[str, Any], ResolvedKey] | None]:
    proofs = proofs_of(document)
    if not proofs:
        return Check("signature", Outcome.FAILED, Message("the credential has no proof")), None

    def canonicalizer(doc: Mapping[str, Any]) -> str:
        # compiled shapes only: an unknown shape takes the full path under these limits
        if fast is not None and fast.covers(doc):
            return fast(doc)
        return canonicalize_rdfc(doc, loader, limits)

    verified, reasons = verify_proof_set(
        document,
        proofs,
        allowed=allowed,
        resolve_key=resolve_key,
        loader=loader,
        limits=limits,
        rdf_canonicalizer=canonicalizer,
    )
    if reasons:
        return Check("signature", Outcome.FAILED, Joined(tuple(reasons), "; ")), None
    # The issuer's own proof is the one the issuer_key step judges.
    issuer = _id_of(document.get("issuer"))
    proof, key = next((pk for pk in verified if pk[1].controller == issuer), verified[0])
    method = str(_id_of(proof["verificationMethod"]))
    signer = {"suite": str(proof["cryptosuite"]), "method": method}
    detail = Message("%(suite)s signature by %(method)s verifies", **signer)
    if len(verified) > 1:
        detail = Message(
            "all %(count)s proofs verify, the %(suite)s signature by %(method)s among them",
            count=len(verified),
            **signer,
        )
    return Check("signature", Outcome.PASSED, detail), (proof, key)


def _check_issuer_key(
    document: dict[str, Any], proof: Mapping[str, Any], key: ResolvedKey
) -> Check:
    issuer = _id_of(document.get("issuer"))
    purpose = proof.get("proofPurpose")
    if key.controller != issuer:
        detail = Message(
            "the key %(key)s is controlled by %(controller)s, not by the issuer %(issuer)s",
            key=key.id,
            controller=str(key.controller),
            issuer=str(issuer),
        )
        return Check("issuer_key", Outcome.FAILED, detail)
    if purpose != "assertionMethod" or purpose not in key.purposes:
        detail = Message(
            "the key %(key)s (%(source)s) is not authorized for %(purpose)s",
            key=key.id,
            source=key.source,
            purpose=repr(purpose),
        )
        return Check("issuer_key", Outcome.FAILED, detail)
    controls = Message(
        "%(issuer)s controls %(key)s for %(purpose)s",
        issuer=str(issuer),
        key=key.id,
        purpose=purpose,
    )
    return Check("issuer_key", Outcome.PASSED, controls)


def _check_status(
    document: dict[str, Any], check_status: StatusChecker | None, signed: bool
) -> Check:
    status = document.get("credentialStatus")
    if status is None:
        no_status = Message("the credential has no credentialStatus")
        return Check("status", Outcome.NOT_APPLICABLE, no_status)
    if check_status is None:
        raise TypeError("the credential has credentialStatus: pass check_status")
    if not signed:
        return Check("status", Outcome.SKIPPED, _UNSIGNED)
    entries = status if isinstance(status, list) else [status]
    if not entries or not all(isinstance(entry, dict) for entry in entries):
        not_object = Message("a credentialStatus entry is not an object")
        return Check("status", Outcome.FAILED, not_object)
    # Every entry is checked (revocation and suspension, say), and every set bit is reported.
    set_: list[Joined] = []
    clear: list[Joined] = []
    for entry in entries:
        try:
            result = check_status(entry, document)
        except CredentialError as exc:
            unknown = Message("status unknown: %(error)s", error=str(exc))
            return Check("status", Outcome.FAILED, unknown)
        bit = N_("%(purpose)s bit set") if result.is_set else N_("%(purpose)s bit clear")
        detail = result.detail or Message(bit, purpose=status_purpose(result.purpose))
        said = Joined((status_purpose(result.purpose), detail), ": ")
        (set_ if result.is_set else clear).append(said)
    if set_:
        return Check("status", Outcome.FAILED, Joined(tuple(set_), "; "))
    return Check("status", Outcome.PASSED, Joined(tuple(clear), "; "))


def verify_credential(
    document: Any,
    *,
    loader: BundledDocumentLoader,
    resolve_key: KeyResolver,
    check_status: StatusChecker | None,
    now: datetime,
    allowed_cryptosuites: Collection[str] = CRYPTOSUITES,
    limits: Limits = DEFAULT_LIMITS,
    rdf_canonicalizer: FastRdfCanonicalizer | None = None,
) -> VerificationReport:
    """Verify ``document`` (a parsed JSON object, or JSON text/bytes) and report every step.

    ``check_status`` is required as soon as the credential has ``credentialStatus``: calling
    without one raises ``TypeError`` (a programming error, never a silent pass). Any other
    problem of the credential is reported, not raised. A shared ``rdf_canonicalizer`` (built on
    the same ``loader``) makes verifying credentials of shapes it has compiled (by signing, or
    :meth:`FastRdfCanonicalizer.prepare`) far cheaper, with the same result; it never compiles
    a shape for an untrusted document.
    """
    if now.tzinfo is None:
        raise TypeError("now must be a timezone-aware datetime")
    if rdf_canonicalizer is not None and rdf_canonicalizer.loader is not loader:
        raise TypeError("rdf_canonicalizer must use the verifier's loader")
    try:
        parsed = _parse(document, limits)
    except (_FormatError, CredentialError) as exc:
        return _all_skipped(Check("format", Outcome.FAILED, _failure(exc)))
    if parsed.get("credentialStatus") is not None and check_status is None:
        raise TypeError("the credential has credentialStatus: pass check_status")
    try:
        detail = _check_format(parsed, loader, limits, rdf_canonicalizer)
        format_check = Check("format", Outcome.PASSED, detail)
    except (_FormatError, CredentialError) as exc:
        return _all_skipped(Check("format", Outcome.FAILED, _failure(exc)))
    signature, signed_by = _check_signature(
        parsed,
        loader=loader,
        resolve_key=resolve_key,
        allowed=allowed_cryptosuites,
        limits=limits,
        fast=rdf_canonicalizer,
    )
    if signed_by is None:
        issuer_key = Check("issuer_key", Outcome.SKIPPED, _UNSIGNED)
    else:
        issuer_key = _check_issuer_key(parsed, *signed_by)
    status = _check_status(parsed, check_status, signed_by is not None)
    return VerificationReport(
        (format_check, signature, issuer_key, status, _check_validity(parsed, now))
    )


def _all_skipped(first: Check) -> VerificationReport:
    skipped = Message("the format check failed")
    rest = (Check(name, Outcome.SKIPPED, skipped) for name in CHECK_NAMES[1:])
    return VerificationReport((first, *rest))
