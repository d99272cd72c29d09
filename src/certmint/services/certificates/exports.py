"""Bulk export of a batch's certificates: one file each (PDF, PNG, SVG, OB3 JSON) or a CSV.

Written into a directory or a ZIP archive. Certificates are read a page at a time and each
document goes through the same cached rendering as single downloads.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.certificates import Certificate
from certmint.domain.ids import url_id
from certmint.domain.spreadsheets import SpreadsheetCsvWriter
from certmint.services import authorization
from certmint.services.certificates.documents import (
    FORMATS,
    CertificateDocuments,
    DocumentFormat,
)
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.links import Links
from certmint.services.unit_of_work import UnitOfWork
from certmint.storage.certificates import CertificateFilter

__all__ = ["CSV_COLUMNS", "ExportSummary", "export_batch", "export_certificates", "file_stem"]

PAGE = 500
CSV_COLUMNS = (
    "certificate_id",
    "number",
    "status",
    "learner_id",
    "name",
    "achievement",
    "course",
    "batch",
    "issued_on",
    "valid_until",
    "verification_url",
    "supersedes",
    "superseded_by",
)


# What no file name may hold on any system the files travel to (Windows' reserved characters
# included): each becomes a space.
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|]')
NAME_LENGTH = 80


def file_stem(certificate: Certificate) -> str:
    """A file name an admin finds a learner's certificate by: the printed name, then the
    number (which keeps names unique: two learners may share a name). The name is kept in its
    own script; only what a file system refuses or misreads is replaced."""
    printed = str(certificate.snapshot.get("values", {}).get("recipient.name", ""))
    name = unicodedata.normalize("NFC", printed)
    name = "".join(" " if unicodedata.category(c).startswith("C") else c for c in name)
    name = " ".join(_NOT_IN_NAMES.sub(" ", name).split()).strip(" .")[:NAME_LENGTH].rstrip(" .")
    return f"{name} {certificate.number}" if name else certificate.number


@dataclass(frozen=True)
class ExportSummary:
    files: int
    destination: Path


def _certificates(uow: UnitOfWork, organisation_id: UUID, batch_id: UUID) -> Iterator[Certificate]:
    with uow as tx:
        if tx.roster.get_batch(organisation_id, batch_id) is None:
            raise NotFound("batch", batch_id)
        where = CertificateFilter(
            achievement_ids=[a.id for a in tx.achievements.for_batch(organisation_id, batch_id)]
        )
    after: UUID | None = None
    while True:
        with uow as tx:
            page = tx.certificates.list(organisation_id, where, limit=PAGE, after=after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id


def _csv(uow: UnitOfWork, certificates: Iterator[Certificate], links: Links) -> bytes:
    out = io.StringIO()
    writer = SpreadsheetCsvWriter(out)  # names are user-supplied: no cell runs as a formula
    writer.writerow(CSV_COLUMNS)
    for page in _pages(certificates):
        with uow as tx:
            learners = tx.roster.external_ids({c.learner_id for c in page})
        for c in page:
            _row(writer, c, links, learners)
    return out.getvalue().encode("utf-8")


def _pages(certificates: Iterator[Certificate]) -> Iterator[list[Certificate]]:
    page: list[Certificate] = []
    for certificate in certificates:
        page.append(certificate)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page


def _row(
    writer: SpreadsheetCsvWriter, c: Certificate, links: Links, learners: dict[UUID, str]
) -> None:
    values = c.snapshot.get("values", {})
    writer.writerow(
        [
            url_id(c.id),
            c.number,
            c.status.value,
            learners.get(c.learner_id, ""),
            values.get("recipient.name", ""),
            values.get("achievement.name", ""),
            values.get("course.name", ""),
            values.get("batch.name", ""),
            values.get("issued_on", ""),
            values.get("valid_until", ""),
            links.verification(c.id),
            url_id(c.supersedes_id) if c.supersedes_id else "",
            url_id(c.superseded_by_id) if c.superseded_by_id else "",
        ]
    )


def export_batch(
    uow: UnitOfWork,
    organisation_id: UUID,
    batch_id: UUID,
    output: DocumentFormat | str,
    destination: Path,
    *,
    documents: CertificateDocuments,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write the batch's certificates to ``destination`` (a directory, or ``*.zip``)."""
    _check_destination(destination)
    return _export(
        uow,
        organisation_id,
        _certificates(uow, organisation_id, batch_id),
        output,
        destination,
        documents=documents,
        progress=progress,
    )


def export_certificates(
    uow: UnitOfWork,
    principal: Principal,
    certificate_ids: Sequence[UUID],
    output: DocumentFormat | str,
    destination: Path,
    *,
    documents: CertificateDocuments,
) -> ExportSummary:
    """Write chosen certificates (each one the principal may see, else ``NotFound``) to
    ``destination``: the admin pages' bulk download."""
    _check_destination(destination)
    if not certificate_ids:
        raise InvalidInput(["certificates: choose at least one"], "export refused")
    with uow as tx:
        chosen = [authorization.certificate_for(tx, principal, i) for i in certificate_ids]
    return _export(
        uow,
        principal.organisation_id,
        iter(chosen),
        output,
        destination,
        documents=documents,
    )


def _check_destination(destination: Path) -> None:
    as_zip = destination.suffix.lower() == ".zip"
    if destination.exists() and (as_zip or any(destination.iterdir())):
        raise InvalidInput(
            [f"{destination} exists and is not an empty directory"], "export refused"
        )


def _export(
    uow: UnitOfWork,
    organisation_id: UUID,
    certificates: Iterator[Certificate],
    output: DocumentFormat | str,
    destination: Path,
    *,
    documents: CertificateDocuments,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    # Private whatever the umask (learners' names and certificates): each file is made with
    # its mode before it is written, the directory 0700.
    as_zip = destination.suffix.lower() == ".zip"
    if as_zip:
        destination.touch(mode=0o600)
    archive = zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) if as_zip else None
    if archive is None:
        destination.mkdir(mode=0o700, parents=True, exist_ok=True)

    def write(name: str, data: bytes) -> None:
        if archive is not None:
            archive.writestr(name, data)
        else:
            (destination / name).touch(mode=0o600)
            (destination / name).write_bytes(data)

    count = 0
    try:
        if output == "csv":
            write("certificates.csv", _csv(uow, certificates, documents.links))
            count = 1
        else:
            kind = DocumentFormat(output)
            _, suffix = FORMATS[kind]
            for certificate in certificates:
                document = documents.document(
                    uow, certificate.id, kind, organisation_id=organisation_id
                )
                write(f"{file_stem(certificate)}{suffix}", document.content)
                count += 1
                if progress is not None:
                    progress(count)
    finally:
        if archive is not None:
            archive.close()
    return ExportSummary(count, destination)
