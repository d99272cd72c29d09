from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from certmint.domain.courses import EnrolmentStatus
from certmint.domain.enrolment_import import parse_enrolment_csv, parse_enrolment_rows
from tests.factories import enrolment_csv, enrolment_row


def problems_of(data: bytes) -> list[str]:
    parsed = parse_enrolment_csv(data)
    assert not parsed.ok
    assert parsed.records == ()  # a file with problems yields nothing to write
    return [str(p) for p in parsed.problems]


def test_clean_file_gives_typed_records() -> None:
    data = enrolment_csv(
        [
            enrolment_row(
                "L1", **{"score:final": "72.5", "score:lab": "17/20", "attr:country": "IN"}
            )
        ],
        extra=["score:final", "score:lab", "attr:country"],
    )
    parsed = parse_enrolment_csv(data)
    assert parsed.ok
    (record,) = parsed.records
    assert record.line == 2
    assert record.status is EnrolmentStatus.COMPLETED
    assert record.completed_on == date(2026, 5, 1)
    scores = {s.assessment_id: (s.points, s.out_of) for s in record.scores}
    assert scores == {"final": (Fraction(145, 2), 100), "lab": (17, 20)}
    assert record.attributes == (("country", "IN"),)
    assert parsed.score_columns == ("final", "lab")


def test_utf8_with_bom_and_names_in_any_script() -> None:
    names = ["अनन्या कृष्णमूर्ति", "محمد عبد الله", "王小明", "தமிழ்செல்வி"]
    rows = [enrolment_row(f"L{i}", name=n) for i, n in enumerate(names)]
    parsed = parse_enrolment_csv(enrolment_csv(rows, bom=True))
    assert parsed.ok
    assert [r.name for r in parsed.records] == names


def test_names_are_nfc_normalised() -> None:
    decomposed = "Zoe\u0308"
    parsed = parse_enrolment_csv(enrolment_csv([enrolment_row(name=decomposed)]))
    assert parsed.records[0].name == "Zoë"


def test_every_bad_line_is_named_with_its_reason() -> None:
    rows = [
        enrolment_row("L1"),
        enrolment_row("", email="x@example.org"),  # line 3: missing id
        enrolment_row("L3", status="finished"),
        enrolment_row("L4", **{"score:final": "101"}),
        enrolment_row("L5", completed_on="2026-02-30"),
        enrolment_row("L6", **{"score:final": "11/10"}),
        enrolment_row("L7", email="not-an-address"),
    ]
    problems = problems_of(enrolment_csv(rows, extra=["score:final"]))
    assert problems == [
        "line 3: learner_id is empty",
        "line 4: unknown status 'finished'; use one of enrolled, in_progress, completed",
        "line 5: score:final '101' is out of range (0 to 100)",
        "line 6: completed_on '2026-02-30' is not a date (YYYY-MM-DD)",
        "line 7: score:final '11/10' is out of range (0 to its maximum)",
        "line 8: email 'not-an-address' is not an e-mail address",
    ]


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("-1", "out of range"),
        ("abc", "is not a number"),
        ("NaN", "is not a number"),
        ("1/0", "out of range"),
        ("Infinity", "is not a number"),
    ],
)
def test_bad_scores(score: str, message: str) -> None:
    (problem,) = problems_of(
        enrolment_csv([enrolment_row(**{"score:q": score})], extra=["score:q"])
    )
    assert problem.startswith("line 2: score:q") and message in problem


def test_duplicated_learner_with_conflicting_data() -> None:
    rows = [
        enrolment_row("L1", name="Ann Lee"),
        enrolment_row("L1", name="Anne Lee", batch_id="B2"),
    ]
    assert problems_of(enrolment_csv(rows)) == [
        "line 3: learner 'L1': name differs from line 2 ('Ann Lee' vs 'Anne Lee')"
    ]


def test_same_learner_in_two_batches_is_fine_and_identical_duplicates_too() -> None:
    rows = [enrolment_row("L1"), enrolment_row("L1", batch_id="B2"), enrolment_row("L1")]
    assert parse_enrolment_csv(enrolment_csv(rows)).ok


