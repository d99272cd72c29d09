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

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from certmint.domain.courses import Enrolment, EnrolmentStatus, Learner
from certmint.domain.messages import ENGLISH, N_, Joined, Language, Message, Sentence, Value

__all__ = [
    "COMPARISONS",
    "All",
    "Any_",
    "Attribute",
    "Completed",
    "CompletedBetween",
    "CriteriaError",
    "CriteriaProblem",
    "Criterion",
    "Decision",
    "Not",
    "Score",
    "describe",
    "evaluate",
    "parse_criteria",
    "phrase",
    "sentence",
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
# "at least 60%": a comparison and its percentage, as one phrase (word order differs by language).
_AMOUNTS = {
    ">=": N_("at least %(percent)s%%"),
    ">": N_("more than %(percent)s%%"),
    "=": N_("exactly %(percent)s%%"),
    "<=": N_("at most %(percent)s%%"),
    "<": N_("less than %(percent)s%%"),
}
MAX_DEPTH = 8
MAX_NODES = 200


@dataclass(frozen=True, slots=True)
class CriteriaProblem:
    """One reason criteria cannot be used, at its JSON path (``$`` is the whole document)."""

    path: str
    message: Message

    def render(self, language: Language = ENGLISH) -> str:
        return f"{self.path}: {self.message.render(language)}"

    def __str__(self) -> str:
        return self.render()


class CriteriaError(ValueError):
    """Criteria that cannot be used; ``problems`` names each one with its JSON path."""

    def __init__(self, problems: Sequence[CriteriaProblem]) -> None:
        super().__init__("; ".join(map(str, problems)))
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
    """Whether a learner is awarded, and why (or why not): each reason a fact that decided it."""

    awarded: bool
    reasons: tuple[Message, ...]


# --- parsing -------------------------------------------------------------------------------


def parse_criteria(document: Any) -> Criterion:
    """Validate criteria JSON (ours or Sunbird's) into a ``Criterion``; raises ``CriteriaError``."""
    problems: list[CriteriaProblem] = []
    budget = [MAX_NODES]
    if isinstance(document, Mapping) and set(document) & {"enrollment", "assessment", "user"}:
        document = _from_sunbird(document, problems)
    criterion = _parse(document, "$", problems, 0, budget)
    if problems or criterion is None:
        raise CriteriaError(problems or [CriteriaProblem("$", Message("no criteria given"))])
    return criterion


def _parse(
    node: Any, path: str, problems: list[CriteriaProblem], depth: int, budget: list[int]
) -> Criterion | None:
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        problems.append(
            CriteriaProblem(
                path,
                Message(
                    "criteria are too large (at most %(nodes)s conditions, nested %(depth)s deep)",
                    nodes=MAX_NODES,
                    depth=MAX_DEPTH,
                ),
            )
        )
        return None
    if not isinstance(node, Mapping) or len(node) != 1:
        known = Joined.of(sorted(_PARSERS))
        problems.append(
            CriteriaProblem(
                path, Message("expected an object with exactly one of: %(known)s", known=known)
            )
        )
        return None
    ((kind, body),) = node.items()
    parser = _PARSERS.get(kind)
    if parser is None:
        problems.append(
            CriteriaProblem(
                path,
                Message(
                    "unknown condition %(kind)s; known: %(known)s",
                    kind=repr(kind),
                    known=Joined.of(sorted(_PARSERS)),
                ),
            )
        )
        return None
    return parser(body, f"{path}.{kind}", problems, depth, budget)


def _completed(body: Any, path: str, problems: list[CriteriaProblem], *_: Any) -> Criterion | None:
    if body is not True:
        problems.append(CriteriaProblem(path, Message("must be true")))
        return None
    return Completed()


def _score(body: Any, path: str, problems: list[CriteriaProblem], *_: Any) -> Criterion | None:
    if not isinstance(body, Mapping):
        problems.append(
            CriteriaProblem(
                path, Message('expected an object like {"assessment": "final", ">=": 60}')
            )
        )
        return None
    comparisons = [k for k in body if k in COMPARISONS]
    unknown = sorted(set(body) - set(COMPARISONS) - {"assessment", "over"})
    if unknown:
        problems.append(
            CriteriaProblem(path, Message("unknown field(s) %(fields)s", fields=Joined.of(unknown)))
        )
    if len(comparisons) != 1:
        problems.append(
            CriteriaProblem(
                path,
                Message(
                    "give exactly one comparison of %(comparisons)s",
                    comparisons=Joined.of(COMPARISONS),
                ),
            )
        )
        return None
    comparison = comparisons[0]
    value = _percent(body[comparison], f"{path}.{comparison}", problems)
    assessment = body.get("assessment")
    over = body.get("over", "best")
    if assessment is not None and (not isinstance(assessment, str) or not assessment):
        problems.append(CriteriaProblem(f"{path}.assessment", Message("must be an assessment id")))
    if "over" in body and assessment is not None:
        problems.append(
            CriteriaProblem(path, Message("give either an assessment or over, not both"))
        )
    if over not in ("best", "average", "every"):
        problems.append(CriteriaProblem(f"{path}.over", Message("must be best, average or every")))
    if value is None or problems:
        return None
    return Score(comparison, value, assessment, over)


def _percent(raw: Any, path: str, problems: list[CriteriaProblem]) -> Fraction | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        problems.append(CriteriaProblem(path, Message("must be a number from 0 to 100")))
        return None
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        problems.append(CriteriaProblem(path, Message("must be a number from 0 to 100")))
        return None
    if not 0 <= value <= 100:
        problems.append(
            CriteriaProblem(path, Message("%(value)s is outside 0 to 100", value=str(raw)))
        )
        return None
    return value


def _attribute(body: Any, path: str, problems: list[CriteriaProblem], *_: Any) -> Criterion | None:
    if not isinstance(body, Mapping) or not isinstance(body.get("key"), str) or not body["key"]:
        problems.append(
            CriteriaProblem(
                path, Message('expected {"key": ..., "equals": ...} or {"key": ..., "in": [...]}')
            )
        )
        return None
    if ("equals" in body) == ("in" in body) or set(body) - {"key", "equals", "in"}:
        problems.append(
            CriteriaProblem(path, Message("give the key and exactly one of equals or in"))
        )
        return None
    values = [body["equals"]] if "equals" in body else body["in"]
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        problems.append(
            CriteriaProblem(path, Message("values must be text (in: a non-empty list of text)"))
        )
        return None
    return Attribute(body["key"], tuple(values))


def _completed_between(
    body: Any, path: str, problems: list[CriteriaProblem], *_: Any
) -> Criterion | None:
    if not isinstance(body, Mapping) or not set(body) <= {"from", "to"} or not body:
        problems.append(
            CriteriaProblem(path, Message('expected {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}'))
        )
        return None
    bounds: dict[str, date | None] = {"from": None, "to": None}
    for name in body:
        try:
            bounds[name] = date.fromisoformat(body[name])
        except (TypeError, ValueError):
            problems.append(
                CriteriaProblem(
                    f"{path}.{name}",
                    Message("%(value)s is not a date (YYYY-MM-DD)", value=repr(body[name])),
                )
            )
    start, end = bounds["from"], bounds["to"]
    if start and end and start > end:
        problems.append(
            CriteriaProblem(
                path,
                Message("from %(start)s is after to %(end)s", start=str(start), end=str(end)),
            )
        )
    if problems:
        return None
    return CompletedBetween(start, end)


def _combinator(kind: type[All] | type[Any_]) -> Callable[..., Criterion | None]:
    def parse(
        body: Any, path: str, problems: list[CriteriaProblem], depth: int, budget: list[int]
    ) -> Criterion | None:
        if not isinstance(body, list) or not body:
            problems.append(
                CriteriaProblem(path, Message("expected a non-empty list of conditions"))
            )
            return None
        items = [
            _parse(item, f"{path}[{i}]", problems, depth + 1, budget) for i, item in enumerate(body)
        ]
        if any(item is None for item in items):
            return None
        return kind(tuple(item for item in items if item is not None))

    return parse


def _not(
    body: Any, path: str, problems: list[CriteriaProblem], depth: int, budget: list[int]
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


def _from_sunbird(document: Mapping[str, Any], problems: list[CriteriaProblem]) -> Any:
    """Sunbird's ``{"enrollment", "assessment", "user"}`` form, as our language."""
    unknown = sorted(set(document) - {"enrollment", "assessment", "user"})
    if unknown:
        problems.append(
            CriteriaProblem(
                "$",
                Message("unknown Sunbird criteria field(s) %(fields)s", fields=Joined.of(unknown)),
            )
        )
    conditions: list[Any] = []
    enrollment = document.get("enrollment")
    if enrollment is not None:
        if enrollment != {"status": _SUNBIRD_STATUS_COMPLETED}:
            problems.append(
                CriteriaProblem(
                    "$.enrollment", Message('only {"status": 2} (completed) is supported')
                )
            )
        conditions.append({"completed": True})
    assessment = document.get("assessment")
    if assessment is not None:
        score = assessment.get("score") if isinstance(assessment, Mapping) else None
        if not isinstance(score, Mapping):
            problems.append(
                CriteriaProblem("$.assessment", Message('expected {"score": {">=": N}}'))
            )
        else:
            conditions.append({"score": {"over": "best", **score}})
    user = document.get("user")
    if user is not None:
        if not isinstance(user, Mapping) or not user:
            problems.append(
                CriteriaProblem("$.user", Message("expected an object of attribute values"))
            )
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


def describe(criterion: Criterion, language: Language = ENGLISH) -> str:
    """A readable sentence. In English (the default) it is the credential's criteria narrative,
    signed data that must not change; the pages show it in their own language."""
    return sentence(criterion).render(language)


def sentence(criterion: Criterion) -> Sentence:
    """The criteria's sentence, to be shown in any language (``describe`` writes it)."""
    return Sentence(_phrase(criterion))


def phrase(criterion: Criterion) -> Message:
    """The criteria as a phrase to put inside another sentence (no capital, no full stop):
    data such as an assessment's name keeps its own spelling."""
    return _phrase(criterion)


def _phrase(criterion: Criterion) -> Message:
    match criterion:
        case Completed():
            return Message("completed the course")
        case Score(comparison, value, assessment, over):
            amount = Message(_AMOUNTS[comparison], percent=_number(value))
            if assessment:
                return Message(
                    "scored %(amount)s in %(assessment)s", amount=amount, assessment=assessment
                )
            if over == "average":
                return Message("averaged %(amount)s across assessments", amount=amount)
            if over == "every":
                return Message("scored %(amount)s in every assessment", amount=amount)
            return Message("scored %(amount)s in an assessment", amount=amount)
        case Attribute(key, (value,)):
            return Message("has %(key)s %(value)s", key=key, value=value)
        case Attribute(key, values):
            return Message("has %(key)s one of %(values)s", key=key, values=Joined(values))
        case CompletedBetween(start, end):
            if start and end:
                return Message(
                    "completed between %(start)s and %(end)s", start=str(start), end=str(end)
                )
            if start:
                return Message("completed on or after %(start)s", start=str(start))
            return Message("completed on or before %(end)s", end=str(end))
        case All(items):
            return _join([_phrase(item) for item in items], N_("%(conditions)s and %(last)s"))
        case Any_(items):
            choices = _join([_phrase(item) for item in items], N_("%(conditions)s or %(last)s"))
            return Message("either %(choices)s", choices=choices)
        case Not(item):
            return Message("not (%(condition)s)", condition=_phrase(item))
    raise TypeError(criterion)


def _join(parts: list[Message], pattern: str) -> Message:
    """``a, b and c`` (``pattern`` is the last link: one of the two texts ``_phrase`` gives)."""
    if len(parts) == 1:
        return parts[0]
    return Message(pattern, conditions=Joined(tuple(parts[:-1])), last=parts[-1])


# --- evaluation ----------------------------------------------------------------------------


def evaluate(criterion: Criterion, enrolment: Enrolment, learner: Learner) -> Decision:
    """Decide one learner; every reason is a plain statement of a fact that decided it."""
    met, reasons = _check(criterion, enrolment, learner)
    return Decision(met, tuple(reasons))


_NOT_COMPLETED = {
    EnrolmentStatus.ENROLLED: Message("not completed (enrolled)"),
    EnrolmentStatus.IN_PROGRESS: Message("not completed (in_progress)"),
}


def _check(c: Criterion, e: Enrolment, learner: Learner) -> tuple[bool, list[Message]]:
    match c:
        case Completed():
            done = e.status is EnrolmentStatus.COMPLETED
            return done, [Message("completed") if done else _NOT_COMPLETED[e.status]]
        case Score():
            return _check_score(c, e)
        case Attribute(key, values):
            actual = learner.attributes.get(key)
            if actual is None:
                return False, [Message("no %(key)s attribute", key=key)]
            if actual in values:
                return True, [Message("%(key)s is %(actual)s", key=key, actual=actual)]
            expected: Value = values[0]
            for value in values[1:]:  # "IN or NP or LK"
                expected = Message("%(one)s or %(other)s", one=expected, other=value)
            return False, [
                Message(
                    "%(key)s is %(actual)s, not %(expected)s",
                    key=key,
                    actual=actual,
                    expected=expected,
                )
            ]
        case CompletedBetween(start, end):
            if e.status is not EnrolmentStatus.COMPLETED or e.completed_on is None:
                return False, [Message("no completion date")]
            day = e.completed_on
            if (start is None or day >= start) and (end is None or day <= end):
                return True, [Message("completed on %(day)s", day=str(day))]
            return False, [
                Message(
                    "completed on %(day)s, outside %(start)s to %(end)s",
                    day=str(day),
                    start=str(start or "…"),
                    end=str(end or "…"),
                )
            ]
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


def _check_score(c: Score, e: Enrolment) -> tuple[bool, list[Message]]:
    compare = COMPARISONS[c.comparison]

    def fact(text: str, actual: Fraction, **where: str) -> tuple[bool, Message]:
        ok = compare(actual, c.value)
        relation = c.comparison if ok else _NEGATED[c.comparison]
        return ok, Message(text, actual=actual, relation=relation, required=c.value, **where)

    if c.assessment is not None:
        result = e.result(c.assessment)
        if result is None:
            return False, [Message("no score in %(assessment)s", assessment=c.assessment)]
        ok, reason = fact(
            N_("score %(actual)s %(relation)s %(required)s in %(assessment)s"),
            result.percent,
            assessment=c.assessment,
        )
        return ok, [reason]
    if not e.results:
        return False, [Message("no scores")]
    if c.over == "average":
        average = sum((r.percent for r in e.results), Fraction(0)) / len(e.results)
        ok, reason = fact(N_("average score %(actual)s %(relation)s %(required)s"), average)
        return ok, [reason]
    if c.over == "best":
        best = max(e.results, key=lambda r: r.percent)
        ok, reason = fact(
            N_("best score %(actual)s %(relation)s %(required)s in %(assessment)s"),
            best.percent,
            assessment=best.assessment_id,
        )
        return ok, [reason]
    facts = [
        fact(
            N_("score %(actual)s %(relation)s %(required)s in %(assessment)s"),
            r.percent,
            assessment=r.assessment_id,
        )
        for r in e.results
    ]
    failed = [reason for ok, reason in facts if not ok]
    return not failed, failed or [reason for _, reason in facts]


_NEGATED = {">=": "<", ">": "<=", "=": "≠", "<=": ">", "<": ">="}
