"""Reading an LMS enrolment export (CSV) into validated records, naming every bad line.

The rules here are pure: bytes in, records and problems out. Whether a course or learner is new
is only known to the caller, which adds its own problems with the same line numbers.
See ``docs/imports.md`` for the file format.
"""

from __future__ import annotations

import _csv
import csv
import io
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, BinaryIO, NamedTuple

from certmint.domain.courses import AssessmentResult, EnrolmentStatus
from certmint.domain.messages import ENGLISH, N_, Joined, Language, Message
from certmint.domain.spreadsheets import from_spreadsheet_cell

__all__ = [
    "KNOWN_COLUMNS",
    "REQUIRED_COLUMNS",
    "ConflictCheck",
    "EnrolmentReading",
    "EnrolmentRecord",
    "ImportProblem",
    "ParsedEnrolments",
    "merged",
    "parse_enrolment_csv",
    "parse_enrolment_rows",
    "read_enrolment_csv",
    "read_enrolment_rows",
]

REQUIRED_COLUMNS = ("course_id", "batch_id", "learner_id", "name", "status")
KNOWN_COLUMNS = (
    "course_id",
    "course_name",
    "batch_id",
    "batch_name",
    "learner_id",
    "name",
    "email",
    "status",
    "completed_on",
)
SCORE_PREFIX = "score:"
ATTR_PREFIX = "attr:"
MAX_ID_LENGTH = 200
MAX_TEXT_LENGTH = 500
_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HUNDRED = Fraction(100)
_ESCAPED = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, decoded
_LINE_BREAKS = re.compile(r"[ \t]*(?:\r\n|\r|\n)\s*")
_STATUSES = {s.value: s for s in EnrolmentStatus}
# Each of KNOWN_COLUMNS as a cell: (name, required, longest length).
_FIELDS = tuple(
    (name, name in REQUIRED_COLUMNS, MAX_ID_LENGTH if name.endswith("_id") else MAX_TEXT_LENGTH)
    for name in KNOWN_COLUMNS
)
_required = operator.itemgetter(*(KNOWN_COLUMNS.index(name) for name in REQUIRED_COLUMNS))
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
_ALLOWED_FORMAT = frozenset("\u200c\u200d\u200e\u200f")  # ZWNJ, ZWJ, LRM, RLM


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One reason a line cannot be imported; ``line`` counts from 1 and the header is line 1.

    ``unit`` names what ``line`` counts: CSV lines, or ``"row"`` for rows sent as JSON (the
    first row is row 1; there is no header).
    """

    line: int
    message: Message | Joined  # several problems of one line are joined with "; "
    unit: str = "line"

    def render(self, language: Language = ENGLISH) -> str:
        # The line is a position (as an editor numbers lines), so its digits are never grouped.
        where = (
            N_("row %(line)s: %(problem)s")
            if self.unit == "row"
            else N_("line %(line)s: %(problem)s")
        )
        return Message(where, line=str(self.line), problem=self.message).render(language)

    def __str__(self) -> str:
        return self.render()


class EnrolmentRecord(NamedTuple):
    """One clean row. Empty optional cells are ``None``: they leave stored values unchanged."""

    line: int
    course_id: str
    course_name: str | None
    batch_id: str
    batch_name: str | None
    learner_id: str
    name: str
    email: str | None
    status: EnrolmentStatus
    completed_on: date | None
    scores: tuple[AssessmentResult, ...] = ()  # sorted by assessment id
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedEnrolments:
    records: tuple[EnrolmentRecord, ...]
    problems: tuple[ImportProblem, ...]
    score_columns: tuple[str, ...] = ()
    attribute_columns: tuple[str, ...] = ()
    unit: str = "line"

    @property
    def ok(self) -> bool:
        return not self.problems


class _RowError(ValueError):
    def __init__(self, problems: Sequence[Message]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = Joined(tuple(problems), "; ")


def parse_enrolment_csv(data: bytes) -> ParsedEnrolments:
    """Validate a whole file held in memory. Any problem means the caller must write nothing.

    Lines that are not UTF-8 are reported each, and every other record is still checked, so
    one upload shows every problem of the file; a record is reported at the line it starts on.
    """
    return _whole(read_enrolment_csv(io.BytesIO(data)))


def parse_enrolment_rows(rows: Sequence[Mapping[str, str]]) -> ParsedEnrolments:
    """Rows sent as JSON (an API's bulk upsert), under exactly the CSV's rules.

    Each row maps column names (those of the CSV header, ``score:<id>``, ``attr:<key>``) to
    cell text; a missing key is an empty cell. Problems count rows from 1 (``unit="row"``); a
    bad column name is reported on the first row that uses it.
    """
    return _whole(read_enrolment_rows(rows))


def read_enrolment_csv(stream: BinaryIO) -> EnrolmentReading:
    """A CSV export read from a binary stream a line at a time (see ``EnrolmentReading``)."""
    reading = EnrolmentReading("line")
    reading._records = _csv_records(stream, reading)
    return reading


def read_enrolment_rows(rows: Sequence[Mapping[str, str]]) -> EnrolmentReading:
    """Rows sent as JSON, read like ``read_enrolment_csv`` reads a file."""
    reading = EnrolmentReading("row")
    reading._records = _row_records(rows, reading)
    return reading


class EnrolmentReading:
    """A file (or a list of rows) being read: validated records come out a chunk at a time,
    so a million-row export never sits in memory, while the problems, and the courses and
    batches it names, collect as it goes.

    Only rows naming the same course or batch are compared here (those are few). Rows naming
    the same learner or enrolment are compared by whoever holds them (``ConflictCheck``), so
    that nothing here grows with the number of learners.
    """

    def __init__(self, unit: str) -> None:
        self.unit = unit  # what problem numbers count: CSV lines or JSON rows
        self.problems: list[ImportProblem] = []
        self.rows = 0
        self.score_columns: tuple[str, ...] = ()
        self.attribute_columns: tuple[str, ...] = ()
        #: course id -> [its first line, its name (the first one given) or None]
        self.courses: dict[str, list[Any]] = {}
        #: (course id, batch id) -> [its first line, its name (the first one given) or None]
        self.batches: dict[tuple[str, str], list[Any]] = {}
        self._records: Iterator[EnrolmentRecord] = iter(())
        self._course_conflicts = ConflictCheck(("course",), unit)
        self._batch_conflicts = ConflictCheck(("batch",), unit)

    def chunks(self, size: int) -> Iterator[list[EnrolmentRecord]]:
        """The valid records in file order, ``size`` at a time; ``problems`` is complete once
        the last chunk is out."""
        chunk: list[EnrolmentRecord] = []
        courses, batches, problems = self.courses, self.batches, self.problems
        for r in self._records:
            # Only a row giving a name can conflict: the checks see the row that first gives
            # one, and any later one that differs (what they would find among all rows).
            course = courses.get(r.course_id)
            if course is None:
                course = courses[r.course_id] = [r.line, None]
            if r.course_name is not None and r.course_name != course[1]:
                course[1] = course[1] or r.course_name
                problems.extend(self._course_conflicts.check(r))
            key = (r.course_id, r.batch_id)
            batch = batches.get(key)
            if batch is None:
                batch = batches[key] = [r.line, None]
            if r.batch_name is not None and r.batch_name != batch[1]:
                batch[1] = batch[1] or r.batch_name
                problems.extend(self._batch_conflicts.check(r))
            chunk.append(r)
            if len(chunk) == size:
                self.rows += size
                yield chunk
                chunk = []
        if chunk:
            self.rows += len(chunk)
            yield chunk

    def _found_columns(self, layout: _Layout) -> None:
        self.score_columns = tuple(name for _, name in layout.scores)
        self.attribute_columns = tuple(name for _, name in layout.attributes)


class ConflictCheck:
    """The same course, batch, learner or enrolment given twice with different values.

    Records are checked in file order; an empty cell says nothing, so it never conflicts, only
    two different given values do. ``kinds`` names which of the four are compared.
    """

    def __init__(self, kinds: Sequence[str], unit: str) -> None:
        self._identities = tuple(_IDENTITIES[kind] for kind in kinds)
        self._unit = unit
        self._seen: dict[tuple[str, ...], EnrolmentRecord | dict[str, tuple[int, object]]] = {}

    def check(self, r: EnrolmentRecord) -> list[ImportProblem]:
        problems: list[ImportProblem] = []
        seen = self._seen
        for identity in self._identities:
            key, values = identity(r)
            known = seen.get(key)
            if known is None:
                seen[key] = r  # most keys are seen once: build the comparison table lazily
                continue
            if isinstance(known, EnrolmentRecord):
                known = seen[key] = {
                    name: (known.line, v) for name, v in identity(known)[1] if v is not None
                }
            for name, value in values:
                if value is None:
                    continue
                line, earlier = known.setdefault(name, (r.line, value))
                if earlier != value:
                    problems.append(self._differs(r.line, key, name, line, (earlier, value)))
        return problems

    def _differs(
        self, at: int, key: tuple[str, ...], name: str, line: int, values: tuple[object, object]
    ) -> ImportProblem:
        text = (
            N_("%(thing)s: %(field)s differs from row %(line)s (%(earlier)s vs %(now)s)")
            if self._unit == "row"
            else N_("%(thing)s: %(field)s differs from line %(line)s (%(earlier)s vs %(now)s)")
        )
        earlier, now = values
        return ImportProblem(
            at,
            Message(
                text,
                thing=_describe(key),
                field=name,
                line=str(line),
                earlier=repr(_show(earlier)),
                now=repr(_show(now)),
            ),
            self._unit,
        )


def merged(records: Sequence[EnrolmentRecord]) -> EnrolmentRecord:
    """What several rows naming one learner (or one enrolment) say together, once they do not
    conflict: the first given value of each field, and every attribute and score given."""
    first = records[0]
    attributes: dict[str, str] = {}
    scores: dict[str, AssessmentResult] = {}
    for r in records:
        attributes.update(r.attributes)
        scores.update((s.assessment_id, s) for s in r.scores)
    return first._replace(
        email=next((r.email for r in records if r.email is not None), None),
        completed_on=next((r.completed_on for r in records if r.completed_on is not None), None),
        scores=tuple(scores[key] for key in sorted(scores)),
        attributes=tuple(attributes.items()),
    )


def _whole(reading: EnrolmentReading) -> ParsedEnrolments:
    """Every record of a reading at once, checked against each other."""
    records = [r for chunk in reading.chunks(10_000) for r in chunk]
    check = ConflictCheck(("learner", "enrolment"), reading.unit)
    problems = [*reading.problems, *(p for r in records for p in check.check(r))]
    problems.sort(key=lambda p: p.line)
    return ParsedEnrolments(
        tuple(records) if not problems else (),
        tuple(problems),
        score_columns=reading.score_columns,
        attribute_columns=reading.attribute_columns,
        unit=reading.unit,
    )


def _row_records(
    rows: Sequence[Mapping[str, str]], reading: EnrolmentReading
) -> Iterator[EnrolmentRecord]:
    problems = reading.problems
    first_row: dict[str, int] = {}
    for number, row in enumerate(rows, start=1):
        for name in row:
            first_row.setdefault(name, number)
    problems.extend(
        ImportProblem(first_row[name], problem, "row")
        for name in first_row
        if (problem := _column_problem(name)) is not None
    )
    if problems:
        return
    columns = list(first_row)
    layout = _Layout.of(columns)
    reading._found_columns(layout)
    for number, row in enumerate(rows, start=1):
        try:
            yield _record(number, [row.get(name, "") for name in columns], layout)
        except _RowError as exc:
            problems.append(ImportProblem(number, exc.problems, "row"))
    if not rows:
        problems.append(ImportProblem(1, Message("no rows given"), "row"))


def _csv_records(stream: BinaryIO, reading: EnrolmentReading) -> Iterator[EnrolmentRecord]:
    # Bytes that are not UTF-8 become lone surrogates (``surrogateescape``), which valid UTF-8
    # never decodes to: ``_Lines`` reports them per line, and the file keeps its lines.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(text, reading.problems)
    try:
        yield from _file_records(lines, reading)
        lines.drain()  # after a malformed record: the later lines that are not UTF-8
    finally:
        text.detach()  # the stream is the caller's to close


def _file_records(lines: _Lines, reading: EnrolmentReading) -> Iterator[EnrolmentRecord]:
    problems = reading.problems
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(ImportProblem(1, Message("the file is empty")))
        return
    except csv.Error as exc:
        lines.drain()
        problems.append(ImportProblem(1, _malformed(exc)))
        return
    if 1 in lines.bad:  # column names that cannot be read: the rows cannot be either
        return
    columns, header_problems = _check_header(header)
    if header_problems:
        problems[:0] = header_problems
        return
    layout = _Layout.of(columns)
    reading._found_columns(layout)
    bad = lines.bad
    for line, end, cells in _rows(reader, problems):
        if bad and not bad.isdisjoint(range(line, end + 1)):
            continue  # reported as not UTF-8; its cells are not the text that was meant
        joined = "".join(cells)
        if not joined.strip():
            continue  # blank lines are common at the end of exports
        if len(cells) != len(columns):
            problems.append(
                ImportProblem(
                    line,
                    Message(
                        "expected %(expected)s fields, found %(found)s",
                        expected=len(columns),
                        found=len(cells),
                    ),
                )
            )
            continue
        if "'" in joined:  # perhaps a formula a spreadsheet escaped
            cells = [from_spreadsheet_cell(c) for c in cells]  # noqa: PLW2901
        try:
            yield _record(line, cells, layout)
        except _RowError as exc:
            problems.append(ImportProblem(line, exc.problems))


class _Lines:
    """The file's lines for the csv reader, each one checked for bytes that are not UTF-8.

    Lines end where the csv reader ends them (LF, CR, CRLF), so the numbers agree; a bad line
    is reported with its first bad byte and that byte's column in characters.
    """

    def __init__(self, text: io.TextIOWrapper, problems: list[ImportProblem]) -> None:
        self._text = text
        self._problems = problems
        self.number = 0
        self.bad: set[int] = set()

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        self.number += 1
        if not line.isascii() and (escaped := _ESCAPED.search(line)) is not None:
            self.bad.add(self.number)
            self._problems.append(
                ImportProblem(
                    self.number,
                    Message(
                        "not valid UTF-8 (byte %(byte)s at column %(column)s)",
                        byte=f"0x{ord(escaped.group()) - 0xDC00:02X}",
                        column=str(escaped.start() + 1),
                    ),
                )
            )
        return line

    def drain(self) -> None:
        for _ in self:
            pass


def _rows(
    reader: _csv.Reader, problems: list[ImportProblem]
) -> Iterator[tuple[int, int, list[str]]]:
    """Yield each record with the lines it starts and ends on (quoted cells may span lines)."""
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(ImportProblem(start, _malformed(exc)))
            return
        yield start, reader.line_num, cells
        start = reader.line_num + 1


def _check_header(header: list[str]) -> tuple[list[str], list[ImportProblem]]:
    columns = [name.strip() for name in header]
    problems = []
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            problems.append(
                ImportProblem(
                    1, Message("column %(column)s appears more than once", column=repr(name))
                )
            )
        seen.add(name)
        problem = _column_problem(name)
        if problem is not None:
            problems.append(ImportProblem(1, problem))
    problems.extend(
        ImportProblem(1, Message("required column %(column)s is missing", column=repr(name)))
        for name in REQUIRED_COLUMNS
        if name not in seen
    )
    return columns, problems


def _column_problem(name: str) -> Message | None:
    """Why a column name is not one the import knows, or None."""
    if name in KNOWN_COLUMNS:
        return None
    prefix = next((p for p in (SCORE_PREFIX, ATTR_PREFIX) if name.startswith(p)), None)
    if prefix is None:
        return Message(
            "unknown column %(column)s; known columns: %(known)s",
            column=repr(name),
            known=Joined((*KNOWN_COLUMNS, "score:<assessment_id>", "attr:<key>")),
        )
    if not _KEY.match(name[len(prefix) :]):
        return Message(
            "column %(column)s: the part after %(prefix)s must match %(pattern)s",
            column=repr(name),
            prefix=repr(prefix),
            pattern=_KEY.pattern,
        )
    return None


def _malformed(exc: csv.Error) -> Message:
    # The csv module's own words ("unexpected end of data") stay as it writes them.
    return Message("malformed CSV: %(error)s", error=str(exc))


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each column is, worked out once from the header (rows are read by position)."""

    known: tuple[int | None, ...]  # the index of each of KNOWN_COLUMNS, or None
    # The cells of KNOWN_COLUMNS from a row's cells and one "" after them (for a column the
    # file does not have), at C speed.
    pick: Callable[[list[str]], tuple[str, ...]]
    scores: tuple[tuple[int, str], ...]
    attributes: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, columns: list[str]) -> _Layout:
        known = tuple(columns.index(c) if c in columns else None for c in KNOWN_COLUMNS)
        return cls(
            known=known,
            pick=operator.itemgetter(*(len(columns) if i is None else i for i in known)),
            scores=tuple(
                (i, c[len(SCORE_PREFIX) :])
                for i, c in enumerate(columns)
                if c.startswith(SCORE_PREFIX)
            ),
            attributes=tuple(
                (i, c[len(ATTR_PREFIX) :])
                for i, c in enumerate(columns)
                if c.startswith(ATTR_PREFIX)
            ),
        )