def test_conflicting_course_names_and_enrolment_data() -> None:
    rows = [
        enrolment_row("L1"),
        enrolment_row("L2", course_name="Data Science II"),
        enrolment_row("L1", status="in_progress", completed_on=""),
    ]
    assert problems_of(enrolment_csv(rows)) == [
        "line 3: course 'C1': course_name differs from line 2 ('Data Science' vs 'Data Science II')",
        "line 4: learner 'L1' in batch 'B1': status differs from line 2 "
        "('completed' vs 'in_progress')",
    ]


def test_invalid_utf8_names_each_line_with_its_byte_and_column() -> None:
    data = enrolment_csv([enrolment_row("L1"), enrolment_row("L2"), enrolment_row("L3")])
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"Learner", b"Lea\xffrner")
    lines[3] = lines[3] + b"\xc3"
    column = len(lines[2][: lines[2].index(b"\xff")].decode()) + 1
    assert problems_of(b"\n".join(lines)) == [
        f"line 3: not valid UTF-8 (byte 0xFF at column {column})",
        f"line 4: not valid UTF-8 (byte 0xC3 at column {len(lines[3].decode('utf-8', 'replace'))})",
    ]


def test_invalid_utf8_does_not_hide_the_other_problems() -> None:
    rows = [enrolment_row(f"L{n}") for n in range(1, 7)]
    rows[1]["status"] = "finished"
    rows[4]["completed_on"] = "2026-13-01"
    lines = enrolment_csv(rows).split(b"\n")
    lines[3] = lines[3].replace(b"Learner", b"Caf\xe9 Learner")  # Latin-1, not UTF-8
    problems = problems_of(b"\n".join(lines))
    assert problems == [
        "line 3: unknown status 'finished'; use one of enrolled, in_progress, completed",
        "line 4: not valid UTF-8 (byte 0xE9 at column 33)",  # after "C1,...,L3,Caf"
        "line 6: completed_on '2026-13-01' is not a date (YYYY-MM-DD)",
    ]


def test_columns_count_characters_and_a_bom_is_not_one() -> None:
    data = enrolment_csv([enrolment_row("L1", name="अनन्या \u00e9")], bom=True)
    lines = data.split(b"\n")
    lines[1] = lines[1].replace(b"\xc3\xa9", b"\xe9")
    (problem,) = problems_of(b"\n".join(lines))
    # 29 characters of "C1,Data Science,B1,Spring,L1," and 7 of "अनन्या " come before it
    assert problem == "line 2: not valid UTF-8 (byte 0xE9 at column 37)"
    lines[0] = lines[0] + b"\xff"
    (problem,) = problems_of(lines[0] + b"\n")
    assert problem == f"line 1: not valid UTF-8 (byte 0xFF at column {len(lines[0]) - 3})"


def test_quoted_line_breaks_become_spaces_and_keep_line_numbers_right() -> None:
    rows = [
        enrolment_row("L1", name="Multi\nLine", course_name="Data\r\n  Science"),
        enrolment_row("L2", status="bogus"),
        enrolment_row("L3", name="Three\n\nLines", email="l3@example.org\n"),
        enrolment_row("L4", status="bogus"),
    ]
    data = enrolment_csv(rows)
    problems = problems_of(data)
    assert problems == [
        # L1 spans lines 2-4 (CRLF is one line break), L3 spans lines 6-9
        "line 5: unknown status 'bogus'; use one of enrolled, in_progress, completed",
        "line 10: unknown status 'bogus'; use one of enrolled, in_progress, completed",
    ]
    rows = [rows[0], rows[2]]
    parsed = parse_enrolment_csv(enrolment_csv(rows))
    assert [(r.line, r.name, r.course_name, r.email) for r in parsed.records] == [
        (2, "Multi Line", "Data Science", "l1@example.org"),
        (5, "Three Lines", "Data Science", "l3@example.org"),
    ]


