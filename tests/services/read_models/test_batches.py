from __future__ import annotations

from uuid import uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.achievements import add_achievement
from certmint.services.errors import InvalidInput, NotFound
from certmint.services.issuers.signing import Signing
from certmint.services.read_models.batch_page import (
    batch_dry_run,
    batch_view,
    criteria_from_text,
    describe_criteria,
)
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_row, scenario


def test_criteria_text_errors_say_where() -> None:
    with pytest.raises(InvalidInput) as caught:
        criteria_from_text('{"completed": tru}')
    assert list(map(str, caught.value.problems)) == [
        "$: not valid JSON: a value is missing or misspelt (true, false, a number, text in "
        'double quotes, {...} or [...]), at line 1, column 15 (at ▶ in …completed": ▶tru})'
    ]
    with pytest.raises(InvalidInput) as caught:
        criteria_from_text('{"all": [{"completed": true} {"score": {}}]}')
    assert list(map(str, caught.value.problems)) == [
        "$: not valid JSON: a comma between two items, or a closing bracket, is missing, at "
        'line 1, column 30 (at ▶ in …ted": true} ▶{"score": {}…)'
    ]
    with pytest.raises(InvalidInput) as caught:
        describe_criteria({"any": [{"completed": True}, {"score": {">=": 101}}]})
    assert any(str(p).startswith("$.any[1].score") for p in caught.value.problems)
    assert str(describe_criteria({"completed": True})) == "Completed the course."


def test_batch_view_attach_and_dry_run_within_scope(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> None:
    s = scenario(
        uow, signing, [enrolment_row("L1"), enrolment_row("L2", status="enrolled", completed_on="")]
    )
    admin = Principal(s.organisation.id, Role.ADMIN)
    view = batch_view(uow, admin, s.batch_id)
    assert view.learners == 2
    (award,) = view.awards
    assert (award.achievement.name, str(award.sentence), award.issued) == (
        "Completion",
        "Completed the course.",
        0,
    )
    assert award.template == "Certificate v1"
    assert [v.id for _, v in view.published] == [s.template_version_id]

    merit = add_achievement(
        uow,
        admin,
        batch_id=s.batch_id,
        template_version_id=s.template_version_id,
        name="Merit",
        criteria={"not": {"completed": True}},
    )
    run = batch_dry_run(uow, admin, merit.id)
    assert str(run.sentence) == "Not (completed the course)."
    assert (run.would_award, run.already_held, run.not_awarded) == (1, 0, 1)
    assert run.complete and not run.more and len(run.rows) == 2
    first = batch_dry_run(uow, admin, merit.id, limit=1)
    assert first.more and len(first.rows) == 1 and first.counted == 2

    outsider = Principal(s.organisation.id, Role.COURSE_MANAGER, course_ids=frozenset({uuid4()}))
    for call in (
        lambda: batch_view(uow, outsider, s.batch_id),
        lambda: batch_dry_run(uow, outsider, merit.id),
        lambda: add_achievement(
            uow,
            outsider,
            batch_id=s.batch_id,
            template_version_id=s.template_version_id,
            name="X",
            criteria={"completed": True},
        ),
    ):
        with pytest.raises(NotFound):
            call()
