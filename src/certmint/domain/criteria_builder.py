"""The criteria builder: criteria as rows of a form, and what a batch's enrolments hold.

The admin pages build criteria from conditions chosen among what the batch's learners actually
have (each assessment seen in imports, each attribute with its values, completion dates), so
a misspelt assessment cannot slip in unseen. Three pure parts live here:

- ``Row``, ``build`` and ``rows_of``: a flat list of conditions, each possibly negated, joined
  by all, any or none of them; any criteria of that shape round-trip through the form, deeper
  nesting stays in the JSON view.
- ``survey``: one pass over a batch's enrolments that learns what they hold, counts who meets
  the criteria (and each of its conditions) and keeps a sample of who does and who does not.
- ``warnings``: conditions that no learner's data can ever meet (an assessment, attribute or
  value that no import has), said before attaching.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from certmint.domain.courses import Enrolment, EnrolmentStatus, Learner
from certmint.domain.criteria import (
    COMPARISONS,
    All,
    Any_,
    Attribute,
    Completed,
    CompletedBetween,
    CriteriaError,
    Criterion,
    Decision,
    Not,
    Score,
    evaluate,
    parse_criteria,
)
from certmint.domain.messages import Joined, Message

__all__ = [
    "KINDS",
    "MATCHES",
    "AssessmentSeen",
    "BuildError",
    "Holdings",
    "Kind",
    "Match",
    "Row",
    "RowProblem",
    "Survey",
    "build",
    "conditions",
    "rows_of",
    "survey",
    "warnings",
]

Kind = Literal["completed", "score", "attribute", "completed_between"]
Match = Literal["all", "any", "none"]
KINDS: tuple[Kind, ...] = ("completed", "score", "attribute", "completed_between")
MATCHES: tuple[Match, ...] = ("all", "any", "none")
OVERS = ("best", "average", "every")


@dataclass(frozen=True, slots=True)
class Row:
    """One condition as the form holds it: text as typed, checked by ``build``.

    A score is on ``assessment``, or over all assessments (``over``) when that is empty; an
    attribute condition is ``choices`` of (key, value), all of one key, any of which meets it."""

    kind: Kind
    negated: bool = False
    assessment: str = ""
    over: str = "best"
    comparison: str = ">="
    value: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    start: str = ""
    end: str = ""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why row ``row`` (counted from 1, as the page numbers them) cannot be used."""

    row: int
    message: Message


