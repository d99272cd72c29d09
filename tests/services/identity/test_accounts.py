"""User accounts on the real database: creation rules, passwords, throttling, disabling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course, resolve_learner
from certmint.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyAttempts,
    Unauthorized,
)
from certmint.services.identity import accounts
from certmint.services.identity.accounts import (
    CLIENT_RULE,
    LOCKOUT_AFTER,
    authenticate,
    change_own_password,
    check_password_policy,
    create_user,
    disable_user,
    enable_user,
    find_user,
    get_user,
    has_password,
    list_users,
    set_course_scope,
    set_password,
)
from certmint.services.identity.sessions import resolve_session, start_session
from certmint.storage.tables import AuditEventRow, SignInThrottleRow, UserRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import (
    PASSWORD,
    enrolment_csv,
    enrolment_row,
    make_organisation,
    make_user,
)


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Accounts Academy")
    import_enrolments(uow, org.id, enrolment_csv([enrolment_row("L1"), enrolment_row("L2")]))
    return org.id


def test_password_is_stored_as_argon2id_and_signs_in(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="Ana@Example.org")
    stored = session.scalar(select(UserRow.password_hash).where(UserRow.id == user.id))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored
    found = authenticate(uow, org_id, "  ana@EXAMPLE.org ", PASSWORD)
    assert found.id == user.id and found.email == "Ana@Example.org"


def test_email_is_unique_per_organisation_whatever_the_case(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="ana@example.org")
    with pytest.raises(Conflict):
        make_user(uow, org_id, email="ANA@example.org")
    other = make_organisation(uow, "Other Academy")
    assert make_user(uow, other.id, email="ana@example.org").organisation_id == other.id


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1", "at least 10"),
        ("a" * 12, "repeated"),
        ("x" * 257, "at most 256"),
        ("ana@example.org", "not the e-mail"),
    ],
)
def test_password_policy(password: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password_policy(password, email="Ana@example.org")
    assert problem in " ".join(map(str, raised.value.problems))


def test_role_rules_for_courses_and_learner_links(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    course = resolve_course(uow, org_id, "C1")
    learner = resolve_learner(uow, org_id, "L1")
    cases = [
        (Role.COURSE_MANAGER, (), None, "needs at least one course"),
        (Role.ADMIN, (course.id,), None, "only course managers"),
        (Role.LEARNER, (), None, "linked to a learner record"),
        (Role.ADMIN, (), learner.id, "only learner accounts"),
    ]
    for role, courses, learner_id, problem in cases:
        with pytest.raises(InvalidInput) as raised:
            make_user(uow, org_id, role, course_ids=courses, learner_id=learner_id)
        assert problem in " ".join(map(str, raised.value.problems))
    manager = make_user(uow, org_id, Role.COURSE_MANAGER, course_ids=[course.id])
    assert manager.course_ids == {course.id}
    learner_user = make_user(uow, org_id, Role.LEARNER, learner_id=learner.id)
    assert learner_user.learner_id == learner.id
    assert {u.id for u in list_users(uow, Principal.at_shell(org_id))} == {
        manager.id,
        learner_user.id,
    }


def test_another_organisations_course_or_learner_is_not_found(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    other = make_organisation(uow, "Elsewhere")
    import_enrolments(uow, other.id, enrolment_csv([enrolment_row("L9", course_id="X1")]))
    foreign_course = resolve_course(uow, other.id, "X1")
    foreign_learner = resolve_learner(uow, other.id, "L9")
    with pytest.raises(NotFound):
        make_user(uow, org_id, Role.COURSE_MANAGER, course_ids=[foreign_course.id])
    with pytest.raises(NotFound):
        make_user(uow, org_id, Role.LEARNER, learner_id=foreign_learner.id)


def test_wrong_password_unknown_user_and_disabled_user_get_one_answer(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    messages = set()
    for email, password in (("ana@example.org", "wrong password"), ("nobody@x.org", PASSWORD)):
        with pytest.raises(Unauthorized) as raised:
            authenticate(uow, org_id, email, password)
        messages.add(str(raised.value))
    disable_user(uow, Principal.at_shell(org_id), user.id)
    with pytest.raises(Unauthorized) as raised:
        authenticate(uow, org_id, "ana@example.org", PASSWORD)
    messages.add(str(raised.value))
    assert len(messages) == 1
    with pytest.raises(Conflict):
        disable_user(uow, Principal.at_shell(org_id), user.id)


def test_unknown_user_costs_an_argon2_verification(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real = accounts._verify

    def counting(password_hash: str, password: str) -> bool:
        verified.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting)
    with pytest.raises(Unauthorized):
        authenticate(uow, org_id, "nobody@example.org", PASSWORD)
    assert len(verified) == 1 and verified[0].startswith("$argon2id$")


def test_failed_sign_ins_throttle_the_address_and_a_success_resets(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    now = datetime.now(UTC)
    for _ in range(LOCKOUT_AFTER):
        with pytest.raises(Unauthorized) as raised:
            authenticate(uow, org_id, "ana@example.org", "not the password", now=now)
        assert not isinstance(raised.value, TooManyAttempts)
    # Locked: even the right password waits, whatever the case of the address.
    with pytest.raises(TooManyAttempts) as locked:
        authenticate(uow, org_id, " ANA@example.org", PASSWORD, now=now)
    assert 0 < locked.value.retry_after <= 61
    later = now + timedelta(minutes=2)
    assert authenticate(uow, org_id, "ana@example.org", PASSWORD, now=later).id == user.id
    assert session.scalars(select(SignInThrottleRow)).all() == []  # the address starts afresh
    failures = session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "user.sign_in_failed")
    ).all()
    assert len(failures) == LOCKOUT_AFTER


def _answer(uow: SqlAlchemyUnitOfWork, org_id: UUID, email: str, password: str) -> str:
    """What a sign-in attempt answers: the error's type and message."""
    with pytest.raises(Unauthorized) as raised:
        authenticate(uow, org_id, email, password)
    return f"{type(raised.value).__name__}: {raised.value}"