def _text(  # noqa: PLR0917 - positional: called for every cell of a row that is not plain
    cells: list[str],
    index: int | None,
    name: str,
    errors: list[Message],
    required: bool = False,
    limit: int = MAX_TEXT_LENGTH,
) -> str | None:
    if index is None:
        value = ""
    else:
        value = cells[index].strip()
        if value.isascii() and value.isprintable() and 0 < len(value) <= limit:
            return value  # most cells: one line of plain text, nothing to normalise or refuse
    if "\n" in value or "\r" in value:
        # A quoted cell may hold line breaks (RFC 4180); every field here is one line of text.
        value = _LINE_BREAKS.sub(" ", value)
    if not value:
        if required:
            errors.append(Message("%(column)s is empty", column=name))
        return None
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    if len(value) > limit:
        errors.append(
            Message("%(column)s is longer than %(limit)s characters", column=name, limit=limit)
        )
    if _has_control(value):
        errors.append(Message("%(column)s contains control characters", column=name))
    return value


def _record(line: int, cells: list[str], layout: _Layout) -> EnrolmentRecord:
    errors: list[Message] = []
    # Most rows are plain: once stripped and normalised, one line of printable text shorter
    # than any limit, every required cell given. Finding that for the whole row at once lets
    # each cell skip its checks; any other row goes cell by cell through ``_text``.
    stripped = [c.strip() for c in cells]
    joined = "".join(stripped)
    # A row in NFC has every cell in NFC (a cell that is not would keep the row from it).
    if not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
        stripped = [unicodedata.normalize("NFC", c) for c in stripped]
        joined = "".join(stripped)
    fields: Sequence[str | None] | None = None
    if joined.isprintable() and len(joined) <= MAX_ID_LENGTH:
        stripped.append("")  # the cell of a column the file does not have
        fields = layout.pick(stripped)
        attributes = [(key, value) for i, key in layout.attributes if (value := stripped[i])]
        if "" in _required(fields):
            fields = None  # not plain after all: the slow path names what is missing
    if fields is None:
        fields = [
            _text(cells, i, name, errors, required, limit)
            for i, (name, required, limit) in zip(layout.known, _FIELDS, strict=True)
        ]
        attributes = [
            (key, given)
            for i, key in layout.attributes
            if (given := _text(cells, i, ATTR_PREFIX + key, errors)) is not None
        ]
    course_id, course_name, batch_id, batch_name, learner_id, name, email, status_text, when = (
        fields
    )
    # An empty optional cell is None (the plain path leaves it "").
    course_name, batch_name, email = course_name or None, batch_name or None, email or None
    if email is not None and not _is_email(email):
        errors.append(Message("email %(email)s is not an e-mail address", email=repr(email)))
    status = _status(status_text, errors)
    completed_on = _date(when or None, errors)
    if completed_on is not None and status not in (None, EnrolmentStatus.COMPLETED):
        errors.append(Message("completed_on is set but status is %(status)s", status=status))
    scores = []
    for i, assessment_id in layout.scores:
        raw = cells[i].strip()
        if raw:
            score = _score(assessment_id, raw, errors)
            if score is not None:
                scores.append(score)
    if errors or not (course_id and batch_id and learner_id and name and status):
        raise _RowError(errors)
    return EnrolmentRecord._make(
        (
            line,
            course_id,
            course_name,
            batch_id,
            batch_name,
            learner_id,
            name,
            email,
            status,
            completed_on,
            tuple(scores),
            tuple(attributes),
        )
    )


