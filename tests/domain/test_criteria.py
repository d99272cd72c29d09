from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certmint.domain.courses import AssessmentResult, Enrolment, EnrolmentStatus, Learner
from certmint.domain.criteria import (
    All,
    Any_,
    Attribute,
    Completed,
    CriteriaError,
    Criterion,
    Not,
    Score,
    describe,
    evaluate,
    parse_criteria,
    to_json,
)


def enrolment(
    status: str = "completed",
    completed_on: date | None = date(2026, 5, 1),
    **scores: str,
) -> Enrolment:
    results = tuple(
        AssessmentResult(k, *(Fraction(x) for x in (v.split("/") if "/" in v else (v, "100"))))
        for k, v in sorted(scores.items())
    )
    return Enrolment(
        id=uuid.uuid4(),
        batch_id=uuid.uuid4(),
        learner_id=uuid.uuid4(),
        status=EnrolmentStatus(status),
        completed_on=completed_on if status == "completed" else None,
        results=results,
    )


def learner(**attributes: str) -> Learner:
    return Learner(uuid.uuid4(), uuid.uuid4(), "L1", "Ann", None, attributes)


def decide(
    criteria: Any, e: Enrolment | None = None, lr: Learner | None = None
) -> tuple[bool, tuple[str, ...]]:
    """The decision and its reasons in English (``str``: how the CLI and the API write them)."""
    d = evaluate(parse_criteria(criteria), e or enrolment(), lr or learner())
    return d.awarded, tuple(map(str, d.reasons))


# --- each rule -----------------------------------------------------------------------------


def test_completed() -> None:
    assert decide({"completed": True}) == (True, ("completed",))
    assert decide({"completed": True}, enrolment("in_progress")) == (
        False,
        ("not completed (in_progress)",),
    )


@pytest.mark.parametrize(
    ("comparison", "score", "awarded", "reason"),
    [
        (">=", "60", True, "score 60 >= 60 in final"),
        (">=", "54", False, "score 54 < 60 in final"),
        (">", "60", False, "score 60 <= 60 in final"),
        ("=", "60", True, "score 60 = 60 in final"),
        ("=", "61", False, "score 61 ≠ 60 in final"),
        ("<=", "60", True, "score 60 <= 60 in final"),
        ("<", "60", False, "score 60 >= 60 in final"),
        (">=", "3/5", True, "score 60 >= 60 in final"),
        (">=", "2/3", True, "score 66.666… >= 60 in final"),
        (">=", "29/40", True, "score 72.5 >= 60 in final"),
    ],
)
def test_score_on_one_assessment(comparison: str, score: str, awarded: bool, reason: str) -> None:
    criteria = {"score": {"assessment": "final", comparison: 60}}
    assert decide(criteria, enrolment(final=score)) == (awarded, (reason,))


def test_score_is_exact_not_rounded() -> None:
    criteria = {"score": {"assessment": "q", ">=": 66.67}}
    assert decide(criteria, enrolment(q="2/3")) == (False, ("score 66.666… < 66.67 in q",))


def test_missing_score_is_not_a_pass() -> None:
    assert decide({"score": {"assessment": "final", "<": 50}}, enrolment()) == (
        False,
        ("no score in final",),
    )
    assert decide({"score": {"over": "best", ">=": 0}}, enrolment()) == (False, ("no scores",))


def test_score_over_all_assessments() -> None:
    e = enrolment(a="40", b="90", c="80")
    assert decide({"score": {"over": "best", ">=": 85}}, e) == (True, ("best score 90 >= 85 in b",))
    assert decide({"score": {"over": "average", ">=": 70}}, e) == (
        True,
        ("average score 70 >= 70",),
    )
    assert decide({"score": {"over": "average", ">": 70}}, e) == (
        False,
        ("average score 70 <= 70",),
    )
    assert decide({"score": {"over": "every", ">=": 50}}, e) == (False, ("score 40 < 50 in a",))
    assert decide({"score": {"over": "every", ">=": 40}}, e)[0] is True