def test_an_unknown_address_is_throttled_like_a_known_one(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    make_user(uow, org_id, email="ana@example.org")
    for email in ("ana@example.org", "nobody@example.org"):
        answers = {_answer(uow, org_id, email, "wrong password") for _ in range(LOCKOUT_AFTER)}
        assert answers == {"Unauthorized: unknown e-mail address or wrong password"}
    known = _answer(uow, org_id, "ana@example.org", PASSWORD)
    unknown = _answer(uow, org_id, "nobody@example.org", PASSWORD)
    assert known == unknown and known.startswith("TooManyAttempts: ")
    # Only hashes are kept: no address appears in the table.
    keys = session.scalars(select(SignInThrottleRow.key)).all()
    assert len(keys) == 2 and all(len(key) == 64 and "@" not in key for key in keys)


def test_a_client_is_throttled_across_addresses_and_a_success_does_not_reset_it(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    make_user(uow, org_id, email="ana@example.org")
    now = datetime.now(UTC)
    allowed = CLIENT_RULE.allowed
    for i in range(allowed):
        if i == allowed // 2:  # a valid sign-in from the same client resets nothing
            authenticate(uow, org_id, "ana@example.org", PASSWORD, client="192.0.2.7", now=now)
        with pytest.raises(Unauthorized) as raised:
            authenticate(
                uow, org_id, f"guess{i}@example.org", "x" * 12, client="192.0.2.7", now=now
            )
        assert not isinstance(raised.value, TooManyAttempts)
    with pytest.raises(TooManyAttempts):
        authenticate(uow, org_id, "ana@example.org", PASSWORD, client="192.0.2.7", now=now)
    # Another client, and the same one once its count is forgotten, may sign in.
    assert authenticate(uow, org_id, "ana@example.org", PASSWORD, client="192.0.2.8", now=now)
    later = now + CLIENT_RULE.forget_after + timedelta(minutes=1)
    assert authenticate(uow, org_id, "ana@example.org", PASSWORD, client="192.0.2.7", now=later)


def test_lockout_doubles_with_further_failures(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    make_user(uow, org_id, email="ana@example.org")
    now = datetime.now(UTC)
    for _ in range(LOCKOUT_AFTER):
        with pytest.raises(Unauthorized):
            authenticate(uow, org_id, "ana@example.org", "nope nope", now=now)
    after_first = now + timedelta(minutes=1, seconds=1)
    with pytest.raises(Unauthorized):
        authenticate(uow, org_id, "ana@example.org", "nope nope", now=after_first)
    with pytest.raises(TooManyAttempts) as locked:
        authenticate(uow, org_id, "ana@example.org", PASSWORD, now=after_first)
    assert 60 < locked.value.retry_after <= 121


def test_an_outdated_hash_is_replaced_on_sign_in(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    current = accounts.password_hasher
    weak = PasswordHasher(
        time_cost=current.time_cost + 1, memory_cost=current.memory_cost, parallelism=1
    ).hash(PASSWORD)
    with uow:
        uow.users.update(user.id, password_hash=weak)
        uow.commit()
    authenticate(uow, org_id, "ana@example.org", PASSWORD)
    stored = session.scalar(select(UserRow.password_hash).where(UserRow.id == user.id))
    assert stored != weak and stored is not None
    assert not current.check_needs_rehash(stored)
    assert current.verify(stored, PASSWORD)


def test_production_hashing_is_rfc_9106_argon2id() -> None:
    # The suite runs with a cheaper profile; what ships is argon2-cffi's RFC 9106 default.
    production = PasswordHasher()
    assert production.type.name == "ID"
    assert (production.time_cost, production.memory_cost) == (3, 64 * 1024)


def test_set_password_replaces_the_old_one_and_is_audited(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    with pytest.raises(InvalidInput):
        set_password(uow, Principal.at_shell(org_id), user.id, "short")
    set_password(uow, Principal.at_shell(org_id), user.id, "a much better secret")
    with pytest.raises(Unauthorized):
        authenticate(uow, org_id, "ana@example.org", PASSWORD)
    assert authenticate(uow, org_id, "ana@example.org", "a much better secret").id == user.id
    actions = set(session.scalars(select(AuditEventRow.action)))
    assert {"user.created", "user.password_set"} <= actions


def test_find_user_ignores_case_and_stays_in_its_organisation(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    assert find_user(uow, org_id, "ANA@example.org").id == user.id
    other = make_organisation(uow, "Elsewhere")
    with pytest.raises(NotFound):
        find_user(uow, other.id, "ana@example.org")
    with pytest.raises(InvalidInput):
        create_user(
            uow,
            Principal.at_shell(other.id),
            email="not-an-address",
            display_name="X",
            role=Role.ADMIN,
        )


def test_changing_your_own_password_needs_the_current_one_and_ends_other_sessions(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    me = Principal.of_user(user)
    _, here = start_session(uow, user)
    _, elsewhere = start_session(uow, user)
    assert has_password(uow, me) == (user, True)
    with pytest.raises(Unauthorized):
        change_own_password(uow, me, current="not it", new="a new secret!", session_token=here)
    with pytest.raises(InvalidInput):
        change_own_password(uow, me, current=PASSWORD, new="short", session_token=here)
    change_own_password(uow, me, current=PASSWORD, new="a new secret!", session_token=here)
    assert authenticate(uow, org_id, "ana@example.org", "a new secret!").id == user.id
    assert resolve_session(uow, here)[1].id == user.id  # this browser stays signed in
    with pytest.raises(Unauthorized):
        resolve_session(uow, elsewhere)
    (event,) = session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "user.password_changed")
    ).all()
    assert event.actor == me.actor and event.details == {"by": "self"}


def test_wrong_current_passwords_count_towards_the_throttle(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    user = make_user(uow, org_id, email="ana@example.org")
    me = Principal.of_user(user)
    _, here = start_session(uow, user)
    for _ in range(LOCKOUT_AFTER):
        with pytest.raises(Unauthorized):
            change_own_password(uow, me, current="guess", new="a new secret!", session_token=here)
    with pytest.raises(TooManyAttempts):
        change_own_password(uow, me, current=PASSWORD, new="a new secret!", session_token=here)


def test_a_learner_without_a_password_sets_one(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> None:
    learner = resolve_learner(uow, org_id, "L1")
    user = create_user(
        uow,
        Principal.at_shell(org_id),
        email="l1@example.org",
        display_name="L One",
        role=Role.LEARNER,
        learner_id=learner.id,
    )
    me = Principal.of_user(user)
    assert has_password(uow, me) == (user, False)
    change_own_password(uow, me, current="", new="my own secret", session_token="")
    assert authenticate(uow, org_id, "l1@example.org", "my own secret").id == user.id
    token = Principal(org_id, Role.ADMIN, token_id=user.id)
    with pytest.raises(Forbidden):  # an API token has no account page
        change_own_password(uow, token, current="", new="my own secret", session_token="")


def test_an_admin_changes_scope_and_disables_and_enables_users(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    import_enrolments(
        uow, org_id, enrolment_csv([enrolment_row("L3", course_id="C2", batch_id="B2")])
    )
    c1, c2 = resolve_course(uow, org_id, "C1"), resolve_course(uow, org_id, "C2")
    admin = make_user(uow, org_id, email="admin@example.org")
    manager = make_user(uow, org_id, Role.COURSE_MANAGER, course_ids=[c1.id])
    assert set_course_scope(uow, Principal.at_shell(org_id), manager.id, [c2.id]).course_ids == {
        c2.id
    }
    assert get_user(uow, Principal.at_shell(org_id), manager.id).course_ids == {c2.id}
    with pytest.raises(InvalidInput):
        set_course_scope(uow, Principal.at_shell(org_id), manager.id, [])
    with pytest.raises(InvalidInput):
        set_course_scope(uow, Principal.at_shell(org_id), admin.id, [c1.id])
    other = make_organisation(uow, "Elsewhere")
    with pytest.raises(NotFound):
        set_course_scope(uow, Principal.at_shell(other.id), manager.id, [c1.id])
    with pytest.raises(NotFound):
        get_user(uow, Principal.at_shell(other.id), manager.id)
    with pytest.raises(Conflict):
        disable_user(uow, Principal.of_user(admin), admin.id)
    disable_user(uow, Principal.at_shell(org_id), manager.id)
    with pytest.raises(Conflict):
        enable_user(uow, Principal.at_shell(org_id), admin.id)
    assert enable_user(uow, Principal.at_shell(org_id), manager.id).active
    assert authenticate(uow, org_id, manager.email, PASSWORD).id == manager.id
    actions = set(session.scalars(select(AuditEventRow.action)))
    assert {"user.scope_changed", "user.disabled", "user.enabled"} <= actions


def test_only_admins_manage_users_and_only_the_operator_makes_operators(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    """The use cases ask the policy, whoever calls them."""
    admin = make_user(uow, org_id, email="admin@example.org")
    as_manager = Principal(org_id, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    for attempt in (
        lambda: list_users(uow, as_manager),
        lambda: get_user(uow, as_manager, admin.id),
        lambda: disable_user(uow, as_manager, admin.id),
        lambda: enable_user(uow, as_manager, admin.id),
        lambda: set_password(uow, as_manager, admin.id, "a much better secret"),
        lambda: create_user(
            uow, as_manager, email="x@example.org", display_name="X", role=Role.ADMIN
        ),
        lambda: create_user(
            uow,
            Principal.of_user(admin),
            email="y@example.org",
            display_name="Y",
            role=Role.ADMIN,
            operator=True,
        ),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert [u.email for u in list_users(uow, Principal.of_user(admin))] == ["admin@example.org"]