def _is_email(text: str) -> bool:
    if text.isascii() and text.isprintable():  # what _EMAIL says, without a regex's cost
        local, _, domain = text.partition("@")
        return bool(local) and " " not in text and "@" not in domain and "." in domain[1:-1]
    return _EMAIL.match(text) is not None


def _is_control(ch: str) -> bool:
    """Invisible characters that must not reach a signed, printed name.

    Joiners and direction marks stay: Indic and Arabic names need them to render correctly.
    """
    return unicodedata.category(ch) in _CONTROL_CATEGORIES and ch not in _ALLOWED_FORMAT


def _has_control(value: str) -> bool:
    # str.isprintable() is false for every control and format character (and for spaces other
    # than U+0020): a C-speed pass that lets almost every real name skip the per-character check.
    return not value.isprintable() and any(_is_control(ch) for ch in value)


def _status(value: str | None, errors: list[Message]) -> EnrolmentStatus | None:
    if value is None:
        return None
    status = _STATUSES.get(value) or _STATUSES.get(value.lower())
    if status is None:
        allowed = Joined(tuple(s.value for s in EnrolmentStatus))
        errors.append(
            Message(
                "unknown status %(status)s; use one of %(allowed)s",
                status=repr(value),
                allowed=allowed,
            )
        )
    return status


