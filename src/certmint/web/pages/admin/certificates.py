"""Certificates: the searchable table with bulk download, and one certificate with re-issue
(a name fixed), revoke, suspend and reinstate."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.certificates import Certificate, CertificateStatus
from certmint.domain.ids import parse_url_id, url_id
from certmint.domain.messages import Message
from certmint.services.certificates.exports import export_certificates
from certmint.services.certificates.lifecycle import (
    reinstate_certificate,
    reissue_certificate,
    revoke_certificate,
    suspend_certificate,
)
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from certmint.services.read_models.certificate_search import (
    PER_PAGE,
    CertificatePage,
    authorised_certificate,
    certificate_detail,
    search_certificates,
)
from certmint.web.bounds import page_number
from certmint.web.deps import ContainerDep, PageStaffDep
from certmint.web.i18n import N_, translate
from certmint.web.pages.admin.common import FormDep, field, page_id, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_certificates"
# Shown after a redirect (``?done=``); translated by the template.
MESSAGES = {
    "reissued": N_("Re-issued: this is the new certificate. The old one now says Superseded."),
    "revoked": N_("Revoked. Verification now shows the reason."),
    "suspended": N_("Suspended. Verification says so, with the reason, until it is reinstated."),
    "reinstated": N_("Reinstated: the certificate verifies as valid again."),
}
ZIP_FORMATS = {"pdf": "PDF", "png": "PNG", "svg": "SVG", "ob3": "Open Badges JSON"}


# A ZIP is made inside the request: a few seconds of rendering at most. More is an export.
ZIP_LIMIT = 1_000
FILTERS = ("q", "status", "achievement", "batch")


def _uuid_or_none(text: str | None) -> UUID | None:
    return parse_url_id(text) if text else None


def _search(
    container: ContainerDep,
    principal: PageStaffDep,
    values: Mapping[str, object],
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> CertificatePage:
    """The table's filters, read from its query string or from the download form's copy."""
    given = {k: v if isinstance(v, str) else "" for k in FILTERS for v in [values.get(k)]}
    status_text = given["status"]
    status = CertificateStatus(status_text) if status_text in set(CertificateStatus) else None
    return search_certificates(
        container.uow(),
        principal,
        text=given["q"] or None,
        status=status,
        achievement_id=_uuid_or_none(given["achievement"]),
        batch_id=_uuid_or_none(given["batch"]),
        page=page,
        per_page=per_page,
    )


@router.get("/certificates", name="admin_certificates")
def table(request: Request, principal: PageStaffDep, container: ContainerDep) -> Response:
    query = request.query_params
    result = _search(container, principal, query, page=page_number(query.get("page", "1")))
    filters = {k: query.get(k, "") for k in FILTERS}
    return render(
        request,
        "certificates.html",
        {
            "result": result,
            "filters": filters,
            "statuses": list(CertificateStatus),
            "formats": ZIP_FORMATS,
            "batches": sorted({(a.course.name, a.batch.name, a.batch.id) for a in result.awards}),
            "base_query": urlencode({k: v for k, v in filters.items() if v}),
        },
        section=SECTION,
    )


@router.post("/certificates/download", name="admin_certificates_zip")
def download(
    request: Request, principal: PageStaffDep, container: ContainerDep, form: FormDep
) -> Response:
    """The ticked certificates, or with ``all`` every one the filters find, as one ZIP of PDFs
    (or PNG, SVG, Open Badges JSON)."""
    if field(form, "all") == "1":
        found = _search(container, principal, form, per_page=ZIP_LIMIT)
        if found.total > ZIP_LIMIT:
            too_many = Message(
                N_(
                    "%(count)s certificates match: a download takes at most %(limit)s. Narrow "
                    "the filters, or export the batch with certmint export."
                ),
                count=found.total,
                limit=ZIP_LIMIT,
            )
            raise InvalidInput([too_many], translate(request, N_("download refused")))
        ids = [c.id for c in found.certificates]
    else:
        ids = [
            page_id(value, "certificate") for value in form.getlist("id") if isinstance(value, str)
        ]
    output = field(form, "format", "pdf")
    if output not in ZIP_FORMATS:
        problem = translate(
            request, N_("format: one of %(formats)s"), formats=", ".join(ZIP_FORMATS)
        )
        raise InvalidInput([problem], translate(request, N_("download refused")))
    with tempfile.TemporaryDirectory() as folder:
        destination = Path(folder) / "certificates.zip"
        export_certificates(
            container.uow(),
            principal,
            ids,
            output,
            destination,
            documents=container.documents,
        )
        content = destination.read_bytes()
    return Response(
        content,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="certificates.zip"'},
    )


def _detail(
    request: Request,
    principal: PageStaffDep,
    container: ContainerDep,
    certificate_id: str,
    *,
    problems: tuple[object, ...] = (),
    status_code: int = 200,
) -> Response:
    detail = certificate_detail(container.uow(), principal, page_id(certificate_id, "certificate"))
    return render(
        request,
        "certificate.html",
        {
            "d": detail,
            "values": detail.certificate.snapshot.get("values", {}),
            "verify_url": container.links.verification(detail.certificate.id),
            "problems": problems,
            "message": MESSAGES.get(request.query_params.get("done", "")),
        },
        section=SECTION,
        status_code=status_code,
    )


@router.get("/certificates/{certificate_id}", name="admin_certificate")
def detail_page(
    certificate_id: str, request: Request, principal: PageStaffDep, container: ContainerDep
) -> Response:
    return _detail(request, principal, container, certificate_id)


def _reissue(
    container: ContainerDep, principal: PageStaffDep, certificate: Certificate, form: FormData
) -> Certificate:
    name = field(form, "name").strip()
    return reissue_certificate(
        container.uow(),
        container.signing,
        principal,
        certificate.id,
        reason=field(form, "reason"),
        name=name or None,
        keep_issue_date=bool(field(form, "keep_issue_date")),
    )


def _status_change(service: Callable[..., Certificate], *, reason_optional: bool = False) -> Change:
    """A form that revokes, suspends or reinstates: the same arguments, one service each. A
    reinstatement's reason is the audit log's; the others have a public reason and an internal
    note."""

    def change(
        container: ContainerDep, principal: PageStaffDep, certificate: Certificate, form: FormData
    ) -> Certificate:
        reason = field(form, "reason")
        note = {} if reason_optional else {"note": field(form, "note").strip() or None}
        return service(
            container.uow(),
            principal,
            certificate.id,
            reason=(reason.strip() or None) if reason_optional else reason,
            signing=container.signing,
            **note,
        )

    return change


Change = Callable[[ContainerDep, PageStaffDep, Certificate, FormData], Certificate]
#: What the detail page's forms do (each returns the certificate to show afterwards), and the
#: message shown then.
ACTIONS: dict[str, tuple[Change, str]] = {
    "reissue": (_reissue, "reissued"),
    "revoke": (_status_change(revoke_certificate), "revoked"),
    "suspend": (_status_change(suspend_certificate), "suspended"),
    "reinstate": (_status_change(reinstate_certificate, reason_optional=True), "reinstated"),
}


@router.post("/certificates/{certificate_id}/{action}", name="admin_certificate_action")
def act(
    certificate_id: str,
    action: str,
    request: Request,
    *,
    principal: PageStaffDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Re-issue, revoke, suspend or reinstate; a refusal (no reason, wrong status) is shown."""
    if action not in ACTIONS:
        raise NotFound("action", action)
    change, done = ACTIONS[action]
    certificate = authorised_certificate(
        container.uow(), principal, page_id(certificate_id, "certificate")
    )
    try:
        shown = change(container, principal, certificate, form)
    except (InvalidInput, Conflict, Forbidden) as exc:
        problems = exc.problems if isinstance(exc, InvalidInput) else (exc.detail,)
        status_code = 403 if isinstance(exc, Forbidden) else 422
        return _detail(
            request,
            principal,
            container,
            certificate_id,
            problems=problems,
            status_code=status_code,
        )
    return redirect(request, "admin_certificate", done=done, certificate_id=url_id(shown.id))
