"""The issuance criteria language: parsed, validated, evaluated and explained.

Criteria are JSON (documented with examples in ``docs/criteria.md``)::

    {"completed": true}
    {"score": {"assessment": "final", ">=": 60}}
    {"score": {"over": "best" | "average" | "every", ">=": 60}}
    {"attribute": {"key": "country", "equals": "IN"}}
    {"attribute": {"key": "country", "in": ["IN", "NP"]}}
    {"completed_between": {"from": "2026-01-01", "to": "2026-06-30"}}
    {"all": [...]}  {"any": [...]}  {"not": {...}}

Sunbird's criteria form (``{"enrollment": {"status": 2}, "assessment": {"score": {">=": 60}},
"user": {"rootOrgId": "..."}}``) is accepted and translated. ``evaluate`` is a pure function of
the criteria, an enrolment and a learner, and explains every refusal ("score 54 < 60 in final").
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from certmint.domain.courses import Enrolment, EnrolmentStatus, Learner

__all__ = [
    "COMPARISONS",
    "All",
    "Any_",
    "Attribute",
    "Completed",
    "CompletedBetween",
    "CriteriaError",
    "Criterion",
    "Decision",
    "Not",
    "Score",
    "describe",
    "evaluate",
    "parse_criteria",
    "to_json",
]

Comparison = Literal[">=", ">", "=", "<=", "<"]
Aggregate = Literal["best", "average", "every"]
COMPARISONS: dict[str, Callable[[Fraction, Fraction], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "=": operator.eq,
    "<=": operator.le,
    "<": operator.lt,
}
_WORDS = {">=": "at least", ">": "more than", "=": "exactly", "<=": "at most", "<": "less than"}
MAX_DEPTH = 8
MAX_NODES = 200


class CriteriaError(ValueError):
    """Criteria that cannot be used; ``problems`` names each one with its JSON path."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Completed:
    pass


@dataclass(frozen=True, slots=True)
class Score:
    """A score condition on one assessment, or over all of them (``over``)."""

    comparison: Comparison
    value: Fraction
    assessment: str | None = None
    over: Aggregate = "best"


@dataclass(frozen=True, slots=True)
class Attribute:
    key: str
    values: tuple[str, ...]  # one value: "equals"; several: "in"


@dataclass(frozen=True, slots=True)
class CompletedBetween:
    start: date | None
    end: date | None


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Any_:  # noqa: N801 - "Any" would shadow typing.Any for every reader of this module
    items: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Criterion


