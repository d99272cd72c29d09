"""The policy: what each principal may do (a refusal is Forbidden), and loading by id for a
principal (out of organisation or out of scope is always NotFound)."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.domain.certificates import Certificate
from certmint.services import authorization
from certmint.services.authorization import Action
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.certificates.lifecycle import get_certificate
from certmint.services.errors import Forbidden, NotFound
from certmint.services.issuance.in_process import issue_achievement
from certmint.services.issuance.planning import IssueRequest
from certmint.services.issuers.signing import Signing
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import Scenario, enrolment_csv, enrolment_row, make_organisation, scenario

# Who may do what: the actions each kind of principal is allowed, and no others.
MAY = {
    "admin": {
        Action.WORK_WITH_COURSES,
        Action.ADMINISTER,
        Action.READ_AUDIT_LOG,
        Action.DECIDE_CORRECTIONS,
        Action.USE_OWN_ACCOUNT,
    },
    "admin token": {
        Action.WORK_WITH_COURSES,
        Action.ADMINISTER,
        Action.READ_AUDIT_LOG,
        Action.DECIDE_CORRECTIONS,
    },
    "course manager": {Action.WORK_WITH_COURSES, Action.USE_OWN_ACCOUNT},
    # The grant adds the instance's organisations, nothing inside them.
    "operator": {
        Action.WORK_WITH_COURSES,
        Action.ADMINISTER,
        Action.READ_AUDIT_LOG,
        Action.DECIDE_CORRECTIONS,
        Action.USE_OWN_ACCOUNT,
        Action.OPERATE_INSTANCE,
    },
    "operator token": {
        Action.WORK_WITH_COURSES,
        Action.ADMINISTER,
        Action.READ_AUDIT_LOG,
        Action.DECIDE_CORRECTIONS,
        Action.OPERATE_INSTANCE,
    },
    # The CLI: everything an admin token may, and the instance's organisations.
    "operator at the shell": {
        Action.WORK_WITH_COURSES,
        Action.ADMINISTER,
        Action.READ_AUDIT_LOG,
        Action.DECIDE_CORRECTIONS,
        Action.OPERATE_INSTANCE,
    },
    "learner": {
        Action.SEE_OWN_CERTIFICATES,
        Action.REQUEST_CORRECTION,
        Action.PUBLISH_PROFILE,
        Action.USE_OWN_ACCOUNT,
    },
    # Their own account, and asking: with no certificates, there is nothing to correct.
    "learner without a record": {
        Action.REQUEST_CORRECTION,
        Action.PUBLISH_PROFILE,
        Action.USE_OWN_ACCOUNT,
    },
}


def test_each_principal_may_do_its_actions_and_no_others() -> None:
    org = uuid4()
    principals = {
        "admin": Principal(org, Role.ADMIN, user_id=uuid4()),
        "admin token": Principal(org, Role.ADMIN, token_id=uuid4()),
        "course manager": Principal(
            org, Role.COURSE_MANAGER, frozenset({uuid4()}), user_id=uuid4()
        ),
        "operator": Principal(org, Role.ADMIN, user_id=uuid4(), operator=True),
        "operator token": Principal(org, Role.ADMIN, token_id=uuid4(), operator=True),
        "operator at the shell": Principal.at_shell(org),
        "learner": Principal(org, Role.LEARNER, user_id=uuid4(), learner_id=uuid4()),
        "learner without a record": Principal(org, Role.LEARNER, user_id=uuid4()),
    }
    for name, principal in principals.items():
        allowed = {a for a in Action if authorization.allows(principal, a)}
        assert allowed == MAY[name], name
        for action in set(Action) - allowed:
            with pytest.raises(Forbidden) as refused:
                authorization.require(principal, action)
            assert str(refused.value) == authorization.REFUSALS[action]


@pytest.fixture
def world(
    uow: SqlAlchemyUnitOfWork, signing: Signing
) -> tuple[Scenario, dict[str, Certificate], UUID]:
    """Course C1 with an achievement and two certificates (L1, L2), and a second course C2."""
    s = scenario(uow, signing, [enrolment_row("L1"), enrolment_row("L2")])
    issued = issue_achievement(uow, signing, IssueRequest(s.organisation.id, s.achievement_id))
    certificates = [get_certificate(uow, s.organisation.id, i) for i in issued.certificate_ids]
    by_learner = {
        external: next(c for c in certificates if c.learner_id == learner_id)
        for external, learner_id in s.learners.items()
    }
    import_enrolments(uow, s.organisation.id, enrolment_csv([enrolment_row("L3", course_id="C2")]))
    other_course = resolve_course(uow, s.organisation.id, "C2").id
    return s, by_learner, other_course


def _principals(s: Scenario, c1: UUID, c2: UUID) -> dict[str, Principal]:
    org = s.organisation.id
    return {
        "admin": Principal(org, Role.ADMIN, user_id=uuid4()),
        "manager of C1": Principal(org, Role.COURSE_MANAGER, frozenset({c1}), user_id=uuid4()),
        "manager of C2": Principal(org, Role.COURSE_MANAGER, frozenset({c2}), user_id=uuid4()),
        "learner L1": Principal(org, Role.LEARNER, user_id=uuid4(), learner_id=s.learners["L1"]),
        "other tenant's admin": Principal(uuid4(), Role.ADMIN, user_id=uuid4()),
    }


def test_who_reaches_what(
    uow: SqlAlchemyUnitOfWork, world: tuple[Scenario, dict[str, Certificate], UUID]
) -> None:
    s, certificates, c2 = world
    c1 = resolve_course(uow, s.organisation.id, "C1").id
    principals = _principals(s, c1, c2)
    objects = {
        "course C1": lambda u, p: authorization.course_for(u, p, c1),
        "batch": lambda u, p: authorization.batch_for(u, p, s.batch_id),
        "achievement": lambda u, p: authorization.achievement_for(u, p, s.achievement_id),
        "L1's certificate": lambda u, p: authorization.certificate_for(u, p, certificates["L1"].id),
        "L2's certificate": lambda u, p: authorization.certificate_for(u, p, certificates["L2"].id),
        "template": lambda u, p: authorization.template_for(u, p, _template_id(u, s)),
    }
    reachable = {
        "admin": set(objects),
        "manager of C1": set(objects),
        "manager of C2": {"template"},
        "learner L1": {"L1's certificate"},
        "other tenant's admin": set(),
    }
    for who, principal in principals.items():
        for what, load in objects.items():
            with uow:
                if what in reachable[who]:
                    assert load(uow, principal) is not None, (who, what)
                else:
                    with pytest.raises(NotFound):
                        load(uow, principal)


def test_not_found_names_the_id_that_was_asked_for(
    uow: SqlAlchemyUnitOfWork, world: tuple[Scenario, dict[str, Certificate], UUID]
) -> None:
    s, certificates, c2 = world
    outsider = Principal(s.organisation.id, Role.COURSE_MANAGER, frozenset({c2}), user_id=uuid4())
    with uow, pytest.raises(NotFound) as raised:
        authorization.certificate_for(uow, outsider, certificates["L1"].id)
    assert (raised.value.kind, raised.value.key) == ("certificate", certificates["L1"].id)
    missing = uuid4()
    with uow, pytest.raises(NotFound) as raised:
        authorization.certificate_for(uow, outsider, missing)
    assert str(raised.value) == f"certificate {missing} not found"


def test_a_learner_principal_without_a_learner_record_sees_nothing(
    uow: SqlAlchemyUnitOfWork, world: tuple[Scenario, dict[str, Certificate], UUID]
) -> None:
    s, certificates, _ = world
    unlinked = Principal(s.organisation.id, Role.LEARNER, user_id=uuid4())
    with uow, pytest.raises(NotFound):
        authorization.certificate_for(uow, unlinked, certificates["L1"].id)


def _template_id(uow: SqlAlchemyUnitOfWork, s: Scenario) -> UUID:
    found = uow.templates.get_version(s.organisation.id, s.template_version_id)
    assert found is not None
    return found[0].id


def test_learners_are_reached_through_courses(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    rows = [enrolment_row("L1"), enrolment_row("L2", course_id="C2", batch_id="B2")]
    import_enrolments(uow, org.id, enrolment_csv(rows))
    with uow:
        courses = uow.roster.courses_by_external_id(org.id, ["C1", "C2"])
        learners = uow.roster.learners_by_external_id(org.id, ["L1", "L2"])
    l1, l2 = learners["L1"].id, learners["L2"].id
    admin = Principal(org.id, Role.ADMIN)
    manager = Principal(org.id, Role.COURSE_MANAGER, course_ids=frozenset({courses["C1"].id}))
    unassigned = Principal(org.id, Role.COURSE_MANAGER)
    learner = Principal(org.id, Role.LEARNER, learner_id=l2)
    stranger = Principal(make_organisation(uow, "Elsewhere").id, Role.ADMIN)

    assert authorization.load(uow, authorization.learner_for, admin, l2).external_id == "L2"
    assert authorization.load(uow, authorization.learner_for, manager, l1).external_id == "L1"
    assert authorization.load(uow, authorization.learner_for, learner, l2).external_id == "L2"
    for who, learner_id in [
        (manager, l2),
        (unassigned, l1),
        (learner, l1),
        (stranger, l1),
        (admin, uuid4()),
    ]:
        with pytest.raises(NotFound):
            authorization.load(uow, authorization.learner_for, who, learner_id)

    assert authorization.managed_course_ids(admin) is None
    assert authorization.managed_course_ids(manager) == {courses["C1"].id}
    assert authorization.managed_course_ids(unassigned) == frozenset()
    assert authorization.managed_course_ids(learner) == frozenset()


def test_load_runs_a_loader_in_its_own_unit_of_work(uow: SqlAlchemyUnitOfWork) -> None:
    org = make_organisation(uow)
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1")]))
    with uow:
        ((course, batch),) = uow.roster.batches_by_external_id(org.id, "B1")
    assert authorization.load(
        uow, authorization.batch_for, Principal(org.id, Role.ADMIN), batch.id
    ) == (course, batch)
    with pytest.raises(NotFound):
        authorization.load(
            uow, authorization.batch_for, Principal(org.id, Role.COURSE_MANAGER), batch.id
        )


def test_a_learner_record_is_changed_only_by_who_holds_all_its_courses(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    """Seeing a learner needs one of their courses; changing the record needs all of them."""
    org = make_organisation(uow)
    rows = [
        enrolment_row("ONLY1"),
        enrolment_row("BOTH"),
        enrolment_row("BOTH", course_id="C2", batch_id="B2"),
        enrolment_row("ONLY2", course_id="C2", batch_id="B2"),
    ]
    import_enrolments(uow, org.id, enrolment_csv(rows))
    with uow:
        c = {k: v.id for k, v in uow.roster.courses_by_external_id(org.id, ["C1", "C2"]).items()}
    learner = {
        external_id: uow.roster.learners_by_external_id(org.id, [external_id])[external_id].id
        for external_id in ("ONLY1", "BOTH", "ONLY2")
    }
    ids = set(learner.values())
    manager = Principal(org.id, Role.COURSE_MANAGER, frozenset({c["C1"]}), user_id=uuid4())
    both = Principal(org.id, Role.COURSE_MANAGER, frozenset(c.values()), user_id=uuid4())
    cases = {
        Principal(org.id, Role.ADMIN): (ids, ids),
        manager: ({learner["ONLY1"], learner["BOTH"]}, {learner["ONLY1"]}),
        both: (ids, ids),
        Principal(org.id, Role.COURSE_MANAGER, user_id=uuid4()): (set(), set()),
        Principal(org.id, Role.LEARNER, learner_id=learner["BOTH"]): ({learner["BOTH"]}, set()),
    }
    with uow:
        for principal, (visible, writable) in cases.items():
            scope = authorization.learner_scope(uow, principal, ids)
            assert (scope.visible, scope.writable) == (visible, writable), principal
        assert authorization.may_rewrite_learner(uow, manager, learner["ONLY1"])
        assert not authorization.may_rewrite_learner(uow, manager, learner["BOTH"])
