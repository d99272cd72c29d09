"""One-time sign-in links and invitations: queued in the outbox, e-mailed through a real SMTP
server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from certmint.domain.accounts import Principal, Role
from certmint.services.authorization import operator_in
from certmint.services.catalogue.imports import import_enrolments
from certmint.services.catalogue.roster import resolve_course, resolve_learner
from certmint.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from certmint.services.identity.accounts import authenticate, disable_user
from certmint.services.identity.sessions import resolve_session, sign_in
from certmint.services.identity.sign_in_links import (
    CLIENT_LINK_RULE,
    INVITATION_LIFETIME,
    INVITATION_WINDOW,
    LINK_LIFETIME,
    MAX_INVITATIONS,
    MAX_LINKS,
    awaiting_invitation,
    hand_over_link,
    invite_learner,
    invite_user,
    request_password_reset,
    request_sign_in_link,
    resend_invitation,
    reset_password,
    sign_in_with_link,
)
from certmint.services.issuers.organisations import OrganisationChanges, change_organisation
from certmint.services.links import Links
from certmint.services.notifications.mail import ACCOUNT_MAIL, SendSummary, SmtpMailer, send_due
from certmint.storage.tables import AuditEventRow, NotificationRow, SignInLinkRow
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork
from tests.conftest import Inbox, free_port
from tests.factories import PASSWORD, enrolment_csv, enrolment_row, make_organisation, make_user

BASE = "https://certs.example.org"
LINK = re.compile(r"https://certs\.example\.org/login/(?:link|reset)/([A-Za-z0-9_-]{43})")
NEW_PASSWORD = "a new one, long enough"


@pytest.fixture
def org_id(uow: SqlAlchemyUnitOfWork) -> UUID:
    org = make_organisation(uow, "Link Academy", default=True)
    rows = [enrolment_row("L1", email="l1@example.org"), enrolment_row("L2", email="")]
    import_enrolments(uow, org.id, enrolment_csv(rows))
    return org.id


def _deliver(
    uow: SqlAlchemyUnitOfWork, url: str, tmp_path: Path, now: datetime | None = None
) -> SendSummary:
    return send_due(
        uow,
        SmtpMailer(url, timeout=5),
        sender="certs@x.org",
        links=Links(BASE),
        now=now,
        kinds=ACCOUNT_MAIL,
    )


def _token(inbox: Inbox, index: int = -1) -> str:
    body = inbox.messages[index].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    found = LINK.search(body)
    assert found is not None, body
    return found.group(1)


def _learner_account(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> UUID:
    learner = resolve_learner(uow, org_id, "L1")
    return make_user(uow, org_id, Role.LEARNER, email="l1@example.org", learner_id=learner.id).id


def test_a_link_signs_a_learner_in_once(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    user_id = _learner_account(uow, org_id)
    request_sign_in_link(uow, None, "L1@Example.org")
    assert _deliver(uow, url, tmp_path).sent == 1
    (message,) = inbox.messages
    assert message["To"] == "l1@example.org"
    assert message["Subject"] == "Sign in to Link Academy"
    token = _token(inbox)
    signed_in, session_token = sign_in_with_link(uow, token)
    assert signed_in.id == user_id
    assert resolve_session(uow, session_token)[1].id == user_id
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, token)  # single use


def test_account_e_mails_arrive_in_the_organisations_branding(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    """The HTML part is in the organisation's colours with its logo inline; the text part is
    the text as before, and the button is its link."""
    inbox, url = smtp
    make_user(uow, org_id, email="admin@example.org")
    logo = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    changes = OrganisationChanges(primary_colour="#0b6e4f", accent_colour="#b3261e", logo=logo)
    with uow as tx:
        slug = tx.organisations.get(org_id).slug  # type: ignore[union-attr]
    change_organisation(uow, Principal.at_shell(org_id), slug, changes)
    request_password_reset(uow, None, "admin@example.org")
    assert _deliver(uow, url, tmp_path).sent == 1
    (message,) = inbox.messages
    assert _token(inbox)  # the plain text still carries the link
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    link = LINK.search(html)
    assert link is not None and link.group(1) == _token(inbox)
    assert "background:#0b6e4f" in html and ">Link Academy</span>" in html
    assert "background:#b3261e" in html and ">Choose a new password</a>" in html
    (image,) = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert image.get_content() == logo
    assert f'src="cid:{str(image["Content-ID"]).strip("<>")}"' in html


def test_a_link_expires_counted_from_when_it_is_sent(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    _learner_account(uow, org_id)
    now = datetime.now(UTC)
    request_sign_in_link(uow, None, "l1@example.org", now=now)
    assert _deliver(uow, url, tmp_path, now=now).sent == 1
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, _token(inbox), now=now + LINK_LIFETIME)
    # The refused attempt did not spend it: a minute earlier it still works.
    assert sign_in_with_link(uow, _token(inbox), now=now + LINK_LIFETIME - timedelta(minutes=1))


def test_requests_are_queued_alike_for_every_address_and_limited_per_address(
    uow: SqlAlchemyUnitOfWork,
    session: Session,
    org_id: UUID,
    smtp: tuple[Inbox, str],
    tmp_path: Path,
) -> None:
    inbox, url = smtp
    make_user(uow, org_id, Role.ADMIN, email="admin@example.org")
    _learner_account(uow, org_id)
    now = datetime.now(UTC)
    for address in ("nobody@example.org", "admin@example.org", "l1@example.org"):
        for _ in range(MAX_LINKS + 2):
            request_sign_in_link(uow, None, address, now=now)
    queued = session.scalars(select(NotificationRow.recipient)).all()
    assert sorted(queued) == sorted(
        ["nobody@example.org", "admin@example.org", "l1@example.org"] * MAX_LINKS
    )
    summary = _deliver(uow, url, tmp_path, now=now)
    # Only the learner account gets e-mail: nobody has no account, staff use their password.
    assert (summary.sent, summary.skipped) == (MAX_LINKS, 2 * MAX_LINKS)
    assert {m["To"] for m in inbox.messages} == {"l1@example.org"}
    later = now + LINK_LIFETIME + timedelta(seconds=1)
    request_sign_in_link(uow, None, "l1@example.org", now=later)
    assert _deliver(uow, url, tmp_path, now=later).sent == 1
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, "not-a-real-token")


def test_an_smtp_server_that_is_down_delays_the_link_until_it_is_up(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID, tmp_path: Path
) -> None:
    user_id = _learner_account(uow, org_id)
    port = free_port()
    url = f"smtp://127.0.0.1:{port}"
    now = datetime.now(UTC)
    request_sign_in_link(uow, None, "l1@example.org", now=now)
    down = _deliver(uow, url, tmp_path, now=now)
    assert (down.sent, down.retrying) == (0, 1)
    # The link made for the failed try was never seen by anyone; it just expires.
    assert len(session.scalars(select(SignInLinkRow)).all()) == 1
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert _deliver(uow, url, tmp_path, now=now).sent == 0  # waits for its back-off
        later = now + timedelta(minutes=2)
        assert _deliver(uow, url, tmp_path, now=later).sent == 1
    finally:
        controller.stop()
    user, _ = sign_in_with_link(uow, _token(inbox), now=later)
    assert user.id == user_id


def test_invitation_creates_the_account_and_mails_a_week_long_link(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    user = invite_learner(uow, Principal.at_shell(org_id), "L1")
    assert (user.role, user.email) == (Role.LEARNER, "l1@example.org")
    assert user.learner_id == resolve_learner(uow, org_id, "L1").id
    assert _deliver(uow, url, tmp_path).sent == 1
    (message,) = inbox.messages
    assert message["Subject"] == "Your certificates at Link Academy"
    token = _token(inbox)
    six_days = datetime.now(UTC) + INVITATION_LIFETIME - timedelta(days=1)
    assert sign_in_with_link(uow, token, now=six_days)[0].id == user.id
    with pytest.raises(Conflict):
        invite_learner(uow, Principal.at_shell(org_id), "L1")
    with pytest.raises(InvalidInput):
        invite_learner(uow, Principal.at_shell(org_id), "L2")


def test_a_staff_invitation_signs_in_once_to_choose_a_password(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    course = resolve_course(uow, org_id, "C1")
    user = invite_user(
        uow,
        Principal.at_shell(org_id),
        email="Mina@Example.org",
        display_name="Mina",
        role=Role.COURSE_MANAGER,
        course_ids=[course.id],
    )
    assert user.course_ids == {course.id}
    assert _deliver(uow, url, tmp_path).sent == 1
    (message,) = inbox.messages
    assert message["To"] == "Mina@Example.org"
    assert "choose a password" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert sign_in_with_link(uow, _token(inbox))[0].id == user.id
    with pytest.raises(Conflict):
        invite_user(
            uow,
            Principal.at_shell(org_id),
            email="mina@example.org",
            display_name="M",
            role=Role.ADMIN,
        )
    with pytest.raises(InvalidInput):  # a course manager needs a course
        invite_user(
            uow,
            Principal.at_shell(org_id),
            email="x@example.org",
            display_name="X",
            role=Role.COURSE_MANAGER,
        )


def test_one_client_cannot_fill_the_outbox(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    now = datetime.now(UTC)
    allowed = CLIENT_LINK_RULE.allowed
    for i in range(allowed + 5):
        request_sign_in_link(uow, None, f"who{i}@example.org", client="192.0.2.9", now=now)
    request_sign_in_link(uow, None, "l1@example.org", client="192.0.2.10", now=now)
    queued = session.scalars(select(NotificationRow.recipient)).all()
    assert len(queued) == allowed + 1 and "l1@example.org" in queued
    later = now + CLIENT_LINK_RULE.forget_after + timedelta(minutes=1)
    request_sign_in_link(uow, None, "again@example.org", client="192.0.2.9", now=later)
    assert "again@example.org" in session.scalars(select(NotificationRow.recipient)).all()


def _invite_manager(uow: SqlAlchemyUnitOfWork, org_id: UUID) -> UUID:
    course = resolve_course(uow, org_id, "C1")
    return invite_user(
        uow,
        Principal.at_shell(org_id),
        email="mina@example.org",
        display_name="Mina",
        role=Role.COURSE_MANAGER,
        course_ids=[course.id],
    ).id


def test_an_invitation_sent_again_has_a_new_link_and_the_old_one_stops_working(
    uow: SqlAlchemyUnitOfWork,
    org_id: UUID,
    smtp: tuple[Inbox, str],
    tmp_path: Path,
    session: Session,
) -> None:
    inbox, url = smtp
    user_id = _invite_manager(uow, org_id)
    assert _deliver(uow, url, tmp_path).sent == 1
    old = _token(inbox)
    assert awaiting_invitation(uow, Principal.at_shell(org_id)) == {user_id}

    by_admin = Principal(org_id, Role.ADMIN, user_id=uuid4())
    resend_invitation(uow, by_admin, user_id)
    assert _deliver(uow, url, tmp_path).sent == 1
    first, second = inbox.messages
    assert second["To"] == "mina@example.org" and second["Subject"] == first["Subject"]
    new = _token(inbox)
    assert new != old
    with pytest.raises(Unauthorized):
        sign_in_with_link(uow, old)
    assert sign_in_with_link(uow, new)[0].id == user_id
    (event,) = session.scalars(
        select(AuditEventRow).where(AuditEventRow.action == "user.invitation_resent")
    )
    assert (event.actor, event.subject_id) == (by_admin.actor, str(user_id))

    # Taken up: nothing to send again.
    assert awaiting_invitation(uow, Principal.at_shell(org_id)) == set()
    with pytest.raises(Conflict, match="signed in or set a password already"):
        resend_invitation(uow, Principal.at_shell(org_id), user_id)


def test_an_unsent_invitation_is_replaced_not_sent_twice(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, smtp: tuple[Inbox, str], tmp_path: Path
) -> None:
    inbox, url = smtp
    user_id = _invite_manager(uow, org_id)  # the SMTP server was away: still in the outbox
    resend_invitation(uow, Principal.at_shell(org_id), user_id)
    summary = _deliver(uow, url, tmp_path)
    assert (summary.sent, len(inbox.messages)) == (1, 1)


def test_sending_an_invitation_again_is_throttled(
    uow: SqlAlchemyUnitOfWork, org_id: UUID, session: Session
) -> None:
    user_id = _invite_manager(uow, org_id)
    now = datetime.now(UTC)
    for _ in range(MAX_INVITATIONS - 1):
        resend_invitation(uow, Principal.at_shell(org_id), user_id, now=now)
    with pytest.raises(Conflict, match="wait before sending another"):
        resend_invitation(uow, Principal.at_shell(org_id), user_id, now=now)
    later = now + INVITATION_WINDOW + timedelta(seconds=1)
    resend_invitation(uow, Principal.at_shell(org_id), user_id, now=later)
    statuses = session.scalars(
        select(NotificationRow.status).where(NotificationRow.user_id == user_id)
    ).all()
    assert sorted(statuses) == ["pending"] + ["skipped"] * MAX_INVITATIONS


def test_only_an_invitation_not_taken_up_can_be_sent_again(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    staff = make_user(uow, org_id, Role.ADMIN, email="admin@example.org")  # has a password
    with pytest.raises(Conflict):
        resend_invitation(uow, Principal.at_shell(org_id), staff.id)
    other = make_organisation(uow, "Other Academy")
    with pytest.raises(NotFound):
        resend_invitation(uow, Principal.at_shell(other.id), _invite_manager(uow, org_id))


def test_a_forgotten_password_is_replaced_through_a_link_for_any_role(
    uow: SqlAlchemyUnitOfWork,
    session: Session,
    org_id: UUID,
    smtp: tuple[Inbox, str],
    tmp_path: Path,
) -> None:
    """Staff and learners alike; an unknown address gets nothing, and the caller cannot tell."""
    inbox, url = smtp
    admin = make_user(uow, org_id, Role.ADMIN, email="admin@example.org")
    _, old_session = sign_in(uow, None, "admin@example.org", PASSWORD)
    for address in ("Admin@Example.org", "nobody@example.org"):
        request_password_reset(uow, None, address)
    summary = _deliver(uow, url, tmp_path)
    assert (summary.sent, summary.skipped) == (1, 1)
    (message,) = inbox.messages
    assert message["To"] == "admin@example.org"
    assert message["Subject"] == "Choose a new password at Link Academy"
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://certs.example.org/login/reset/" in body
    token = _token(inbox)
    with pytest.raises(InvalidInput):  # refused by the rules: the link is not spent
        reset_password(uow, token, "short")
    user, new_session = reset_password(uow, token, NEW_PASSWORD)
    assert user.id == admin.id
    assert resolve_session(uow, new_session)[1].id == admin.id
    with pytest.raises(Unauthorized):  # whoever knew the old password is signed out
        resolve_session(uow, old_session)
    with pytest.raises(Unauthorized):
        authenticate(uow, org_id, "admin@example.org", PASSWORD)
    assert authenticate(uow, org_id, "admin@example.org", NEW_PASSWORD).id == admin.id
    with pytest.raises(Unauthorized):  # once
        reset_password(uow, token, "yet another good one")
    actions = session.scalars(
        select(AuditEventRow.action).where(AuditEventRow.subject_id == str(admin.id))
    ).all()
    assert "user.password_set" in actions


def test_password_links_share_the_limits_of_sign_in_links(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    now = datetime.now(UTC)
    for _ in range(MAX_LINKS + 2):
        request_password_reset(uow, None, "l1@example.org", now=now)
    request_sign_in_link(uow, None, "l1@example.org", now=now)  # another kind: its own count
    kinds = session.scalars(select(NotificationRow.kind)).all()
    assert sorted(kinds) == ["password_reset"] * MAX_LINKS + ["sign_in_link"]
    for i in range(CLIENT_LINK_RULE.allowed):
        request_sign_in_link(uow, None, f"who{i}@example.org", client="192.0.2.9", now=now)
    request_password_reset(uow, None, "late@example.org", client="192.0.2.9", now=now)
    assert "late@example.org" not in session.scalars(select(NotificationRow.recipient)).all()


def test_the_admin_hands_over_a_way_in_but_never_to_another_admin(
    uow: SqlAlchemyUnitOfWork, session: Session, org_id: UUID
) -> None:
    """An active learner gets a sign-in link, an active course manager a new-password link;
    another admin who has signed in, a disabled account and the admin's own get none."""
    me = make_user(uow, org_id, Role.ADMIN, email="me@example.org")
    actor = f"user:{me.id}"
    learner_id = _learner_account(uow, org_id)
    course = resolve_course(uow, org_id, "C1")
    manager = make_user(
        uow, org_id, Role.COURSE_MANAGER, email="mina@example.org", course_ids=[course.id]
    )
    to_learner = hand_over_link(uow, org_id, learner_id, links=Links(BASE), actor=actor)
    assert to_learner.startswith(f"{BASE}/login/link/")
    assert sign_in_with_link(uow, to_learner.rpartition("/")[2])[0].id == learner_id
    to_manager = hand_over_link(uow, org_id, manager.id, links=Links(BASE), actor=actor)
    assert to_manager.startswith(f"{BASE}/login/reset/")
    assert reset_password(uow, to_manager.rpartition("/")[2], NEW_PASSWORD)[0].id == manager.id
    other_admin = make_user(uow, org_id, Role.ADMIN, email="asha@example.org")
    with pytest.raises(Conflict, match="is an admin"):
        hand_over_link(uow, org_id, other_admin.id, links=Links(BASE), actor=actor)
    with pytest.raises(Conflict, match="signed in already"):
        hand_over_link(uow, org_id, me.id, links=Links(BASE), actor=actor)
    disable_user(uow, Principal.at_shell(org_id), manager.id)
    with pytest.raises(Conflict, match="disabled"):
        hand_over_link(uow, org_id, manager.id, links=Links(BASE), actor=actor)
    made = session.scalars(
        select(AuditEventRow.action).where(AuditEventRow.action == "user.sign_in_link_made")
    ).all()
    assert len(made) == 2


def test_only_admins_invite_and_the_operator_only_as_an_organisations_admin(
    uow: SqlAlchemyUnitOfWork, org_id: UUID
) -> None:
    """The use cases ask the policy, whoever calls them; the operator gives another
    organisation its first admin through ``operator_in``, which no one else may use."""
    manager = Principal(org_id, Role.COURSE_MANAGER, frozenset(), user_id=uuid4())
    with pytest.raises(Forbidden):
        invite_user(uow, manager, email="x@example.org", display_name="X", role=Role.ADMIN)
    with pytest.raises(Forbidden):
        awaiting_invitation(uow, manager)
    other = make_organisation(uow, "Elsewhere").id
    with pytest.raises(Forbidden):
        operator_in(Principal(org_id, Role.ADMIN, user_id=uuid4()), other)
    operator = Principal(org_id, Role.ADMIN, user_id=uuid4(), operator=True)
    user = invite_user(
        uow,
        operator_in(operator, other),
        email="first@example.org",
        display_name="First Admin",
        role=Role.ADMIN,
        send=False,
    )
    assert user.organisation_id == other
    assert awaiting_invitation(uow, Principal.at_shell(other)) == {user.id}