Criterion = Completed | Score | Attribute | CompletedBetween | All | Any_ | Not


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a learner is awarded, and why (or why not), in plain words."""

    awarded: bool
    reasons: tuple[str, ...]


# --- parsing -------------------------------------------------------------------------------


def parse_criteria(document: Any) -> Criterion:
    """Validate criteria JSON (ours or Sunbird's) into a ``Criterion``; raises ``CriteriaError``."""
    problems: list[str] = []
    budget = [MAX_NODES]
    if isinstance(document, Mapping) and set(document) & {"enrollment", "assessment", "user"}:
        document = _from_sunbird(document, problems)
    criterion = _parse(document, "$", problems, 0, budget)
    if problems or criterion is None:
        raise CriteriaError(problems or ["$: no criteria given"])
    return criterion


def _parse(
    node: Any, path: str, problems: list[str], depth: int, budget: list[int]
) -> Criterion | None:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        problems.append(
            f"{path}: criteria are too large (at most {MAX_NODES} conditions, "
            f"nested {MAX_DEPTH} deep)"
        )
        return None
    if not isinstance(node, Mapping) or len(node) != 1:
        known = ", ".join(sorted(_PARSERS))
        problems.append(f"{path}: expected an object with exactly one of: {known}")
        return None
    ((kind, body),) = node.items()
    parser = _PARSERS.get(kind)
    if parser is None:
        problems.append(f"{path}: unknown condition {kind!r}; known: {', '.join(sorted(_PARSERS))}")
        return None
    return parser(body, f"{path}.{kind}", problems, depth, budget)


def _completed(body: Any, path: str, problems: list[str], *_: Any) -> Criterion | None:
    if body is not True:
        problems.append(f"{path}: must be true")
        return None
    return Completed()


def _score(body: Any, path: str, problems: list[str], *_: Any) -> Criterion | None:
    if not isinstance(body, Mapping):
        problems.append(f'{path}: expected an object like {{"assessment": "final", ">=": 60}}')
        return None
    comparisons = [k for k in body if k in COMPARISONS]
    unknown = sorted(set(body) - set(COMPARISONS) - {"assessment", "over"})
    if unknown:
        problems.append(f"{path}: unknown field(s) {', '.join(unknown)}")
    if len(comparisons) != 1:
        problems.append(f"{path}: give exactly one comparison of {', '.join(COMPARISONS)}")
        return None
    comparison = comparisons[0]
    value = _percent(body[comparison], f"{path}.{comparison}", problems)
    assessment = body.get("assessment")
    over = body.get("over", "best")
    if assessment is not None and (not isinstance(assessment, str) or not assessment):
        problems.append(f"{path}.assessment: must be an assessment id")
    if "over" in body and assessment is not None:
        problems.append(f"{path}: give either an assessment or over, not both")
    if over not in ("best", "average", "every"):
        problems.append(f"{path}.over: must be best, average or every")
    if value is None or problems:
        return None
    return Score(comparison, value, assessment, over)


def _percent(raw: Any, path: str, problems: list[str]) -> Fraction | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        problems.append(f"{path}: must be a number from 0 to 100")
        return None
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        problems.append(f"{path}: must be a number from 0 to 100")
        return None
    if not 0 <= value <= 100:
        problems.append(f"{path}: {raw} is outside 0 to 100")
        return None
    return value


def _attribute(body: Any, path: str, problems: list[str], *_: Any) -> Criterion | None:
    if not isinstance(body, Mapping) or not isinstance(body.get("key"), str) or not body["key"]:
        problems.append(
            f'{path}: expected {{"key": ..., "equals": ...}} or {{"key": ..., "in": [...]}}'
        )
        return None
    if ("equals" in body) == ("in" in body) or set(body) - {"key", "equals", "in"}:
        problems.append(f"{path}: give the key and exactly one of equals or in")
        return None
    values = [body["equals"]] if "equals" in body else body["in"]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        problems.append(f"{path}: values must be text (in: a non-empty list of text)")
        return None
    return Attribute(body["key"], tuple(values))


def _completed_between(body: Any, path: str, problems: list[str], *_: Any) -> Criterion | None:
    if not isinstance(body, Mapping) or not set(body) <= {"from", "to"} or not body:
        problems.append(f'{path}: expected {{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}}')
        return None
    bounds: dict[str, date | None] = {"from": None, "to": None}
    for name in body:
        try:
            bounds[name] = date.fromisoformat(body[name])
        except (TypeError, ValueError):
            problems.append(f"{path}.{name}: {body[name]!r} is not a date (YYYY-MM-DD)")
    start, end = bounds["from"], bounds["to"]
    if start and end and start > end:
        problems.append(f"{path}: from {start} is after to {end}")
    if problems:
        return None
    return CompletedBetween(start, end)


def _combinator(kind: type[All] | type[Any_]) -> Callable[..., Criterion | None]:
    def parse(
        body: Any, path: str, problems: list[str], depth: int, budget: list[int]
    ) -> Criterion | None:
        if not isinstance(body, list) or not body:
            problems.append(f"{path}: expected a non-empty list of conditions")
            return None
        items = [
            _parse(item, f"{path}[{i}]", problems, depth + 1, budget) for i, item in enumerate(body)
        ]
        if any(item is None for item in items):
            return None
        return kind(tuple(item for item in items if item is not None))

    return parse


def _not(
    body: Any, path: str, problems: list[str], depth: int, budget: list[int]
) -> Criterion | None:
    item = _parse(body, path, problems, depth + 1, budget)
    return None if item is None else Not(item)


_PARSERS: dict[str, Callable[..., Criterion | None]] = {
    "completed": _completed,
    "score": _score,
    "attribute": _attribute,
    "completed_between": _completed_between,
    "all": _combinator(All),
    "any": _combinator(Any_),
    "not": _not,
}

_SUNBIRD_STATUS_COMPLETED = 2


def _from_sunbird(document: Mapping[str, Any], problems: list[str]) -> Any:
    """Sunbird's ``{"enrollment", "assessment", "user"}`` form, as our language."""
    unknown = sorted(set(document) - {"enrollment", "assessment", "user"})
    if unknown:
        problems.append(f"$: unknown Sunbird criteria field(s) {', '.join(unknown)}")
    conditions: list[Any] = []
    enrollment = document.get("enrollment")
    if enrollment is not None:
        if enrollment != {"status": _SUNBIRD_STATUS_COMPLETED}:
            problems.append('$.enrollment: only {"status": 2} (completed) is supported')
        conditions.append({"completed": True})
    assessment = document.get("assessment")
    if assessment is not None:
        score = assessment.get("score") if isinstance(assessment, Mapping) else None
        if not isinstance(score, Mapping):
            problems.append('$.assessment: expected {"score": {">=": N}}')
        else:
            conditions.append({"score": {"over": "best", **score}})
    user = document.get("user")
    if user is not None:
        if not isinstance(user, Mapping) or not user:
            problems.append("$.user: expected an object of attribute values")
        else:
            for key, value in user.items():
                values = value if isinstance(value, list) else [value]
                conditions.append({"attribute": {"key": key, "in": values}})
    return conditions[0] if len(conditions) == 1 else {"all": conditions}


# --- output --------------------------------------------------------------------------------


def to_json(criterion: Criterion) -> dict[str, Any]:
    """The canonical JSON of a criterion (what is stored)."""
    match criterion:
        case Completed():
            return {"completed": True}
        case Score(comparison, value, assessment, over):
            body: dict[str, Any] = {"assessment": assessment} if assessment else {"over": over}
            return {"score": {**body, comparison: _number(value)}}
        case Attribute(key, (value,)):
            return {"attribute": {"key": key, "equals": value}}
        case Attribute(key, values):
            return {"attribute": {"key": key, "in": list(values)}}
        case CompletedBetween(start, end):
            bounds = {"from": start, "to": end}
            return {"completed_between": {k: v.isoformat() for k, v in bounds.items() if v}}
        case All(items):
            return {"all": [to_json(item) for item in items]}
        case Any_(items):
            return {"any": [to_json(item) for item in items]}
        case Not(item):
            return {"not": to_json(item)}
    raise TypeError(criterion)


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def describe(criterion: Criterion) -> str:
    """A readable sentence (the credential's criteria narrative)."""
    text = _phrase(criterion)
    return text[0].upper() + text[1:] + "."


def _phrase(criterion: Criterion) -> str:
    match criterion:
        case Completed():
            return "completed the course"
        case Score(comparison, value, assessment, over):
            amount = f"{_WORDS[comparison]} {_number(value)}%"
            if assessment:
                return f"scored {amount} in {assessment}"
            return {
                "best": f"scored {amount} in an assessment",
                "average": f"averaged {amount} across assessments",
                "every": f"scored {amount} in every assessment",
            }[over]
        case Attribute(key, (value,)):
            return f"has {key} {value}"
        case Attribute(key, values):
            return f"has {key} one of {', '.join(values)}"
        case CompletedBetween(start, end):
            if start and end:
                return f"completed between {start} and {end}"
            return f"completed on or after {start}" if start else f"completed on or before {end}"
        case All(items):
            return _join([_phrase(item) for item in items], "and")
        case Any_(items):
            return "either " + _join([_phrase(item) for item in items], "or")
        case Not(item):
            return f"not ({_phrase(item)})"
    raise TypeError(criterion)


def _join(parts: list[str], word: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


# --- evaluation ----------------------------------------------------------------------------


def evaluate(criterion: Criterion, enrolment: Enrolment, learner: Learner) -> Decision:
    """Decide one learner; every reason is a plain statement of a fact that decided it."""
    met, reasons = _check(criterion, enrolment, learner)
    return Decision(met, tuple(reasons))


def _check(c: Criterion, e: Enrolment, learner: Learner) -> tuple[bool, list[str]]:
    match c:
        case Completed():
            done = e.status is EnrolmentStatus.COMPLETED
            return done, ["completed" if done else f"not completed ({e.status.value})"]
        case Score():
            return _check_score(c, e)
        case Attribute(key, values):
            actual = learner.attributes.get(key)
            if actual is None:
                return False, [f"no {key} attribute"]
            ok = actual in values
            return ok, [f"{key} is {actual}" + ("" if ok else f", not {' or '.join(values)}")]
        case CompletedBetween(start, end):
            if e.status is not EnrolmentStatus.COMPLETED or e.completed_on is None:
                return False, ["no completion date"]
            day = e.completed_on
            ok = (start is None or day >= start) and (end is None or day <= end)
            window = f"{start or '…'} to {end or '…'}"
            return ok, [f"completed on {day}" + ("" if ok else f", outside {window}")]
        case All(items):
            results = [_check(item, e, learner) for item in items]
            failed = [r for ok, rs in results if not ok for r in rs]
            if failed:
                return False, failed
            return True, [r for _, rs in results for r in rs]
        case Any_(items):
            results = [_check(item, e, learner) for item in items]
            passed = [r for ok, rs in results if ok for r in rs]
            if passed:
                return True, passed
            return False, [r for _, rs in results for r in rs]
        case Not(item):
            ok, reasons = _check(item, e, learner)
            return not ok, reasons
    raise TypeError(c)


def _check_score(c: Score, e: Enrolment) -> tuple[bool, list[str]]:
    compare = COMPARISONS[c.comparison]

    def fact(label: str, actual: Fraction, where: str = "") -> tuple[bool, str]:
        ok = compare(actual, c.value)
        relation = c.comparison if ok else _NEGATED[c.comparison]
        return ok, f"{label} {_shown(actual)} {relation} {_shown(c.value)}{where}"

    if c.assessment is not None:
        result = e.result(c.assessment)
        if result is None:
            return False, [f"no score in {c.assessment}"]
        ok, reason = fact("score", result.percent, f" in {c.assessment}")
        return ok, [reason]
    if not e.results:
        return False, ["no scores"]
    if c.over == "average":
        average = sum((r.percent for r in e.results), Fraction(0)) / len(e.results)
        ok, reason = fact("average score", average)
        return ok, [reason]
    if c.over == "best":
        best = max(e.results, key=lambda r: r.percent)
        ok, reason = fact("best score", best.percent, f" in {best.assessment_id}")
        return ok, [reason]
    facts = [fact("score", r.percent, f" in {r.assessment_id}") for r in e.results]
    failed = [reason for ok, reason in facts if not ok]
    return not failed, failed or [reason for _, reason in facts]


_NEGATED = {">=": "<", ">": "<=", "=": "≠", "<=": ">", "<": ">="}


def _shown(value: Fraction) -> str:
    """A percentage as people write it (54, 72.5), cut short with "…" when it does not end
    (2/3 of the marks is 66.666…): never rounded up, so a shown fail never looks like a pass."""
    scaled = value * 1000
    text = format((Decimal(math.floor(scaled)) / 1000).normalize(), "f")
    return text if scaled.denominator == 1 else text + "…"
