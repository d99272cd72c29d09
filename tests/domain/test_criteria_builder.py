"""The criteria builder's rows, what a batch holds, and conditions nobody's data can meet."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certmint.domain.criteria import (
    All,
    Any_,
    Attribute,
    Completed,
    Not,
    Score,
    describe,
    parse_criteria,
    to_json,
)
from certmint.domain.criteria_builder import (
    BuildError,
    Row,
    build,
    conditions,
    rows_of,
    survey,
    warnings,
)
from tests.domain.test_criteria import enrolment, learner

MERIT = {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 80}}]}


def test_rows_make_the_criteria_they_show() -> None:
    rows = [Row("completed"), Row("score", assessment="final", comparison=">=", value="80")]
    assert to_json(build("all", rows)) == MERIT
    assert to_json(build("any", rows)) == {"any": MERIT["all"]}
    assert to_json(build("none", rows)) == {"not": {"any": MERIT["all"]}}


def test_one_row_stands_for_itself_and_not_negates_it() -> None:
    assert build("all", [Row("completed")]) == Completed()
    negated = build("all", [Row("attribute", True, choices=(("country", "IN"),))])
    assert negated == Not(Attribute("country", ("IN",)))
    assert describe(negated) == "Not (has country IN)."


def test_each_kind_of_row() -> None:
    made = build(
        "all",
        [
            Row("score", over="average", comparison=">", value="60.5"),
            Row("attribute", choices=(("country", "IN"), ("country", "NP"))),
            Row("completed_between", start="2026-01-01"),
        ],
    )
    assert to_json(made) == {
        "all": [
            {"score": {"over": "average", ">": 60.5}},
            {"attribute": {"key": "country", "in": ["IN", "NP"]}},
            {"completed_between": {"from": "2026-01-01"}},
        ]
    }


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (Row("score", assessment="final", value=""), "give the score as a number from 0 to 100"),
        (Row("score", assessment="final", value="ten"), "give the score as a number from 0 to 100"),
        (Row("score", assessment="final", value="160"), "give the score as a number from 0 to 100"),
        (Row("score", over="most", value="60"), "choose an assessment"),
        (Row("score", assessment="final", comparison="~", value="6"), "choose a comparison"),
        (Row("attribute"), "choose at least one value"),
        (
            Row("attribute", choices=(("country", "IN"), ("city", "Pune"))),
            "choose values of one attribute (another condition can check another)",
        ),
        (Row("completed_between"), "give a first day, a last day or both"),
        (Row("completed_between", start="1 May"), "'1 May' is not a date (YYYY-MM-DD)"),
        (
            Row("completed_between", start="2026-06-01", end="2026-01-01"),
            "from 2026-06-01 is after to 2026-01-01",
        ),
    ],
)
def test_a_wrong_row_is_named_by_its_number(row: Row, problem: str) -> None:
    with pytest.raises(BuildError) as caught:
        build("all", [Row("completed"), row])
    assert [(p.row, str(p.message)) for p in caught.value.problems] == [(2, problem)]


def test_no_rows_is_a_problem() -> None:
    with pytest.raises(BuildError) as caught:
        build("all", [])
    assert str(caught.value.problems[0].message) == "add at least one condition"


@pytest.mark.parametrize(
    "criteria",
    [
        {"completed": True},
        {"not": {"completed": True}},
        MERIT,
        {"any": [{"score": {"over": "every", "<": 40}}, {"not": {"completed": True}}]},
        {"not": {"any": [{"attribute": {"key": "c", "equals": "IN"}}, {"completed": True}]}},
        {"completed_between": {"from": "2026-01-01", "to": "2026-06-30"}},
        {"score": {"assessment": "final", ">=": 66.67}},
    ],
)
def test_criteria_of_the_forms_shape_round_trip_through_rows(criteria: Any) -> None:
    criterion = parse_criteria(criteria)
    shown = rows_of(criterion)
    assert shown is not None
    assert build(*shown) == criterion


@pytest.mark.parametrize(
    "criteria",
    [
        {"all": [{"completed": True}, {"any": [{"completed": True}]}]},
        {"not": {"all": [{"completed": True}, {"completed": True}]}},
        {"not": {"not": {"completed": True}}},
    ],
)
def test_deeper_criteria_stay_in_the_json_view(criteria: Any) -> None:
    assert rows_of(parse_criteria(criteria)) is None


@given(
    st.lists(
        st.one_of(
            st.builds(Row, st.just("completed"), st.booleans()),
            st.builds(
                lambda negated, assessment, comparison, value: Row(
                    "score",
                    negated,
                    assessment=assessment,
                    comparison=comparison,
                    value=str(value),
                ),
                st.booleans(),
                st.sampled_from(["final", "quiz"]),
                st.sampled_from([">=", ">", "=", "<=", "<"]),
                st.integers(0, 100),
            ),
            st.builds(
                lambda negated, values: Row(
                    "attribute", negated, choices=tuple(("k", v) for v in values)
                ),
                st.booleans(),
                st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True),
            ),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["all", "any", "none"]),
)
def test_any_rows_round_trip(rows: list[Row], match: Any) -> None:
    """What the form builds, the form shows again (one row "any" or "none" of it reads as one
    row, negated for "none")."""
    criterion = build(match, rows)
    shown = rows_of(criterion)
    assert shown is not None
    assert build(*shown) == criterion
    if len(rows) > 1:
        assert shown == (match, rows)


def _batch() -> list[tuple[Any, Any]]:
    return [
        (enrolment(final="85", quiz="17/20"), learner(country="IN")),
        (enrolment(final="54"), learner(country="NP")),
        (enrolment("in_progress", quiz="40"), learner(country="IN")),
        (enrolment(completed_on=date(2026, 6, 30)), learner()),
    ]


def test_the_survey_learns_what_the_batch_holds() -> None:
    held = survey(None, _batch(), sample=2).holdings
    assert held.learners == 4 and held.completed == 3
    assert {a: (s.learners, s.lowest, s.highest) for a, s in held.assessments.items()} == {
        "final": (2, 54, 85),
        "quiz": (2, 40, 85),
    }
    assert held.values_of("country", 5) == [("IN", 2), ("NP", 1)]
    assert (held.first_completed, held.last_completed) == (date(2026, 5, 1), date(2026, 6, 30))


def test_the_survey_counts_who_qualifies_with_a_sample_each_way() -> None:
    criterion = parse_criteria(MERIT)
    found = survey(criterion, _batch(), sample=1)
    assert found.qualify == 1 and found.learners == 4
    assert len(found.awarded) == 1 and len(found.refused) == 1
    assert [str(r) for r in found.refused[0][1].reasons] == ["score 54 < 80 in final"]
    assert list(conditions(criterion)) == [Completed(), Score(">=", 80, "final")]  # type: ignore[arg-type]
    assert found.meets == [3, 1]


def test_one_condition_is_counted_once() -> None:
    found = survey(parse_criteria({"completed": True}), _batch(), sample=0)
    assert found.qualify == 3 and found.meets == [3]


def test_a_misspelt_assessment_attribute_or_value_is_a_warning() -> None:
    held = survey(None, _batch(), sample=0).holdings
    criterion = parse_criteria(
        {
            "all": [
                {"score": {"assessment": "finl", ">=": 60}},
                {"not": {"attribute": {"key": "contry", "equals": "IN"}}},
                {"attribute": {"key": "country", "in": ["In", "LK"]}},
                {"score": {"assessment": "final", ">=": 99}},  # nobody yet, but one day
            ]
        }
    )
    assert list(map(str, warnings(criterion, held))) == [
        "no learner has a score in finl; the imports hold final, quiz",
        "no learner has the attribute contry; the imports hold country",
        "no learner's country is In, LK; the imports hold IN, NP",
    ]


def test_a_batch_without_learners_has_nothing_to_warn_about() -> None:
    held = survey(None, [], sample=0).holdings
    assert warnings(parse_criteria({"score": {"assessment": "x", ">": 1}}), held) == []


def test_conditions_walk_groups_and_keep_a_negated_condition_whole() -> None:
    criterion = All((Completed(), Any_((Not(Completed()), Not(All((Completed(),)))))))
    assert list(conditions(criterion)) == [Completed(), Not(Completed()), Completed()]
