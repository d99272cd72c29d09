"""The criteria builder's read model on a real database: what a batch's enrolments hold, who
criteria would award (counted and sampled), and conditions nobody's data can meet."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.domain.criteria import parse_criteria
from certmint.services.errors import NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.criteria_builder import editable, survey_batch
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_row, scenario

EXTRA = ["score:final", "score:quiz", "attr:country"]


def _batch(uow: SqlAlchemyUnitOfWork, signing: Signing) -> Scenario:
    rows = [
        enrolment_row("L1", name="Asha Rao", **{"score:final": "85", "attr:country": "IN"}),
        enrolment_row("L2", name="Vikram Nair", **{"score:final": "54", "attr:country": "NP"}),
        enrolment_row(
            "L3", name="Meena Das", status="in_progress", completed_on="", **{"score:quiz": "3/4"}
        ),
        enrolment_row("L4", name="Ravi Kumar", completed_on="2026-06-30", **{"attr:country": "IN"}),
    ]
    return scenario(uow, signing, rows, extra=EXTRA)


def test_the_survey_holds_what_the_imports_brought(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = _batch(uow, signing)
    admin = Principal(s.organisation.id, Role.ADMIN)
    found = survey_batch(uow, admin, s.batch_id)
    held = found.survey.holdings
    assert (found.learners, held.learners, held.completed, found.complete) == (4, 4, 3, True)
    assert {a: (x.learners, x.lowest, x.highest) for a, x in held.assessments.items()} == {
        "final": (2, 54, 85),
        "quiz": (1, 75, 75),
    }
    assert held.values_of("country", 10) == [("IN", 2), ("NP", 1)]
    assert (held.first_completed, held.last_completed) == (date(2026, 5, 1), date(2026, 6, 30))
    assert found.survey.qualify == 0 and found.warnings == []  # no criteria: nothing counted


def test_criteria_are_counted_and_sampled_each_way(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = _batch(uow, signing)
    admin = Principal(s.organisation.id, Role.ADMIN)
    merit = parse_criteria(
        {"all": [{"completed": True}, {"score": {"assessment": "final", ">=": 60}}]}
    )
    found = survey_batch(uow, admin, s.batch_id, merit)
    assert found.survey.qualify == 1 and found.survey.meets == [3, 1]
    assert [learner.name for learner, _ in found.survey.awarded] == ["Asha Rao"]
    refused = {learner.name: list(map(str, d.reasons)) for learner, d in found.survey.refused}
    assert refused == {
        "Vikram Nair": ["score 54 < 60 in final"],
        "Meena Das": ["not completed (in_progress)", "no score in final"],
        "Ravi Kumar": ["no score in final"],
    }
    assert found.warnings == []


def test_a_misspelt_assessment_is_a_warning_and_nobody_qualifies(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = _batch(uow, signing)
    admin = Principal(s.organisation.id, Role.ADMIN)
    typo = parse_criteria({"score": {"assessment": "finl", ">=": 60}})
    found = survey_batch(uow, admin, s.batch_id, typo)
    assert found.survey.qualify == 0
    assert list(map(str, found.warnings)) == [
        "no learner has a score in finl; the imports hold final, quiz"
    ]


def test_a_big_batch_is_read_up_to_the_limit(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = _batch(uow, signing)
    admin = Principal(s.organisation.id, Role.ADMIN)
    found = survey_batch(uow, admin, s.batch_id, parse_criteria({"completed": True}), limit=3)
    assert (found.learners, found.survey.learners, found.complete) == (4, 3, False)


def test_only_managers_of_the_course_see_it(uow: SqlAlchemyUnitOfWork, signing: Signing) -> None:
    s = _batch(uow, signing)
    outsider = Principal(s.organisation.id, Role.COURSE_MANAGER, course_ids=frozenset({uuid4()}))
    with pytest.raises(NotFound):
        survey_batch(uow, outsider, s.batch_id)
    with pytest.raises(NotFound):
        editable(uow, outsider, s.achievement_id)


def test_an_achievement_is_editable_until_it_awards(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = _batch(uow, signing)
    admin = Principal(s.organisation.id, Role.ADMIN)
    before = editable(uow, admin, s.achievement_id)
    assert (before.achievement.name, before.batch.id, before.issued) == (
        "Completion",
        s.batch_id,
        0,
    )
    issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id, actor="t"))
    assert editable(uow, admin, s.achievement_id).issued == 3
