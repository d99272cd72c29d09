"""Certificate documents: the PDF, PNG and SVG a learner downloads, and the credential JSON.

Rendered from the certificate's frozen snapshot and the exact template version it recorded, so
a later edit of the template or the learner never changes a certificate already issued. Output
is cached on disk by a hash of everything that determines the bytes; the PDF carries the signed
credential as an attachment and the PNG and SVG have it baked in (Open Badges 3.0 § 5.3), so
each file alone can be verified.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from uuid import UUID

from certmint.domain.certificates import Certificate
from certmint.rendering import (
    FileCache,
    FontSet,
    PdfMetadata,
    cache_key,
    certificate_pdf,
    certificate_png,
    certificate_svg,
    library_versions,
)
from certmint.services.errors import NotFound
from certmint.services.links import Links
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["FORMATS", "CertificateDocuments", "Document", "DocumentFormat"]

log = logging.getLogger(__name__)


class DocumentFormat(StrEnum):
    PDF = "pdf"
    PNG = "png"
    SVG = "svg"
    OB3 = "ob3"  # the signed credential, JSON


FORMATS: dict[DocumentFormat, tuple[str, str]] = {
    DocumentFormat.PDF: ("application/pdf", ".pdf"),
    DocumentFormat.PNG: ("image/png", ".png"),
    DocumentFormat.SVG: ("image/svg+xml", ".svg"),
    DocumentFormat.OB3: ("application/vc+ld+json", ".json"),
}
PNG_WIDTH = 2000
PREVIEW_WIDTH = 1000  # wide enough to read on a page, a quarter of the download's pixels


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


@cache
def _versions() -> dict[str, str]:
    return library_versions()


class CertificateDocuments:
    """Renders certificates' files: built once per process by ``bootstrap`` with the fonts, the
    links their QR codes hold and the one folder rendered files are cached in."""

    def __init__(self, fonts: Callable[[], FontSet], links: Links, cache_dir: Path) -> None:
        """``fonts`` is called on the first render only (loading them scans the font
        directories; a process that only serves credentials never pays for it)."""
        self._fonts = fonts
        self.links = links
        self._files = FileCache(cache_dir)

    def document(
        self,
        uow: UnitOfWork,
        certificate_id: UUID,
        output: DocumentFormat,
        *,
        organisation_id: UUID | None = None,
    ) -> Document:
        """One certificate in one format. ``organisation_id`` scopes the lookup for admins;
        the learner and public paths pass None and rely on the unguessable id."""
        certificate, template = _certificate(uow, certificate_id, organisation_id)
        media_type, suffix = FORMATS[output]
        filename = f"certificate-{certificate.number}{suffix}"
        if output is DocumentFormat.OB3:
            body = json.dumps(certificate.credential, ensure_ascii=False, indent=2).encode("utf-8")
            return Document(body, media_type, filename)
        return Document(self._render(certificate, template, output.value), media_type, filename)

    def preview(self, uow: UnitOfWork, certificate_id: UUID) -> bytes:
        """The certificate as the pages show it (its verification page, the learner's and the
        admin's): a PNG ``PREVIEW_WIDTH`` pixels wide, without the baked credential that the
        download carries. Rendered once and cached like the documents."""
        certificate, template = _certificate(uow, certificate_id, None)
        return self._render(certificate, template, "png", width=PREVIEW_WIDTH, bake=False)

    def _render(
        self,
        certificate: Certificate,
        template: bytes,
        output: str,
        *,
        width: int = PNG_WIDTH,
        bake: bool = True,
    ) -> bytes:
        values = certificate.snapshot["values"]
        qr_url = self.links.verification(certificate.id)
        credential = json.dumps(certificate.credential, sort_keys=True).encode("utf-8")
        key = cache_key(
            template=template,
            values=values,
            output=output,
            qr_url=qr_url,
            credential=credential,
            options=({"width": width} if bake else {"width": width, "baked": False})
            if output == "png"
            else None,
            library_versions=_versions(),
        )
        cached = self._files.get(key, f".{output}")
        if cached is not None:
            return cached
        fonts = self._fonts()
        if output == "pdf":
            achievement = values.get("achievement.name", "Certificate")
            metadata = PdfMetadata(
                title=f"{achievement}: {values['recipient.name']}",
                author=values.get("issuer.name", ""),
                subject=f"Certificate {certificate.number}",
                created=certificate.issued_at,
            )
            data = certificate_pdf(
                template,
                values,
                fonts=fonts,
                qr_url=qr_url,
                metadata=metadata,
                credential=certificate.credential,
            )
        elif output == "png":
            data = certificate_png(
                template,
                values,
                fonts=fonts,
                qr_url=qr_url,
                width_px=width,
                credential=certificate.credential if bake else None,
            )
        else:
            data = certificate_svg(
                template, values, fonts=fonts, qr_url=qr_url, credential=certificate.credential
            )
        try:
            self._files.put(key, f".{output}", data)
        except OSError as exc:
            # The cache only saves work: on a full or read-only disk the reader still gets
            # the certificate, rendered again next time.
            log.warning("certificate %s: rendered %s not cached: %s", certificate.id, output, exc)
        return data


def _certificate(
    uow: UnitOfWork, certificate_id: UUID, organisation_id: UUID | None
) -> tuple[Certificate, bytes]:
    """The certificate and the SVG of the template version it was issued with."""
    with uow as tx:
        certificate = tx.certificates.get(certificate_id)
        if certificate is None or (
            organisation_id is not None and certificate.organisation_id != organisation_id
        ):
            raise NotFound("certificate", certificate_id)
        found = tx.templates.get_version(
            certificate.organisation_id, certificate.template_version_id
        )
    if found is None:
        raise NotFound("template version", certificate.template_version_id)
    return certificate, found[1].svg.encode("utf-8")
