"""Verification: of a certificate by its id (the QR page), and of any credential document.

Both run the credential library's ordered checks (format, signature, issuer key, status,
validity). Keys of this instance's organisations and their status lists resolve locally; other
issuers' only through the fetcher the caller passes (the CLI's guarded HTTP client, unless
``--offline``), so nothing reaches the network by default.

Suspension is a state this instance holds, not a status entry of the credential (Open Badges 3.0
allows one ``credentialStatus``, and it is the revocation entry): with an instance, a credential
of one of its certificates that is suspended fails the status step, with the date, whatever its
revocation bit says (docs/credentials.md, "Status").
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from certmint.adapters import OutboundError
from certmint.credentials import (
    BitstringStatusListChecker,
    BundledDocumentLoader,
    Check,
    DidResolver,
    Fetcher,
    Outcome,
    StatusListError,
    VerificationReport,
    verify_credential,
)
from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.ids import parse_url_id, url_id
from certmint.domain.messages import N_, Message
from certmint.domain.organisations import Branding
from certmint.rendering import (
    RenderError,
    extract_baked_credential,
    extract_credential,
    read_qr_codes,
)
from certmint.services.issuers.keys import did_document_of
from certmint.services.issuers.signing import Signing
from certmint.services.links import Links
from certmint.services.unit_of_work import OpenUnitOfWork, UnitOfWork
from certmint.services.verification.status_lists import published_status_list
from certmint.storage.certificates import CertificateStamp

__all__ = [
    "PRINTED_FIELDS",
    "CertificateVerification",
    "FileVerification",
    "Instance",
    "Verdict",
    "VerificationCache",
    "cached_verification",
    "document_verdict",
    "local_documents",
    "verify_certificate",
    "verify_document",
    "verify_file",
]

Verdict = Literal[
    "valid",
    "revoked",
    "superseded",
    "suspended",
    "expired",
    "not_yet_valid",
    "invalid",
    "not_found",
]

# What the public page may show: only what is printed on the certificate (never the e-mail).
PRINTED_FIELDS = (
    "recipient.name",
    "achievement.name",
    "course.name",
    "batch.name",
    "issued_on",
    "valid_until",
    "issuer.name",
    "certificate.number",
)
#: The largest status list or credential fetched from another issuer (bytes).
MAX_FETCHED = 2_000_000
# The statuses whose reason is public (the admin writes it for the verifier to read). A re-issue's
# reason ("surname misspelt: the learner asked for ...") is an internal note: it stays in the
# audit log and on the admin's pages, never on the public page of the replaced certificate.
PUBLIC_REASONS = frozenset({CertificateStatus.REVOKED, CertificateStatus.SUSPENDED})


@dataclass(frozen=True)
class CertificateVerification:
    """The answer to a QR scan: the verdict first, then the checks, then what was printed."""

    verdict: Verdict
    report: VerificationReport | None = None
    certificate_id: str | None = None
    printed: dict[str, str] = field(default_factory=dict)
    signatories: tuple[dict[str, str], ...] = ()
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    superseded_by: str | None = None
    supersedes: str | None = None
    credential: dict[str, Any] | None = None
    # The issuer is suspended on this instance and its operator chose to say so.
    issuer_suspended: bool = False
    # How the issuing organisation's pages look (its slug names its logo's URL); None for a
    # certificate that is not one of ours.
    issuer_slug: str | None = None
    issuer_branding: Branding | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "certificate_id": self.certificate_id,
            "printed": self.printed,
            "signatories": list(self.signatories),
            "status_reason": self.status_reason,
            "status_changed_at": self.status_changed_at.isoformat()
            if self.status_changed_at
            else None,
            "superseded_by": self.superseded_by,
            "supersedes": self.supersedes,
            "issuer_suspended": self.issuer_suspended,
            **({"report": self.report.to_dict()} if self.report else {}),
        }


def local_documents(
    uow: UnitOfWork, links: Links, organisation_id: UUID | None = None
) -> dict[str, Mapping[str, Any]]:
    """The DID documents of this instance's organisations (or of just one), by DID."""
    with uow as tx:
        return _documents(tx, links, organisation_id)


