"""Finding 13: CSV files that real LMS exports produce.

A quoted field with line breaks inside (RFC 4180) was refused as "control characters", and one
line of invalid UTF-8 hid every other problem of the file.
"""

from __future__ import annotations

import pytest

from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_learner
from certmint.services.errors import ImportRejected
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import make_organisation

# As Moodle and Canvas write them: CRLF line ends, a name and an address with line breaks.
LMS_EXPORT = (
    b"course_id,course_name,batch_id,batch_name,learner_id,name,email,status,completed_on\r\n"
    b'C1,"Data\r\nScience",B1,Spring,L1,"Aarav\r\nSharma",aarav@example.org,completed,2026-05-01\r\n'
    b'C1,,B1,,L2,"\xe0\xa4\x85\xe0\xa4\xa8\xe0\xa4\xa8\xe0\xa5\x8d\xe0\xa4\xaf\xe0\xa4\xbe\n'
    b'\xe0\xa4\x95\xe0\xa5\x83\xe0\xa4\xb7\xe0\xa5\x8d\xe0\xa4\xa3\xe0\xa4\xbe",,enrolled,\r\n'
    b"C1,,B1,,L3,Grace O'Connor,grace@example.org,in_progress,\r\n"
)


def test_quoted_line_breaks_are_accepted_as_spaces(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    summary = import_enrolments(uow, org.id, LMS_EXPORT)
    assert summary.counts()["learners"]["created"] == 3
    learner = resolve_learner(uow, org.id, "L1")
    assert learner.name == "Aarav Sharma"
    assert resolve_learner(uow, org.id, "L2").name == "अनन्या कृष्णा"


def test_line_numbers_stay_those_of_the_file(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    data = LMS_EXPORT + b"C1,,B1,,L4,Dee,dee@example.org,finished,\r\n"
    with pytest.raises(ImportRejected) as rejected:
        import_enrolments(uow, org.id, data)
    # The header is line 1, L1 spans lines 2-4, L2 lines 5-6, L3 is line 7.
    assert [str(p) for p in rejected.value.problems] == [
        "line 8: unknown status 'finished'; use one of enrolled, in_progress, completed"
    ]


def test_invalid_utf8_is_reported_with_every_other_bad_line(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    data = (
        LMS_EXPORT
        + b"C1,,B1,,L4,Caf\xe9 Owner,cafe@example.org,completed,2026-05-01\r\n"  # Latin-1
        + b"C1,,B1,,L5,Dee,dee@example.org,finished,\r\n"
        + b"C1,,B1,,L6,Eve,not-an-address,completed,2026-13-01\r\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_enrolments(uow, org.id, data)
    assert [str(p) for p in rejected.value.problems] == [
        "line 8: not valid UTF-8 (byte 0xE9 at column 15)",
        "line 9: unknown status 'finished'; use one of enrolled, in_progress, completed",
        "line 10: email 'not-an-address' is not an e-mail address; "
        "completed_on '2026-13-01' is not a date (YYYY-MM-DD)",
    ]
    with uow:  # all or nothing: not one learner was written
        assert uow.roster.learners_by_external_id(org.id, ["L1", "L3", "L5"]) == {}