class BuildError(ValueError):
    """Rows that do not make criteria; ``problems`` names the row of each."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"condition {p.row}: {p.message}" for p in self.problems))


def build(match: Match, rows: Iterable[Row]) -> Criterion:
    """The criterion the rows make (one row alone stands for itself); ``BuildError`` says which
    rows are wrong and why, in words about the form rather than JSON paths."""
    rows = list(rows)
    if match == "none" and len(rows) == 1:  # "none of" one condition: that condition negated
        match, rows = "all", [replace(rows[0], negated=not rows[0].negated)]
    if not rows:
        raise BuildError([RowProblem(0, Message("add at least one condition"))])
    items: list[Criterion] = []
    problems: list[RowProblem] = []
    for n, row in enumerate(rows, start=1):
        found = _row_problems(row)
        if found:
            problems.extend(RowProblem(n, message) for message in found)
            continue
        try:
            item = parse_criteria(_row_json(row))
        except CriteriaError as exc:  # what the checks above missed, in the language's words
            problems.extend(RowProblem(n, p.message) for p in exc.problems)
            continue
        items.append(Not(item) if row.negated else item)
    if problems:
        raise BuildError(problems)
    if match == "none":
        return Not(Any_(tuple(items)))
    if len(items) == 1:
        return items[0]
    return All(tuple(items)) if match == "all" else Any_(tuple(items))


def _row_problems(row: Row) -> list[Message]:
    match row.kind:
        case "score":
            problems = []
            if row.comparison not in COMPARISONS:
                problems.append(Message("choose a comparison"))
            if not row.assessment and row.over not in OVERS:
                problems.append(Message("choose an assessment"))
            try:
                value = Fraction(row.value.strip())
            except (ValueError, ZeroDivisionError):
                problems.append(Message("give the score as a number from 0 to 100"))
            else:
                if not 0 <= value <= 100:
                    problems.append(Message("give the score as a number from 0 to 100"))
            return problems
        case "attribute":
            if not row.choices:
                return [Message("choose at least one value")]
            if len({key for key, _ in row.choices}) > 1:
                return [
                    Message("choose values of one attribute (another condition can check another)")
                ]
            return []
        case "completed_between":
            if not row.start.strip() and not row.end.strip():
                return [Message("give a first day, a last day or both")]
            return []
    return []


def _row_json(row: Row) -> dict[str, Any]:
    match row.kind:
        case "completed":
            return {"completed": True}
        case "score":
            target = {"assessment": row.assessment} if row.assessment else {"over": row.over}
            return {"score": {**target, row.comparison: row.value.strip()}}
        case "attribute":
            return {
                "attribute": {"key": row.choices[0][0], "in": [value for _, value in row.choices]}
            }
    bounds = {"from": row.start.strip(), "to": row.end.strip()}
    return {"completed_between": {k: v for k, v in bounds.items() if v}}


def rows_of(criterion: Criterion) -> tuple[Match, list[Row]] | None:
    """The form's rows for a criterion, or None when it nests deeper than the form shows (a
    group inside a group): the JSON view edits those."""
    match criterion:
        case Not(Any_(items)):
            rows = [_row(item) for item in items]
            match_: Match = "none"
        case All(items) | Any_(items):
            rows = [_row(item) for item in items]
            match_ = "all" if isinstance(criterion, All) else "any"
        case _:
            rows, match_ = [_row(criterion)], "all"
    if any(row is None for row in rows):
        return None
    return match_, [row for row in rows if row is not None]


def _row(criterion: Criterion) -> Row | None:
    negated = isinstance(criterion, Not)
    inner = criterion.item if isinstance(criterion, Not) else criterion
    match inner:
        case Completed():
            return Row("completed", negated)
        case Score(comparison, value, assessment, over):
            return Row(
                "score",
                negated,
                assessment=assessment or "",
                over=over,
                comparison=comparison,
                value=str(int(value)) if value.denominator == 1 else str(float(value)),
            )
        case Attribute(key, values):
            return Row("attribute", negated, choices=tuple((key, value) for value in values))
        case CompletedBetween(start, end):
            return Row(
                "completed_between",
                negated,
                start=start.isoformat() if start else "",
                end=end.isoformat() if end else "",
            )
    return None


# --- what the enrolments hold ----------------------------------------------------------------


@dataclass(slots=True)
class AssessmentSeen:
    """An assessment as the imports have it: how many learners have a score, and the range."""

    assessment: str
    learners: int
    lowest: Fraction
    highest: Fraction


@dataclass(slots=True)
class Holdings:
    """What a batch's enrolments hold: the choices the builder offers."""

    learners: int = 0
    statuses: Counter[EnrolmentStatus] = field(default_factory=Counter)
    assessments: dict[str, AssessmentSeen] = field(default_factory=dict)
    attributes: dict[str, Counter[str]] = field(default_factory=dict)
    first_completed: date | None = None
    last_completed: date | None = None

    def add(self, enrolment: Enrolment, learner: Learner) -> None:
        self.learners += 1
        self.statuses[enrolment.status] += 1
        for result in enrolment.results:
            percent = result.percent
            seen = self.assessments.get(result.assessment_id)
            if seen is None:
                self.assessments[result.assessment_id] = AssessmentSeen(
                    result.assessment_id, 1, percent, percent
                )
            else:
                seen.learners += 1
                seen.lowest = min(seen.lowest, percent)
                seen.highest = max(seen.highest, percent)
        for key, value in learner.attributes.items():
            self.attributes.setdefault(key, Counter())[value] += 1
        day = enrolment.completed_on
        if enrolment.status is EnrolmentStatus.COMPLETED and day is not None:
            first, last = self.first_completed, self.last_completed
            self.first_completed = day if first is None else min(first, day)
            self.last_completed = day if last is None else max(last, day)

    @property
    def completed(self) -> int:
        return self.statuses[EnrolmentStatus.COMPLETED]

    def values_of(self, key: str, limit: int) -> list[tuple[str, int]]:
        """The ``limit`` most common values of an attribute, most common first."""
        return sorted(self.attributes.get(key, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))[
            :limit
        ]