def test_conflicting_scores_are_shown_as_written() -> None:
    rows = [enrolment_row(**{"score:q": "80.5"}), enrolment_row(**{"score:q": "3/4"})]
    assert problems_of(enrolment_csv(rows, extra=["score:q"])) == [
        "line 3: learner 'L1' in batch 'B1': score:q differs from line 2 ('80.5' vs '3/4')"
    ]


def test_completed_on_needs_completed_status() -> None:
    (problem,) = problems_of(enrolment_csv([enrolment_row(status="enrolled")]))
    assert problem == "line 2: completed_on is set but status is enrolled"


def test_header_problems() -> None:
    data = b"course_id,batch_id,learner_id,name,nickname,score:,score:a,score:a\n"
    assert problems_of(data) == [
        "line 1: unknown column 'nickname'; known columns: course_id, course_name, batch_id, "
        "batch_name, learner_id, name, email, status, completed_on, score:<assessment_id>, "
        "attr:<key>",
        "line 1: column 'score:': the part after 'score:' must match ^[A-Za-z0-9_.\\-]{1,100}$",
        "line 1: column 'score:a' appears more than once",
        "line 1: required column 'status' is missing",
    ]


def test_empty_file_and_wrong_field_count() -> None:
    assert problems_of(b"") == ["line 1: the file is empty"]
    data = enrolment_csv([enrolment_row()]) + b"C1,Course,B1\n"
    assert problems_of(data) == ["line 3: expected 9 fields, found 3"]


def test_blank_lines_are_ignored() -> None:
    data = enrolment_csv([enrolment_row("L1")]) + b"\n,,,,,,,,\n"
    assert len(parse_enrolment_csv(data).records) == 1


def test_bidi_override_is_rejected_but_joiners_are_kept() -> None:
    ok = parse_enrolment_csv(enrolment_csv([enrolment_row(name="क्\u200dष")]))
    assert ok.ok
    (problem,) = problems_of(enrolment_csv([enrolment_row(name="evil\u202eman")]))
    assert problem == "line 2: name contains control characters"


def _cells(row: dict[str, object]) -> dict[str, str]:
    return {k: str(v) for k, v in row.items() if v not in (None, "")}


def test_json_rows_follow_the_csv_rules() -> None:
    rows = [_cells(enrolment_row("L1", **{"score:final": "17/20"})), _cells(enrolment_row("L2"))]
    parsed = parse_enrolment_rows(rows)
    assert parsed.ok
    assert parsed.unit == "row"
    assert [r.learner_id for r in parsed.records] == ["L1", "L2"]
    assert parsed.records[0].scores[0].points == Fraction(17)
    assert parsed.records[0] == parse_enrolment_csv(
        enrolment_csv([enrolment_row("L1", **{"score:final": "17/20"})], extra=["score:final"])
    ).records[0]._replace(line=1)


def test_json_row_problems_name_rows() -> None:
    rows = [
        _cells(enrolment_row("L1")),
        {**_cells(enrolment_row("L2")), "status": "done", "email": "x"},
        {k: v for k, v in _cells(enrolment_row("L3")).items() if k != "name"},
        _cells(enrolment_row("L1", name="Other Name")),
    ]
    parsed = parse_enrolment_rows(rows)
    assert not parsed.ok
    assert [str(p) for p in parsed.problems] == [
        "row 2: email 'x' is not an e-mail address; "
        "unknown status 'done'; use one of enrolled, in_progress, completed",
        "row 3: name is empty",
        "row 4: learner 'L1': name differs from row 1 ('Learner L1' vs 'Other Name')",
    ]


def test_json_row_keys_are_checked_on_the_first_row_using_them() -> None:
    rows = [_cells(enrolment_row("L1")), {**_cells(enrolment_row("L2")), "colour": "red"}]
    (problem,) = parse_enrolment_rows(rows).problems
    assert (problem.unit, problem.line) == ("row", 2)
    assert "unknown column 'colour'" in str(problem.message)
    assert str(parse_enrolment_rows([]).problems[0]) == "row 1: no rows given"