def _documents(
    uow: OpenUnitOfWork, links: Links, organisation_id: UUID | None
) -> dict[str, Mapping[str, Any]]:
    """``local_documents`` in the caller's open unit of work."""
    if organisation_id is None:
        organisations = uow.organisations.list()
    else:
        found = uow.organisations.get(organisation_id)
        organisations = [] if found is None else [found]
    documents: dict[str, Mapping[str, Any]] = {}
    for organisation in organisations:
        document = did_document_of(uow, links, organisation)
        if document is not None:  # an organisation without keys has issued nothing
            documents[links.did(organisation)] = document
    return documents


def _status_urls(credential: Mapping[str, Any]) -> list[str]:
    """The status list URLs a (stored, well-formed) credential's status entries name."""
    status = credential.get("credentialStatus", [])
    entries = status if isinstance(status, list) else [status]
    return [
        url
        for entry in entries
        if isinstance(entry, Mapping) and isinstance(url := entry.get("statusListCredential"), str)
    ]


def _lists(uow: OpenUnitOfWork, links: Links, urls: list[str]) -> dict[str, Mapping[str, Any]]:
    """This instance's signed status lists at ``urls``, in the caller's open unit of work."""
    found: dict[str, Mapping[str, Any]] = {}
    for url in urls:
        address = links.status_list_address(url)
        served = published_status_list(uow, address) if address is not None else None
        if served is not None:
            found[url] = served.credential
    return found


@dataclass(frozen=True)
class Instance:
    """This Certmint instance, when there is one: its DID documents and status lists resolve
    locally (offline, and without trusting the network for our own credentials). Nothing here
    signs: status lists are read as they were signed when they changed."""

    uow: UnitOfWork
    signing: Signing
    # Set when the issuer is known (a certificate of ours): only its DID document is loaded.
    organisation_id: UUID | None = None


def _status_checker(
    instance: Instance | None,
    lists: Mapping[str, Mapping[str, Any]],
    loader: BundledDocumentLoader,
    resolver: DidResolver,
    fetch: Fetcher | None,
) -> BitstringStatusListChecker:

    def fetch_list(url: str) -> Mapping[str, Any]:
        """Ours from ``lists`` (read already) or the database; another issuer's through
        ``fetch`` (the guarded client)."""
        if url in lists:
            return lists[url]
        ours = instance.signing.links.status_list_address(url) if instance else None
        if instance is not None and ours is not None:
            with instance.uow as tx:
                served = published_status_list(tx, ours)
            if served is None:
                raise StatusListError(f"no status list at {url}")
            return served.credential
        if fetch is None:
            raise StatusListError(f"{url} is not on this instance and fetching is off (offline)")
        try:
            body = fetch(url, MAX_FETCHED)
        except OutboundError as exc:
            raise StatusListError(str(exc)) from exc
        if len(body) > MAX_FETCHED:
            raise StatusListError(f"{url} is larger than {MAX_FETCHED} bytes")
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise StatusListError(f"{url} is not JSON") from exc
        if not isinstance(document, dict):
            raise StatusListError(f"{url} is not a JSON object")
        return document

    def verify_list(document: Mapping[str, Any]) -> bool:
        return verify_credential(
            dict(document),
            loader=loader,
            resolve_key=resolver,
            check_status=None,
            now=datetime.now(UTC),
        ).verified

    return BitstringStatusListChecker(fetch_list, verify_list)