def _date(value: str | None, errors: list[Message]) -> date | None:
    if value is None:
        return None
    parsed = _parse_date(value)
    if isinstance(parsed, Message):
        errors.append(parsed)
        return None
    return parsed


# Exports repeat the same dates and scores thousands of times: parse each spelling once.
@lru_cache(maxsize=8192)
def _parse_date(value: str) -> date | Message:
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        return Message("completed_on %(value)s is not a date (YYYY-MM-DD)", value=repr(value))


def _number(text: str) -> Fraction:
    # Fraction parses decimal text exactly ("72.5" -> 145/2) and refuses nan and inf.
    if "_" in text:
        raise ValueError(text)
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise ValueError(text) from None


def _score(assessment_id: str, raw: str, errors: list[Message]) -> AssessmentResult | None:
    parsed = _parse_score(assessment_id, raw)
    if isinstance(parsed, Message):
        errors.append(parsed)
        return None
    return parsed


@lru_cache(maxsize=8192)
def _parse_score(assessment_id: str, raw: str) -> AssessmentResult | Message:
    """A score, or the reason it is not one."""
    column = f"{SCORE_PREFIX}{assessment_id}"
    try:
        if "/" in raw:
            points_text, out_of_text = raw.split("/", 1)
            points, out_of = _number(points_text.strip()), _number(out_of_text.strip())
        else:
            points, out_of = _number(raw), _HUNDRED
    except ValueError:
        return Message(
            "%(column)s %(value)s is not a number (0-100) or x/y", column=column, value=repr(raw)
        )
    if out_of <= 0 or not 0 <= points <= out_of:
        if out_of == _HUNDRED:
            text = N_("%(column)s %(value)s is out of range (0 to 100)")
        else:
            text = N_("%(column)s %(value)s is out of range (0 to its maximum)")
        return Message(text, column=column, value=repr(raw))
    return AssessmentResult(assessment_id, points, out_of)


