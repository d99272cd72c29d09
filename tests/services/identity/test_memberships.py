"""One person's accounts in several organisations: joined only where the address is proved
on both sides, and never through an account an admin could have signed in to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from certmint.domain.accounts import Principal, Role
from certmint.services import authorization
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course
from certmint.services.errors import NotFound
from certmint.services.identity.memberships import acting_as, switch_organisation
from certmint.services.identity.sessions import start_session
from certmint.services.identity.sign_in_links import hand_over_link, verify_address
from certmint.services.identity.tokens import secret_hash
from certmint.services.links import Links
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.factories import enrolment_csv, enrolment_row, make_organisation, make_user

BASE = "https://certs.example.org"


def test_memberships_need_the_address_proved_on_both_sides(uow: SqlAlchemyUnitOfWork) -> None:
    home = make_organisation(uow, "Home", default=True)
    board = make_organisation(uow, "State Board")
    college = make_organisation(uow, "College")
    me = make_user(uow, home.id, email="ravi@example.org", address_verified=True)
    make_user(uow, board.id, email="Ravi@Example.org", address_verified=True)
    unproved = make_user(uow, college.id, email="ravi@example.org")
    principal = Principal.of_user(me)
    acting = acting_as(uow, principal)
    assert acting is not None
    assert acting.organisation == home and acting.others == (board,)
    with uow as tx:
        with pytest.raises(NotFound):
            authorization.membership_in(tx, principal, college.slug)
        # From the unproved account, nothing but itself.
        only = authorization.memberships(tx, Principal.of_user(unproved))
    assert [organisation for organisation, _ in only] == [college]


def test_switching_ends_the_session_and_starts_one_in_the_other_organisation(
    uow: SqlAlchemyUnitOfWork,
) -> None:
    home = make_organisation(uow, "Home", default=True)
    board = make_organisation(uow, "State Board")
    me = make_user(uow, home.id, email="ravi@example.org", address_verified=True)
    there = make_user(uow, board.id, email="ravi@example.org", address_verified=True)
    old, token = start_session(uow, me)
    user, new_token = switch_organisation(uow, Principal.of_user(me), token, board.slug)
    assert user.id == there.id and new_token != token
    with uow as tx:
        ended = tx.users.session_by_token_hash(secret_hash(token))
        started = tx.users.session_by_token_hash(secret_hash(new_token))
    assert ended is not None and ended[0].ended_at is not None
    assert started is not None and started[1].id == there.id
    assert started[0].expires_at == old.expires_at  # the absolute limit stays


def test_a_handed_over_link_unproves_the_account(uow: SqlAlchemyUnitOfWork) -> None:
    """An admin who makes a sign-in link for an account could use it: the account joins the
    person's other organisations again only once they use a link e-mailed to them."""
    home = make_organisation(uow, "Home", default=True)
    board = make_organisation(uow, "State Board")
    import_enrolments(uow, home.id, enrolment_csv([enrolment_row("L1")]))
    course = resolve_course(uow, home.id, "C1")
    learner = make_user(
        uow,
        home.id,
        Role.COURSE_MANAGER,
        email="asha@example.org",
        course_ids=[course.id],
        address_verified=True,
    )
    make_user(uow, board.id, email="asha@example.org", address_verified=True)
    admin = make_user(uow, home.id, email="admin@example.org")
    hand_over_link(uow, home.id, learner.id, links=Links(BASE), actor=f"user:{admin.id}")
    with uow as tx:
        account = tx.users.by_id(learner.id)
        assert account is not None and account.email_verified_at is None
        assert len(authorization.memberships(tx, Principal.of_user(account))) == 1
        proved = verify_address(tx, account, datetime.now(UTC))
        tx.commit()
    with uow as tx:
        assert len(authorization.memberships(tx, Principal.of_user(proved))) == 2
        assert tx.users.password_hash(learner.id) is None  # a password set before is dropped