@dataclass(slots=True)
class Survey:
    """One pass over a batch: what it holds, and who the criteria would award."""

    holdings: Holdings
    qualify: int = 0
    # A few learners each way, with the facts that decided them.
    awarded: list[tuple[Learner, Decision]] = field(default_factory=list)
    refused: list[tuple[Learner, Decision]] = field(default_factory=list)
    # Per condition (``conditions`` order): how many learners meet it on its own.
    meets: list[int] = field(default_factory=list)

    @property
    def learners(self) -> int:
        return self.holdings.learners


def conditions(criterion: Criterion) -> Iterator[Criterion]:
    """The conditions a criterion is made of (a negated one with its ``not``), in order."""
    match criterion:
        case All(items) | Any_(items):
            for item in items:
                yield from conditions(item)
        case Not(All() | Any_() | Not() as inner):
            yield from conditions(inner)
        case _:
            yield criterion


def survey(
    criterion: Criterion | None, enrolments: Iterable[tuple[Enrolment, Learner]], *, sample: int
) -> Survey:
    """Read every enrolment once: learn what the batch holds and, given criteria, count who
    meets them and each of their conditions, keeping ``sample`` learners each way."""
    found = Survey(Holdings())
    parts = list(conditions(criterion)) if criterion is not None else []
    found.meets = [0] * len(parts)
    if parts == [criterion]:  # one condition: its count is the criteria's, not evaluated twice
        parts = []
    for enrolment, learner in enrolments:
        found.holdings.add(enrolment, learner)
        if criterion is None:
            continue
        decision = evaluate(criterion, enrolment, learner)
        if decision.awarded:
            found.qualify += 1
        kept = found.awarded if decision.awarded else found.refused
        if len(kept) < sample:
            kept.append((learner, decision))
        for n, part in enumerate(parts):
            found.meets[n] += evaluate(part, enrolment, learner).awarded
    if criterion is not None and not parts:
        found.meets = [found.qualify]
    return found


def warnings(criterion: Criterion, holdings: Holdings) -> list[Message]:
    """Conditions that no learner's data can ever meet: an assessment, attribute or value that
    no import of the batch holds (most likely misspelt). None for a batch without learners yet:
    there is nothing to compare with."""
    if not holdings.learners:
        return []
    found: list[Message] = []
    for part in conditions(criterion):
        inner = part.item if isinstance(part, Not) else part
        match inner:
            case Score(assessment=str(assessment)) if assessment not in holdings.assessments:
                found.append(
                    Message(
                        "no learner has a score in %(assessment)s; the imports hold %(known)s",
                        assessment=assessment,
                        known=_known(holdings.assessments),
                    )
                )
            case Attribute(key, _) if key not in holdings.attributes:
                found.append(
                    Message(
                        "no learner has the attribute %(key)s; the imports hold %(known)s",
                        key=key,
                        known=_known(holdings.attributes),
                    )
                )
            case Attribute(key, values) if not set(values) & set(holdings.attributes[key]):
                found.append(
                    Message(
                        "no learner's %(key)s is %(values)s; the imports hold %(known)s",
                        key=key,
                        values=Joined.of(values),
                        known=_known(holdings.attributes[key]),
                    )
                )
    return found


def _known(names: Iterable[str], limit: int = 10) -> Message | Joined:
    """``final, quiz`` (the first ``limit``, sorted), or "none"."""
    chosen = sorted(names)
    if not chosen:
        return Message("none")
    if len(chosen) > limit:
        return Message(
            "%(names)s and %(more)s more", names=Joined.of(chosen[:limit]), more=len(chosen) - limit
        )
    return Joined.of(chosen)
