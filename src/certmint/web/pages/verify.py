"""The page a QR scan opens (``/v/<id>``), the same answer as JSON, and the files behind it.

The page shows only what is printed on the certificate (never an e-mail address) and works
without JavaScript. ``Accept: application/json`` gets the same result as JSON. Answers are
cached per certificate while its status is unchanged (``VerificationCache``), each view adds
to the certificate's verification count, and every route here is rate-limited per client.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from certmint.bootstrap import Container, Periodic
from certmint.domain.ids import parse_url_id
from certmint.services.certificates.documents import FORMATS, DocumentFormat
from certmint.services.errors import NotFound
from certmint.services.links import VERIFY_PATH
from certmint.services.verification.counts import VerificationCounter
from certmint.services.verification.verify import (
    CertificateVerification,
    VerificationCache,
    cached_verification,
    verify_certificate,
)
from certmint.web.deps import ContainerDep
from certmint.web.i18n import request_language
from certmint.web.rate_limit import rate_limited

__all__ = ["Verifications", "count_writer", "router"]

router = APIRouter(tags=["verification"], dependencies=[Depends(rate_limited)])


class RenderedPages:
    """Each answer's HTML, per language and base URL, reused while the answers cache hands back
    the very same answer object (it hands out a new one when anything about the certificate
    changed). Rendering the page costs more than the cached answer; this makes a repeat view
    a lookup."""

    def __init__(self, max_entries: int = 10_000) -> None:
        self.max_entries = max_entries
        self._pages: dict[tuple[str, ...], tuple[CertificateVerification, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], result: CertificateVerification) -> bytes | None:
        entry = self._pages.get(key)
        return entry[1] if entry is not None and entry[0] is result else None

    def put(self, key: tuple[str, ...], result: CertificateVerification, body: bytes) -> None:
        with self._lock:
            self._pages.pop(key, None)
            self._pages[key] = (result, body)
            while len(self._pages) > self.max_entries:
                del self._pages[next(iter(self._pages))]


@dataclass
class Verifications:
    """The app's answers cache, rendered pages and view tally (``app.state.verifications``)."""

    cache: VerificationCache = field(default_factory=VerificationCache)
    pages: RenderedPages = field(default_factory=RenderedPages)
    counter: VerificationCounter = field(default_factory=VerificationCounter)


def count_writer(counter: VerificationCounter, container: Container) -> Periodic:
    """For the web process's scheduler: write the view tally every
    ``verification_count_flush_seconds`` (the tally waits while the database is away)."""
    return Periodic(
        "writing verification counts",
        container.settings.verification_count_flush_seconds,
        lambda: counter.flush(container.uow()),
    )


FILES = {
    f"certificate{suffix}": kind
    for kind, (_, suffix) in FORMATS.items()
    if kind is not DocumentFormat.OB3
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


@router.get(
    VERIFY_PATH,
    name="verify_page",
    summary="Verify a certificate (the QR code's URL)",
    response_class=HTMLResponse,
)
async def verify_page(reference: str, request: Request) -> Response:
    """Async on purpose: a repeat view (one indexed status read, then dictionary lookups) runs
    on the event loop, which under load costs far less than a hop to the thread pool and back;
    only a certificate that must be verified (milliseconds of signature and status checks)
    goes to a thread. (The container is taken from the app, not through a plain-function
    dependency, which FastAPI would also run in a thread.)"""
    container: Container = request.app.state.container
    verifications: Verifications = request.app.state.verifications
    result = cached_verification(container.certificate_stamps, reference, verifications.cache)
    if result is None:
        result = await run_in_threadpool(
            verify_certificate,
            container.uow(read_only=True),
            container.signing,
            reference,
            cache=verifications.cache,
        )
    certificate_id = parse_url_id(reference)
    if result.verdict != "not_found" and certificate_id is not None:
        verifications.counter.add(certificate_id)
    status = 404 if result.verdict == "not_found" else 200
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if _wants_json(request):
        return JSONResponse(result.to_dict(), status_code=status, headers=headers)
    key = (reference, request_language(request), str(request.base_url))
    body = verifications.pages.get(key, result)
    if body is None:
        templates = request.app.state.templates
        body = templates.TemplateResponse(request, "verify.html", {"result": result}).body
        if result.verdict != "not_found":
            verifications.pages.put(key, result, body)
    return HTMLResponse(body, status_code=status, headers=headers)


@router.get(
    f"{VERIFY_PATH}/credential.json",
    name="credential_json",
    summary="The certificate's signed Open Badges 3.0 credential",
)
def credential_json(reference: str, container: ContainerDep) -> Response:
    return _document(reference, DocumentFormat.OB3, container)


@router.get(
    f"{VERIFY_PATH}/preview.png",
    name="certificate_preview",
    summary="The certificate as a picture for pages (1,000 pixels wide)",
)
def certificate_picture(reference: str, container: ContainerDep) -> Response:
    picture = container.documents.preview(container.uow(), _certificate_id(reference))
    # The picture of an issued certificate never changes (its status shows beside it).
    return Response(
        picture, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get(
    f"{VERIFY_PATH}/{{filename}}",
    name="certificate_file",
    summary="The certificate as PDF (credential attached), PNG or SVG",
)
def certificate_file(reference: str, filename: str, container: ContainerDep) -> Response:
    kind = FILES.get(filename)
    if kind is None:
        raise NotFound("file", filename)
    return _document(reference, kind, container)


def _certificate_id(reference: str) -> UUID:
    found = parse_url_id(reference)
    if found is None:
        raise NotFound("certificate", reference)
    return found


def _document(reference: str, kind: DocumentFormat, container: ContainerDep) -> Response:
    document = container.documents.document(container.uow(), _certificate_id(reference), kind)
    disposition = "attachment" if kind is DocumentFormat.OB3 else "inline"
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{document.filename}"',
            "Cache-Control": "private, max-age=3600",
        },
    )