def test_attribute_equals_and_in() -> None:
    assert decide({"attribute": {"key": "country", "equals": "IN"}}, lr=learner(country="IN")) == (
        True,
        ("country is IN",),
    )
    assert decide(
        {"attribute": {"key": "country", "in": ["IN", "NP"]}}, lr=learner(country="DE")
    ) == (
        False,
        ("country is DE, not IN or NP",),
    )
    assert decide({"attribute": {"key": "country", "equals": "IN"}}) == (
        False,
        ("no country attribute",),
    )


def test_completed_between() -> None:
    window = {"completed_between": {"from": "2026-01-01", "to": "2026-06-30"}}
    assert decide(window) == (True, ("completed on 2026-05-01",))
    late = enrolment(completed_on=date(2026, 7, 1))
    assert decide(window, late) == (
        False,
        ("completed on 2026-07-01, outside 2026-01-01 to 2026-06-30",),
    )
    assert decide({"completed_between": {"to": "2026-06-30"}}, late)[0] is False
    assert decide(window, enrolment("in_progress")) == (False, ("no completion date",))


def test_combinators() -> None:
    merit = {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 80}}]}
    assert decide(merit, enrolment(final="85")) == (True, ("completed", "score 85 >= 80 in final"))
    assert decide(merit, enrolment("in_progress", final="50")) == (
        False,
        ("not completed (in_progress)", "score 50 < 80 in final"),
    )
    either = {
        "any": [{"score": {"assessment": "a", ">=": 90}}, {"score": {"assessment": "b", ">=": 90}}]
    }
    assert decide(either, enrolment(a="10", b="95")) == (True, ("score 95 >= 90 in b",))
    assert decide(
        {"not": {"attribute": {"key": "staff", "equals": "yes"}}}, lr=learner(staff="no")
    )[0]


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "problem"),
    [
        (
            {},
            "$: expected an object with exactly one of: all, any, attribute, completed, completed_between, not, score",
        ),
        ({"passed": True}, "$: unknown condition 'passed'"),
        ({"completed": "yes"}, "$.completed: must be true"),
        (
            {"score": {"assessment": "final"}},
            "$.score: give exactly one comparison of >=, >, =, <=, <",
        ),
        ({"score": {"assessment": "final", ">=": 120}}, "$.score.>=: 120 is outside 0 to 100"),
        (
            {"score": {"assessment": "final", ">=": "sixty"}},
            "$.score.>=: must be a number from 0 to 100",
        ),
        ({"score": {"over": "median", ">=": 50}}, "$.score.over: must be best, average or every"),
        (
            {"score": {"over": "best", "assessment": "x", ">=": 50}},
            "$.score: give either an assessment or over, not both",
        ),
        (
            {"attribute": {"key": "country"}},
            "$.attribute: give the key and exactly one of equals or in",
        ),
        ({"attribute": {"key": "country", "in": []}}, "$.attribute: values must be text"),
        (
            {"completed_between": {"from": "2026-13-01"}},
            "$.completed_between.from: '2026-13-01' is not a date",
        ),
        (
            {"completed_between": {"from": "2026-06-01", "to": "2026-01-01"}},
            "$.completed_between: from 2026-06-01 is after to 2026-01-01",
        ),
        ({"all": []}, "$.all: expected a non-empty list of conditions"),
        ({"all": [{"completed": True}, {"bogus": 1}]}, "$.all[1]: unknown condition 'bogus'"),
    ],
)
def test_invalid_criteria_are_named_by_path(criteria: Any, problem: str) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(criteria)
    assert any(str(p).startswith(problem) for p in caught.value.problems), caught.value.problems


def test_hostile_nesting_is_bounded() -> None:
    deep: Any = {"completed": True}
    for _ in range(50):
        deep = {"not": deep}
    with pytest.raises(CriteriaError, match="too large"):
        parse_criteria(deep)
    wide = {"any": [{"completed": True}] * 1000}
    with pytest.raises(CriteriaError, match="too large"):
        parse_criteria(wide)


# --- Sunbird form --------------------------------------------------------------------------


