"""``/verify``: check a certificate someone sent you, as a file or pasted JSON, without JavaScript.

A PDF (its attached credential, else its QR code), a baked PNG or SVG (Open Badges 3.0 § 5.3), a
picture of the QR code, or the credential JSON gets the same report as the QR page. Nothing is
fetched from the network (a QR code of another site is reported, not followed: a public page
must not make the server fetch URLs for strangers), and nothing uploaded is kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from certmint.services.verification.verify import (
    CertificateVerification,
    FileVerification,
    Instance,
    document_verdict,
    verify_file,
)
from certmint.web.deps import ContainerDep
from certmint.web.rate_limit import rate_limited

__all__ = ["router"]

router = APIRouter(tags=["verification"], dependencies=[Depends(rate_limited)])
FORM_OVERHEAD = 64_000  # multipart boundaries and the other field, beyond the upload itself
CHUNK = 64 * 1024


class _TooLarge(Exception):
    pass


def _page(request: Request, status: int = 200, **values: Any) -> Response:
    """The form, with a result or an ``error`` (a key the template words in the page's
    language) above it."""
    limit = request.app.state.container.settings.verify_upload_max_bytes
    context = {"result": None, "error": None, "detail": None, **values}
    context["max_size"] = f"{limit / 1_000_000:g} MB"
    response: Response = request.app.state.templates.TemplateResponse(
        request,
        "verify_upload.html",
        context,
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
    return response


@router.get(
    "/verify",
    name="verify_form",
    summary="A form to verify a certificate file or credential",
    response_class=HTMLResponse,
)
def verify_form(request: Request) -> Response:
    return _page(request)


async def _read_upload(upload: UploadFile, limit: int) -> bytes:
    data = bytearray()
    while chunk := await upload.read(CHUNK):
        data += chunk
        if len(data) > limit:
            raise _TooLarge
    return bytes(data)


async def _submitted(request: Request, limit: int) -> bytes:
    """The uploaded file, else the pasted text; empty if neither."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise _TooLarge
    async with request.form(max_files=1, max_fields=4, max_part_size=limit) as form:
        upload = form.get("file")
        if isinstance(upload, UploadFile) and upload.filename:
            return await _read_upload(upload, limit)
        pasted = form.get("document")
        text = pasted.strip() if isinstance(pasted, str) else ""
        if len(text.encode()) > limit:
            raise _TooLarge
        return text.encode()


@router.post(
    "/verify",
    name="verify_upload",
    summary="Verify an uploaded certificate PDF, baked PNG or SVG, QR picture or credential JSON",
    response_class=HTMLResponse,
)
async def verify_upload(request: Request, container: ContainerDep) -> Response:
    limit = container.settings.verify_upload_max_bytes
    try:
        data = await _submitted(request, limit)
    except _TooLarge:
        return _page(request, 413, error="too_large")
    except ValueError:  # a malformed multipart body, or a field over its size
        return _page(request, 400, error="unreadable_form")
    if not data:
        return _page(request, 422, error="empty")
    found = await _verify(container, data)
    if found.problem:
        return _page(
            request,
            422,
            error="not_a_certificate",
            detail=found.problem,
        )
    if found.certificate is not None:
        return _page(request, result=found.certificate)
    assert found.report is not None
    return _page(
        request,
        result=CertificateVerification(document_verdict(found.report), report=found.report),
    )


async def _verify(container: ContainerDep, data: bytes) -> FileVerification:
    signing = container.signing
    return await run_in_threadpool(
        lambda: verify_file(
            data,
            loader=signing.loader,
            instance=Instance(container.uow(read_only=True), signing),
        )
    )