def verify_document(
    document: Any,
    *,
    loader: BundledDocumentLoader,
    instance: Instance | None = None,
    fetch: Fetcher | None = None,
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify any credential (ours or another issuer's); never raises for a bad credential.

    Keys and status lists come from ``instance`` (this Certmint's own), ``did_documents`` (DID
    documents the user supplied), then ``fetch`` (HTTPS) if given, and from nowhere else.
    """
    local = (
        local_documents(instance.uow, instance.signing.links, instance.organisation_id)
        if instance
        else {}
    )
    documents = {**(did_documents or {}), **local}
    report = _checked(
        document, loader, instance, documents=documents, lists={}, fetch=fetch, now=now
    )
    return _held_status(instance, document, report) if instance is not None else report


def _checked(
    document: Any,
    loader: BundledDocumentLoader,
    instance: Instance | None,
    *,
    documents: Mapping[str, Mapping[str, Any]],
    lists: Mapping[str, Mapping[str, Any]],
    fetch: Fetcher | None,
    now: datetime | None,
) -> VerificationReport:
    """The credential library's checks, with these DID documents and status lists at hand."""
    resolver = DidResolver(dict(documents), fetch=fetch)
    return verify_credential(
        document,
        loader=loader,
        resolve_key=resolver,
        check_status=_status_checker(instance, lists, loader, resolver, fetch),
        now=now or datetime.now(UTC),
    )


_SUSPENDED = N_(
    "suspended by its issuer since %(date)s (the issuer's server holds the suspension; the"
    " credential's revocation entry is clear)"
)


def _held_status(
    instance: Instance, document: Any, report: VerificationReport
) -> VerificationReport:
    """The report, its status step failed when the credential is one of ``instance``'s
    suspended certificates. Only a signed credential whose status entries passed is looked up:
    its ``id`` and ``issuer`` are then the issuer's own words."""
    if report.check("status").outcome is not Outcome.PASSED:
        return report
    found = _issued_here(instance, document, report)
    return report if found is None else _suspension(*found, report)


def _suspension(
    certificate: Certificate, parsed: Mapping[str, Any], report: VerificationReport
) -> VerificationReport:
    """The report, its status step failed if ``certificate`` (which ``parsed`` is the
    credential of) is suspended."""
    if (
        certificate.status is not CertificateStatus.SUSPENDED
        or certificate.credential.get("id") != parsed.get("id")
        or certificate.credential.get("issuer") != parsed.get("issuer")
    ):
        return report
    changed = certificate.status_changed_at
    suspended = Check(
        "status",
        Outcome.FAILED,
        Message(_SUSPENDED, date=changed.date().isoformat() if changed else "?"),
    )
    return VerificationReport(tuple(suspended if c.name == "status" else c for c in report.checks))


def _held_suspension(report: VerificationReport) -> bool:
    detail = report.check("status").detail
    return isinstance(detail, Message) and detail.text == _SUSPENDED


def document_verdict(report: VerificationReport) -> Verdict:
    """The verdict a credential's checks alone support (for any issuer's credential)."""
    if report.verified:
        return "valid"
    signed = report.check("signature").outcome is Outcome.PASSED
    if signed and report.check("status").outcome is Outcome.FAILED:
        return "suspended" if _held_suspension(report) else "revoked"
    if signed and report.check("validity").outcome is Outcome.FAILED:
        return "not_yet_valid" if report.not_yet_valid else "expired"
    return "invalid"


def _verdict(certificate: Certificate, report: VerificationReport) -> Verdict:
    """Ours: the status we hold explains a failed status check (and says why)."""
    if certificate.status is CertificateStatus.SUPERSEDED:
        return "superseded"
    if certificate.status is CertificateStatus.REVOKED:
        return "revoked"
    if certificate.status is CertificateStatus.SUSPENDED:
        return "suspended"
    verdict = document_verdict(report)
    return "invalid" if verdict == "revoked" else verdict


def _stamp(certificate: Certificate) -> CertificateStamp:
    return (certificate.status, certificate.status_changed_at, certificate.superseded_by_id)


class VerificationCache:
    """``verify_certificate``'s answers, per certificate, while its status is unchanged.

    Verifying costs milliseconds (signature, issuer key, status list); a page load should not.
    What can change an answer is the certificate's status (revoke, re-issue, suspend: its status
    list bit follows the status) and time (its validity dates). So each use reads the status
    (one row by primary key, no documents) and reuses the answer only if that is unchanged and
    no validity boundary has passed; the database is the reference, so a status changed by
    another process (the CLI, another worker) shows at once. Entries also age out after
    ``ttl`` (key rotation or a retired key show within it) and the oldest go beyond
    ``max_entries``.
    """

    def __init__(self, *, max_entries: int = 10_000, ttl: timedelta = timedelta(minutes=10)):
        self.max_entries = max_entries
        self.ttl = ttl
        self._entries: dict[UUID, tuple[CertificateStamp, datetime, CertificateVerification]] = {}
        self._lock = threading.Lock()

    def get(
        self, certificate_id: UUID, stamp: CertificateStamp, now: datetime
    ) -> CertificateVerification | None:
        entry = self._entries.get(certificate_id)
        if entry is None or entry[0] != stamp or now >= entry[1]:
            return None
        return entry[2]

    def put(self, certificate: Certificate, result: CertificateVerification, now: datetime) -> None:
        dates = (certificate.valid_from, certificate.valid_until)
        boundaries = [now + self.ttl, *(t for t in dates if t and t > now)]
        with self._lock:
            self._entries.pop(certificate.id, None)  # re-inserted last: the newest
            self._entries[certificate.id] = (_stamp(certificate), min(boundaries), result)
            while len(self._entries) > self.max_entries:
                del self._entries[next(iter(self._entries))]


def cached_verification(
    stamps: Callable[[UUID], CertificateStamp | None],
    reference: str,
    cache: VerificationCache,
    *,
    now: datetime | None = None,
) -> CertificateVerification | None:
    """The cached answer while still fresh, or ``not_found``, at the cost of one status read
    (``stamps``: a repository's or the container's ``certificate_stamps``); ``None`` when the
    certificate must be verified (``verify_certificate``)."""
    certificate_id = parse_url_id(reference)
    if certificate_id is None:
        return CertificateVerification("not_found")
    stamp = stamps(certificate_id)
    if stamp is None:
        return CertificateVerification("not_found")
    return cache.get(certificate_id, stamp, now or datetime.now(UTC))


def verify_certificate(
    uow: UnitOfWork,
    signing: Signing,
    reference: str,
    *,
    now: datetime | None = None,
    cache: VerificationCache | None = None,
) -> CertificateVerification:
    """What the page behind a certificate's QR code shows. An unknown id is ``not_found``.

    With ``cache``, an unchanged certificate's answer is reused (see ``VerificationCache``).
    """
    certificate_id: UUID | None = parse_url_id(reference)
    if certificate_id is None:
        return CertificateVerification("not_found")
    moment = now or datetime.now(UTC)
    # One transaction reads all that verifying needs: the certificate, its issuer's DID
    # document and the signed status lists its credential names.
    with uow as tx:
        certificate = tx.certificates.get(certificate_id)
        if certificate is None:
            return CertificateVerification("not_found")
        cached = (
            cache.get(certificate_id, _stamp(certificate), moment) if cache is not None else None
        )
        if cached is not None:
            return cached
        issuer = tx.organisations.get(certificate.organisation_id)
        credential = certificate.credential
        documents = _documents(tx, signing.links, certificate.organisation_id)
        lists = _lists(tx, signing.links, _status_urls(credential))
    instance = Instance(uow, signing, certificate.organisation_id)
    report = _checked(
        credential,
        signing.loader,
        instance,
        documents=documents,
        lists=lists,
        fetch=None,
        now=moment,
    )
    if report.check("status").outcome is Outcome.PASSED:
        report = _suspension(certificate, credential, report)
    values = certificate.snapshot.get("values", {})
    result = CertificateVerification(
        verdict=_verdict(certificate, report),
        report=report,
        certificate_id=url_id(certificate.id),
        printed={k: values[k] for k in PRINTED_FIELDS if values.get(k)},
        signatories=tuple(certificate.snapshot.get("signatories", ())),
        status_reason=certificate.status_reason if certificate.status in PUBLIC_REASONS else None,
        status_changed_at=certificate.status_changed_at,
        superseded_by=url_id(certificate.superseded_by_id)
        if certificate.superseded_by_id
        else None,
        supersedes=url_id(certificate.supersedes_id) if certificate.supersedes_id else None,
        credential=certificate.credential,
        issuer_suspended=issuer is not None and issuer.suspended and issuer.suspension_shown,
        issuer_slug=issuer.slug if issuer else None,
        issuer_branding=issuer.branding if issuer else None,
    )
    if cache is not None:
        cache.put(certificate, result, moment)
    return result


@dataclass(frozen=True)
class FileVerification:
    """What ``certmint verify FILE`` found: a report, or why the file could not be read."""

    source: str  # "credential", "pdf attachment", "baked png", "baked svg", "qr code", or ""
    report: VerificationReport | None = None
    certificate: CertificateVerification | None = None
    problem: Message | None = None

    @property
    def verified(self) -> bool:
        if self.certificate is not None:
            return self.certificate.verdict == "valid"
        return self.report is not None and self.report.verified


def _issued_here(
    instance: Instance, document: Any, report: VerificationReport
) -> tuple[Certificate, dict[str, Any]] | None:
    """The certificate of this instance that ``document`` names by its ``urn:uuid:`` id, with
    the document as parsed. Only a document that passed the format step is read again, so the
    verifier's size and depth limits have already held for it."""
    if report.check("format").outcome is not Outcome.PASSED:
        return None
    parsed = json.loads(document) if isinstance(document, str | bytes) else document
    reference = parsed.get("id")
    certificate_id = (
        parse_url_id(reference.removeprefix("urn:uuid:")) if isinstance(reference, str) else None
    )
    if certificate_id is None:
        return None
    with instance.uow as tx:
        certificate = tx.certificates.get(certificate_id)
    return None if certificate is None else (certificate, parsed)


def _ours(
    document: Any, report: VerificationReport, instance: Instance | None, now: datetime | None
) -> CertificateVerification | None:
    """The certificate page's answer when ``document`` is exactly a credential this instance
    issued: a replaced or revoked certificate then says so as its QR page does (with the link to
    the current one and what was printed), not just which status bit is set. Anything else, a
    changed copy included, is answered from the document alone."""
    if instance is None:
        return None
    found = _issued_here(instance, document, report)
    if found is None or found[0].credential != found[1]:
        return None
    return verify_certificate(instance.uow, instance.signing, url_id(found[0].id), now=now)


def verify_file(
    data: bytes,
    *,
    loader: BundledDocumentLoader,
    instance: Instance | None = None,
    fetch: Fetcher | None = None,
    did_documents: Mapping[str, Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> FileVerification:
    """A credential (JSON), a certificate PDF (its attached credential, else its QR code), a
    baked PNG or SVG (Open Badges 3.0 § 5.3) or a picture of the QR code. Never raises for what
    the file contains."""

    def check(document: Any, source: str) -> FileVerification:
        report = verify_document(
            document,
            loader=loader,
            instance=instance,
            fetch=fetch,
            did_documents=did_documents,
            now=now,
        )
        return FileVerification(source, report, certificate=_ours(document, report, instance, now))

    if data.lstrip()[:1] in (b"{", b"["):
        return check(data, "credential")
    if data.startswith(b"%PDF"):
        try:
            return check(extract_credential(data), "pdf attachment")
        except RenderError:
            pass  # a scan or an export without the attachment: look for the QR code
    try:
        baked = extract_baked_credential(data)
    except RenderError:
        pass  # not a PNG or SVG, or one without a baked credential: look for the QR code
    else:
        return check(baked, "baked png" if data.startswith(b"\x89PNG") else "baked svg")
    try:
        urls = [u for u in read_qr_codes(data) if "/v/" in u]
    except RenderError as exc:
        unreadable = Message(
            "not a credential, certificate PDF or image: %(error)s", error=str(exc)
        )
        return FileVerification("", problem=unreadable)
    if not urls:
        return FileVerification(
            "", problem=Message("no credential attached and no certificate QR code found")
        )
    url = urls[0]
    reference = instance.signing.links.certificate_reference(url) if instance else None
    if instance is not None and reference is not None:
        return FileVerification(
            "qr code",
            certificate=verify_certificate(instance.uow, instance.signing, reference, now=now),
        )
    if fetch is None:
        return FileVerification(
            "", problem=Message("the QR code points to %(url)s; fetching is off (offline)", url=url)
        )
    try:
        body = fetch(f"{url}/credential.json", MAX_FETCHED)
    except OutboundError as exc:
        unfetched = Message(
            "could not fetch the credential behind %(url)s: %(error)s", url=url, error=str(exc)
        )
        return FileVerification("", problem=unfetched)
    return check(body, "qr code")
