from __future__ import annotations

import pytest

from certmint.domain.accounts import Principal
from certmint.rendering import Design, Signatory
from certmint.services.catalogue.achievements import add_achievement, list_achievements
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_batch, resolve_learner
from certmint.services.catalogue.templates import create_template
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation

NAMED = Design(layout="classic-1-1", signatories=(Signatory("Dr. Meera Iyer", "Director"),))


@pytest.fixture
def setup(uow: SqlAlchemyUnitOfWork) -> tuple:
    org = make_organisation(uow)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    _, batch = resolve_batch(uow, org.id, "B1")
    return org, batch


def test_attach_with_sunbird_criteria_stores_ours(uow: SqlAlchemyUnitOfWork, setup: tuple) -> None:
    org, batch = setup
    version = create_template(uow, Principal.at_shell(org.id), NAMED, publish=True)
    achievement = add_achievement(
        uow,
        Principal.at_shell(org.id),
        batch_id=batch.id,
        template_version_id=version.id,
        name="Completion",
        criteria={"enrollment": {"status": 2}, "assessment": {"score": {">=": 60}}},
    )
    assert achievement.criteria == {
        "all": [{"completed": True}, {"score": {"over": "best", ">=": 60}}]
    }
    merit = add_achievement(
        uow,
        Principal.at_shell(org.id),
        batch_id=batch.id,
        template_version_id=version.id,
        name="Merit",
        criteria={"score": {"assessment": "final", ">=": 85}},
    )
    assert [a.name for a in list_achievements(uow, org.id, batch.id)] == ["Completion", "Merit"]
    with pytest.raises(Conflict, match="already awards"):
        add_achievement(
            uow,
            Principal.at_shell(org.id),
            batch_id=batch.id,
            template_version_id=version.id,
            name="Merit",
            criteria=merit.criteria,
        )


def test_rules_for_attaching(uow: SqlAlchemyUnitOfWork, setup: tuple) -> None:
    org, batch = setup
    draft = create_template(uow, Principal.at_shell(org.id), NAMED)
    with pytest.raises(Conflict, match="draft"):
        add_achievement(
            uow,
            Principal.at_shell(org.id),
            batch_id=batch.id,
            template_version_id=draft.id,
            name="Completion",
            criteria={"completed": True},
        )
    published = create_template(uow, Principal.at_shell(org.id), NAMED, publish=True)
    with pytest.raises(InvalidInput) as caught:
        add_achievement(
            uow,
            Principal.at_shell(org.id),
            batch_id=batch.id,
            template_version_id=published.id,
            name=" ",
            criteria={"score": {">=": 500}},
            valid_for_days=0,
        )
    assert list(map(str, caught.value.problems)) == [
        "$.score.>=: 500 is outside 0 to 100",
        "name: an achievement needs a name",
        "valid_for_days: must be from 1 to 36600",
    ]
    two = tuple(
        Signatory(f"{{{{signatory.{n}.name}}}}", f"{{{{signatory.{n}.designation}}}}")
        for n in (1, 2)
    )
    placeholders = create_template(
        uow, Principal.at_shell(org.id), Design(layout="classic-1-2", signatories=two), publish=True
    )
    with pytest.raises(InvalidInput) as missing:
        add_achievement(
            uow,
            Principal.at_shell(org.id),
            batch_id=batch.id,
            template_version_id=placeholders.id,
            name="Completion",
            criteria={"completed": True},
            signatories=[("Only One", "Director")],
        )
    assert "prints 2 signatory placeholder(s)" in str(missing.value.problems[0])
    ok = add_achievement(
        uow,
        Principal.at_shell(org.id),
        batch_id=batch.id,
        template_version_id=placeholders.id,
        name="Completion",
        criteria={"completed": True},
        signatories=[("A", "Director"), ("B", "Dean")],
    )
    assert ok.signatories == (("A", "Director"), ("B", "Dean"))


def test_ids_from_another_organisation(uow: SqlAlchemyUnitOfWork, setup: tuple) -> None:
    org, batch = setup
    other = make_organisation(uow, "Other")
    theirs = create_template(uow, Principal.at_shell(other.id), NAMED, publish=True)
    with pytest.raises(NotFound):
        add_achievement(
            uow,
            Principal.at_shell(org.id),
            batch_id=batch.id,
            template_version_id=theirs.id,
            name="X",
            criteria={"completed": True},
        )
    with pytest.raises(NotFound):
        resolve_batch(uow, other.id, "B1")
    with pytest.raises(NotFound):
        resolve_learner(uow, other.id, "L1")
    assert resolve_learner(uow, org.id, "L1").external_id == "L1"