def test_sunbird_form_is_translated() -> None:
    sunbird = {
        "enrollment": {"status": 2},
        "assessment": {"score": {">=": 60}},
        "user": {"rootOrgId": "ORG_001"},
    }
    criterion = parse_criteria(sunbird)
    assert criterion == All(
        (Completed(), Score(">=", Fraction(60), None, "best"), Attribute("rootOrgId", ("ORG_001",)))
    )
    assert decide(sunbird, enrolment(final="72"), learner(rootOrgId="ORG_001"))[0] is True
    assert decide(sunbird, enrolment(final="54"), learner(rootOrgId="ORG_001")) == (
        False,
        ("best score 54 < 60 in final",),
    )
    assert parse_criteria({"enrollment": {"status": 2}}) == Completed()


def test_sunbird_unsupported_status_is_an_error() -> None:
    with pytest.raises(CriteriaError, match="only"):
        parse_criteria({"enrollment": {"status": 1}})


# --- sentences and round trips -------------------------------------------------------------


@pytest.mark.parametrize(
    ("criteria", "sentence"),
    [
        ({"completed": True}, "Completed the course."),
        (
            {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 80}}]},
            "Completed the course and scored at least 80% in final.",
        ),
        ({"score": {"over": "average", ">": 70.5}}, "Averaged more than 70.5% across assessments."),
        ({"score": {"over": "every", ">=": 50}}, "Scored at least 50% in every assessment."),
        (
            {
                "any": [
                    {"attribute": {"key": "country", "in": ["IN", "NP"]}},
                    {"completed_between": {"from": "2026-01-01"}},
                ]
            },
            "Either has country one of IN, NP or completed on or after 2026-01-01.",
        ),
    ],
)
def test_describe(criteria: Any, sentence: str) -> None:
    assert describe(parse_criteria(criteria)) == sentence


leaf = st.one_of(
    st.just({"completed": True}),
    st.builds(
        lambda a, op, v: {"score": {"assessment": a, op: v}},
        st.text("abcdef_", min_size=1, max_size=5),
        st.sampled_from([">=", ">", "=", "<=", "<"]),
        st.integers(0, 100),
    ),
    st.builds(
        lambda over, v: {"score": {"over": over, ">=": v}},
        st.sampled_from(["best", "average", "every"]),
        st.integers(0, 100),
    ),
    st.builds(
        lambda k, vs: (
            {"attribute": {"key": k, "in": vs}}
            if len(vs) > 1
            else {"attribute": {"key": k, "equals": vs[0]}}
        ),
        st.text("xyz", min_size=1, max_size=3),
        st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=3),
    ),
)
criteria_json = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda x: {"not": x}, inner),
    ),
    max_leaves=8,
)


@given(criteria_json)
def test_canonical_json_round_trips(document: dict[str, Any]) -> None:
    criterion = parse_criteria(document)
    assert to_json(criterion) == document
    assert parse_criteria(to_json(criterion)) == criterion
    assert describe(criterion).endswith(".")


def _narrative_as_first_written(c: Criterion) -> str:
    """The sentence as ``describe`` wrote it before it took a language (f-strings), kept here
    as the oracle: signed credentials carry it, so its English must never change."""
    words = {">=": "at least", ">": "more than", "=": "exactly", "<=": "at most", "<": "less than"}

    def phrase(c: Criterion) -> str:
        match c:
            case Completed():
                return "completed the course"
            case Score(comparison, value, assessment, over):
                number = int(value) if value.denominator == 1 else float(value)
                amount = f"{words[comparison]} {number}%"
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
            case All(items):
                return join([phrase(item) for item in items], "and")
            case Any_(items):
                return "either " + join([phrase(item) for item in items], "or")
            case Not(item):
                return f"not ({phrase(item)})"
        raise TypeError(c)

    def join(parts: list[str], word: str) -> str:
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]

    text = phrase(c)
    return text[0].upper() + text[1:] + "."


@given(criteria_json)
def test_the_english_narrative_is_unchanged(document: dict[str, Any]) -> None:
    criterion = parse_criteria(document)
    assert describe(criterion) == _narrative_as_first_written(criterion)
