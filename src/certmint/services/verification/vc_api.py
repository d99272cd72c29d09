"""The W3C CCG VC-API: issue, verify a credential, verify a presentation.

So that standard test suites, wallets and other verifiers can drive Certmint over HTTP
(https://w3c-ccg.github.io/vc-api/). Issuing signs the caller's credential with the
organisation's key after checking it names that organisation as issuer; verifying never
fetches anything from the network (a public endpoint must not be a proxy), so only this
instance's keys, did:key and the bundled contexts are known to it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from certmint.credentials import (
    CRYPTOSUITES,
    EDDSA_RDFC_2022,
    CredentialError,
    DidResolver,
    Outcome,
    ProofOptions,
    bundled_digests,
    check_json_bounds,
    credential_problems,
    did_key_for,
    format_datetime,
    presentation_problems,
    proofs_of,
    sign_document,
    status_entry,
    verify_proof,
    work_budget,
)
from certmint.services.audit import record
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.issuers.keys import issuer_key
from certmint.services.issuers.organisations import require_active
from certmint.services.issuers.signing import Signing
from certmint.services.unit_of_work import UnitOfWork
from certmint.services.verification.status_lists import StatusListSigner, allocate_places
from certmint.services.verification.verify import Instance, local_documents, verify_document

__all__ = [
    "MAX_PRESENTED",
    "REQUEST_WORK_S",
    "ApiVerification",
    "issue_credential",
    "verify_credential_api",
    "verify_presentation_api",
]

VC1 = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY = "https://w3id.org/security/data-integrity/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
#: Credentials one presentation may hold (the W3C suites send one or two; a wallet a few).
MAX_PRESENTED = 20
#: CPU seconds of JSON-LD and canonicalization work one verify request may cost in all; each
#: expansion or canonicalization also has its own second (``Limits.time_budget_s``).
REQUEST_WORK_S = 2.0


def _rejected(problem: str) -> InvalidInput:
    return InvalidInput([problem], "credential rejected")


def issue_credential(
    uow: UnitOfWork,
    signing: Signing,
    organisation_id: UUID,
    credential: Any,
    options: Mapping[str, Any] | None = None,
    *,
    actor: str,
) -> dict[str, Any]:
    """Sign an unsecured VC 2.0 (or 1.1) credential with the organisation's active key.

    A credential that breaks a VC Data Model statement is refused, with every problem named
    (``InvalidInput``), never signed. No issuer means this organisation's DID; naming the
    did:key of its active key signs as that. A VC 1.1 credential gets the Data Integrity
    context appended, which defines the proof's terms (as Digital Bazaar's issuers do), and an
    ``issuanceDate`` of now when it has none. ``options``: ``cryptosuite``, and
    ``credentialStatus: {"type": "BitstringStatusListEntry"}`` for a place in the
    organisation's revocation list.
    """
    options = options or {}
    if not isinstance(credential, dict):
        raise _rejected("credential: must be a JSON object")
    try:
        check_json_bounds(credential)
    except CredentialError as exc:
        raise _rejected(f"credential: {exc}") from exc
    if proofs_of(credential):
        raise _rejected("credential: already has a proof; send the unsecured credential")
    cryptosuite = options.get("cryptosuite", EDDSA_RDFC_2022)
    if cryptosuite not in CRYPTOSUITES:
        raise _rejected(f"options.cryptosuite: one of {', '.join(CRYPTOSUITES)}")
    with_status = _status_option(options.get("credentialStatus"))
    with uow as tx:
        organisation = tx.organisations.get(organisation_id)
    if organisation is None:
        raise NotFound("organisation", organisation_id)
    require_active(organisation)
    key = issuer_key(uow, signing.key_store, organisation, signing.links)
    # The organisation signs as its DID, or as the did:key of its active key when the
    # credential names that as its issuer (verifiers that resolve did:key alone, the W3C
    # suites among them).
    as_did_key = did_key_for(key.key_pair.public_key)
    now = datetime.now(UTC)
    document = _completed(credential, key.did, now)
    problems = [str(p) for p in credential_problems(document, bundled_digests)]
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if isinstance(issuer_id, str) and issuer_id not in (key.did, as_did_key):
        problems.append(f"$.issuer: {issuer_id!r} is not this issuer ({key.did})")
    if with_status and "credentialStatus" in document:
        problems.append("$.credentialStatus: already set; send it or ask for one, not both")
    if problems:
        raise InvalidInput(problems, "credential rejected")
    method = key.verification_method
    if issuer_id == as_did_key:
        method = f"{as_did_key}#{key.key_pair.public_key.multibase}"
    options_ = ProofOptions(verification_method=method, created=now, cryptosuite=cryptosuite)
    with uow as tx:
        if with_status:
            # A place in the organisation's revocation list, held by no certificate: the list
            # is served where the entry points, and the bit stays clear.
            places = allocate_places(tx, StatusListSigner(signing, organisation, key), 1, now)
            places.record(tx, [None])
            entry = places.entry(signing.links, organisation, places.indexes[0])
            document["credentialStatus"] = status_entry(entry)
            if document["@context"][0] == VC1 and STATUS_V1 not in document["@context"]:
                document["@context"].append(STATUS_V1)  # VC 1.1 does not define the entry
        try:
            signed = sign_document(document, key.key_pair, options_, loader=signing.loader)
        except CredentialError as exc:
            raise _rejected(str(exc)) from exc
        record(
            tx,
            organisation_id=organisation_id,
            actor=actor,
            action="credential.issued_via_api",
            subject_type="credential",
            subject_id=str(document.get("id", "(no id)"))[:200],
            details={"cryptosuite": cryptosuite, "status": with_status},
            at=now,
        )
        tx.commit()
    return signed


def _status_option(option: Any) -> bool:
    """Whether ``options.credentialStatus`` asks for a status entry (only a
    ``BitstringStatusListEntry`` for revocation can be had); ``InvalidInput`` when it asks for
    another."""
    if option is None:
        return False
    if not isinstance(option, dict) or option.get("type") != "BitstringStatusListEntry":
        raise _rejected('options.credentialStatus: {"type": "BitstringStatusListEntry"} only')
    if option.get("statusPurpose", "revocation") != "revocation":
        raise _rejected('options.credentialStatus.statusPurpose: "revocation" only')
    return True


def _completed(credential: dict[str, Any], did: str, now: datetime) -> dict[str, Any]:
    """A copy of ``credential`` with what the issuer fills in: its DID when no issuer is named,
    and for VC 1.1 the Data Integrity context and an ``issuanceDate``."""
    document = copy.deepcopy(credential)
    if "issuer" not in document:
        document["issuer"] = did
    elif isinstance(document["issuer"], dict) and "id" not in document["issuer"]:
        document["issuer"]["id"] = did
    contexts = document.get("@context")
    if isinstance(contexts, list) and contexts and contexts[0] == VC1:
        if DATA_INTEGRITY not in contexts:
            document["@context"] = [*contexts, DATA_INTEGRITY]
        document.setdefault("issuanceDate", format_datetime(now))
    return document


@dataclass(frozen=True)
class ApiVerification:
    """The VC-API verification result: ``checks`` that passed, ``errors`` that did not."""

    verified: bool
    checks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": self.checks,
            "warnings": self.warnings,
            "errors": self.errors,
            "results": self.results,
        }


def verify_credential_api(uow: UnitOfWork, signing: Signing, credential: Any) -> ApiVerification:
    """Every check of one credential, its JSON-LD and canonicalization work within the
    request's budget (:data:`REQUEST_WORK_S`, shared with a presentation's other credentials
    when it is one of them)."""
    with work_budget(REQUEST_WORK_S):
        report = verify_document(credential, loader=signing.loader, instance=Instance(uow, signing))
    return ApiVerification(
        verified=report.verified,
        checks=[c.name for c in report.checks if c.outcome is Outcome.PASSED],
        warnings=[f"{c.name}: {c.detail}" for c in report.checks if c.outcome is Outcome.SKIPPED],
        errors=[f"{c.name}: {c.detail}" for c in report.checks if c.outcome is Outcome.FAILED],
        results=report.to_dict()["checks"],
    )


def verify_presentation_api(
    uow: UnitOfWork,
    signing: Signing,
    presentation: Any,
    options: Mapping[str, Any] | None = None,
) -> ApiVerification:
    """The presentation's proof (with its challenge and domain, when given), then every
    credential it holds, all within one work budget.

    At most :data:`MAX_PRESENTED` credentials (more is ``InvalidInput``: refused before any
    work); the JSON-LD and canonicalization work of the whole request stops after
    :data:`REQUEST_WORK_S` CPU seconds, and the credentials not yet checked then are reported
    as not verified. So one request costs a bounded amount whatever it holds.
    """
    options = options or {}
    if not isinstance(presentation, dict):
        raise InvalidInput(
            ["verifiablePresentation: must be a JSON object"], "presentation rejected"
        )
    credentials = presentation.get("verifiableCredential", [])
    credentials = credentials if isinstance(credentials, list) else [credentials]
    if len(credentials) > MAX_PRESENTED:
        too_many = f"verifiableCredential: {len(credentials)} credentials; at most {MAX_PRESENTED}"
        raise InvalidInput([too_many], "presentation rejected")
    try:
        check_json_bounds(presentation)
    except CredentialError as exc:
        raise InvalidInput([str(exc)], "presentation rejected") from exc
    errors = [f"presentation: {p}" for p in presentation_problems(presentation)]
    checks: list[str] = []
    results: list[dict[str, Any]] = []
    with work_budget(REQUEST_WORK_S) as budget:
        proofs = proofs_of(presentation)
        if proofs:
            # every proof of a proof set, as for a credential: one valid proof must not vouch
            # for a forged one beside it
            found = [
                error
                for proof in proofs
                for error in _presentation_proof_errors(uow, signing, presentation, proof, options)
            ]
            errors.extend(found)
            if not found:
                checks.append("proof")
        elif options.get("challenge"):
            errors.append("proof: a challenge was given but the presentation is not signed")
        if not proofs and not credentials:
            # Nothing was checked, so nothing may be reported as verified.
            errors.append("presentation: it has no proof and holds no credential")
        for index, credential in enumerate(credentials):
            if budget.spent() > budget.seconds:
                errors.append(
                    f"verifiableCredential[{index}:]: not checked: the request's "
                    f"{REQUEST_WORK_S:g} s of work are spent"
                )
                break
            if not isinstance(credential, dict):
                continue  # named by presentation_problems
            one = verify_credential_api(uow, signing, credential)
            results.append({"credential": index, "verified": one.verified, "checks": one.results})
            errors.extend(f"verifiableCredential[{index}].{e}" for e in one.errors)
    if credentials and len(results) == len(credentials) and all(r["verified"] for r in results):
        checks.append("credentials")
    return ApiVerification(not errors, checks, [], errors, results)


def _presentation_proof_errors(
    uow: UnitOfWork,
    signing: Signing,
    presentation: dict[str, Any],
    proof: dict[str, Any],
    options: Mapping[str, Any],
) -> list[str]:
    for name in ("challenge", "domain"):
        if options.get(name) is not None and proof.get(name) != options[name]:
            return [f"proof: {name} does not match"]
    method = proof.get("verificationMethod")
    if not isinstance(method, str):
        return ["proof: no verificationMethod"]
    try:
        key = DidResolver(local_documents(uow, signing.links))(method)
        if "authentication" not in key.purposes:
            return [f"proof: {method} is not an authentication key of its controller"]
        holder = presentation.get("holder")
        holder_id = holder.get("id") if isinstance(holder, dict) else holder
        if holder_id is not None and holder_id != key.controller:
            return ["proof: the holder did not sign the presentation"]
        if not verify_proof(presentation, proof, key.public_key, loader=signing.loader):
            return ["proof: the signature does not verify"]
    except CredentialError as exc:
        return [f"proof: {exc}"]
    return []
