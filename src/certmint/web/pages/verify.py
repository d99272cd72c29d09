"""The page a QR scan opens (``/v/<id>``), the same answer as JSON, and the files behind it.

The page shows only what is printed on the certificate (never an e-mail address) and works
without JavaScript. ``Accept: application/json`` gets the same result as JSON. Answers are
cached per certificate while its status is unchanged (``VerificationCache``), each view adds
to the certificate's verification count, and every route here is rate-limited per client.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from certmint.bootstrap import Container
from certmint.domain.ids import parse_url_id
from certmint.services.documents import FORMATS, DocumentFormat, certificate_document
from certmint.services.errors import NotFound
from certmint.services.verification import VerificationCache, verify_certificate
from certmint.services.verification_counts import VerificationCounter
from certmint.web.deps import ContainerDep
from certmint.web.rate_limit import rate_limited

__all__ = ["Verifications", "flush_counts_periodically", "router"]

log = logging.getLogger(__name__)
router = APIRouter(tags=["verification"], dependencies=[Depends(rate_limited)])


@dataclass
class Verifications:
    """The app's answers cache and view tally (``app.state.verifications``)."""

    cache: VerificationCache = field(default_factory=VerificationCache)
    counter: VerificationCounter = field(default_factory=VerificationCounter)


async def flush_counts_periodically(counter: VerificationCounter, container: Container) -> None:
    """Write the view tally every ``verification_count_flush_seconds`` until cancelled."""
    while True:
        await asyncio.sleep(container.settings.verification_count_flush_seconds)
        try:
            await run_in_threadpool(counter.flush, container.uow())
        except Exception:  # the database may be away for a moment; the tally waits
            log.exception("writing verification counts failed; will retry")


FILES = {
    f"certificate{suffix}": kind
    for kind, (_, suffix) in FORMATS.items()
    if kind is not DocumentFormat.OB3
}


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "json" in accept and "text/html" not in accept


@router.get(
    "/v/{reference}",
    name="verify_page",
    summary="Verify a certificate (the QR code's URL)",
    response_class=HTMLResponse,
)
def verify_page(reference: str, request: Request, container: ContainerDep) -> Response:
    verifications: Verifications = request.app.state.verifications
    result = verify_certificate(
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
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "verify.html",
        {"result": result},
        status_code=status,
        headers=headers,
    )


@router.get(
    "/v/{reference}/credential.json",
    name="credential_json",
    summary="The certificate's signed Open Badges 3.0 credential",
)
def credential_json(reference: str, container: ContainerDep) -> Response:
    return _document(reference, DocumentFormat.OB3, container)


@router.get(
    "/v/{reference}/{filename}",
    name="certificate_file",
    summary="The certificate as PDF (credential attached), PNG or SVG",
)
def certificate_file(reference: str, filename: str, container: ContainerDep) -> Response:
    kind = FILES.get(filename)
    if kind is None:
        raise NotFound("file", filename)
    return _document(reference, kind, container)


def _document(reference: str, kind: DocumentFormat, container: ContainerDep) -> Response:
    certificate_id = parse_url_id(reference)
    if certificate_id is None:
        raise NotFound("certificate", reference)
    document = certificate_document(
        container.uow(),
        certificate_id,
        kind,
        fonts=container.fonts,
        base_url=container.settings.base_url,
        cache_dir=container.settings.home / "cache",
    )
    disposition = "attachment" if kind is DocumentFormat.OB3 else "inline"
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{document.filename}"',
            "Cache-Control": "private, max-age=3600",
        },
    )