def _show(value: object) -> str:
    """A stored value as the CSV would spell it, for messages."""
    if isinstance(value, EnrolmentStatus):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):  # a score: (points, out_of)
        points, out_of = (_decimal(v) for v in value)
        return points if out_of == "100" else f"{points}/{out_of}"
    return str(value)


def _decimal(value: Fraction) -> str:
    return str(Decimal(value.numerator) / value.denominator)


def _course_identity(r: EnrolmentRecord) -> _Identity:
    return ("course", r.course_id), (("course_name", r.course_name),)


def _batch_identity(r: EnrolmentRecord) -> _Identity:
    return ("batch", r.course_id, r.batch_id), (("batch_name", r.batch_name),)


def _learner_identity(r: EnrolmentRecord) -> _Identity:
    return ("learner", r.learner_id), (
        ("name", r.name),
        ("email", r.email),
        *((ATTR_PREFIX + k, v) for k, v in r.attributes),
    )


def _enrolment_identity(r: EnrolmentRecord) -> _Identity:
    return ("enrolment", r.course_id, r.batch_id, r.learner_id), (
        ("status", r.status),
        ("completed_on", r.completed_on),
        *((SCORE_PREFIX + s.assessment_id, (s.points, s.out_of)) for s in r.scores),
    )


#: What a row says about each thing it names, as (key, ((field, value), ...)).
_Identity = tuple[tuple[str, ...], tuple[tuple[str, object], ...]]
_IDENTITIES: dict[str, Callable[[EnrolmentRecord], _Identity]] = {
    "course": _course_identity,
    "batch": _batch_identity,
    "learner": _learner_identity,
    "enrolment": _enrolment_identity,
}


def _describe(key: tuple[str, ...]) -> Message:
    match key:
        case ("course", course_id):
            return Message("course %(course)s", course=repr(course_id))
        case ("batch", _, batch_id):
            return Message("batch %(batch)s", batch=repr(batch_id))
        case ("learner", learner_id):
            return Message("learner %(learner)s", learner=repr(learner_id))
        case (_, _, batch_id, learner_id):
            return Message(
                "learner %(learner)s in batch %(batch)s",
                learner=repr(learner_id),
                batch=repr(batch_id),
            )
    raise AssertionError(key)
