"""``certmint users ...``: accounts that sign in to the web pages (admins, course managers,
learners)."""

from __future__ import annotations

from typing import Annotated

import typer

from certmint.bootstrap import Container
from certmint.cli.notifications import deliver
from certmint.cli.state import EXIT_INVALID, OrgOption, fail, in_organisation
from certmint.cli.terminal import console
from certmint.domain.accounts import Principal, Role, User
from certmint.services.catalogue.roster import resolve_course, resolve_learner
from certmint.services.identity.accounts import (
    create_user,
    disable_user,
    find_user,
    generate_password,
    list_users,
    set_password,
)
from certmint.services.identity.sign_in_links import (
    INVITATION_LIFETIME,
    invite_learner,
    resend_invitation,
)
from certmint.services.notifications.mail import ACCOUNT_MAIL

__all__ = ["app"]

app = typer.Typer(help="User accounts: admins, course managers and learners.")

PasswordOption = Annotated[
    str | None,
    typer.Option(
        help="The password; omit it to have one generated and printed once.", show_default=False
    ),
]


@app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="E-mail address (unique in the organisation).")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[Role, typer.Option(help="What the user may do.")] = Role.ADMIN,
    course: Annotated[
        list[str] | None,
        typer.Option(help="A course a course manager manages (id or LMS id); repeat for more."),
    ] = None,
    learner: Annotated[
        str | None, typer.Option(help="The learner record of a learner account (id or LMS id).")
    ] = None,
    password: PasswordOption = None,
    operator: Annotated[
        bool,
        typer.Option(help="Also operate the instance's organisations (default organisation)."),
    ] = False,
    org: OrgOption = None,
) -> None:
    """Create a user and print the password once (generated unless given). The address
    counts as the person's (you vouch for it), so their accounts in other organisations with
    the same address are theirs too."""
    secret = password or generate_password()
    with in_organisation(ctx, org) as (container, organisation):
        course_ids = [resolve_course(container.uow(), organisation.id, c).id for c in course or ()]
        learner_id = (
            resolve_learner(container.uow(), organisation.id, learner).id if learner else None
        )
        user = create_user(
            container.uow(),
            Principal.at_shell(organisation.id),
            email=email,
            display_name=name,
            role=role,
            password=secret,
            course_ids=course_ids,
            learner_id=learner_id,
            operator=operator,
            address_verified=True,
        )
    console.print(
        f"created {user.role}{' operator' if user.operator else ''} {user.email} ({user.id})"
    )
    if password is None:
        console.print(f"password: {secret}")


@app.command("list")
def list_(ctx: typer.Context, org: OrgOption = None) -> None:
    """Users of the organisation (never their passwords)."""
    with in_organisation(ctx, org) as (container, organisation):
        users = list_users(container.uow(), Principal.at_shell(organisation.id))
    for u in users:
        extra = []
        if u.course_ids:
            extra.append(f"{len(u.course_ids)} course(s)")
        if u.learner_id:
            extra.append(f"learner {u.learner_id}")
        if u.disabled_at:
            extra.append(f"disabled {u.disabled_at:%Y-%m-%d}")
        line = f"{u.email}  {u.role}  {u.display_name}  created {u.created_at:%Y-%m-%d}"
        console.print("  ".join([line, *extra]))


@app.command("disable")
def disable(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    org: OrgOption = None,
) -> None:
    """Disable a user at once: no more sign-ins, open sessions end. Nothing is deleted."""
    with in_organisation(ctx, org) as (container, organisation):
        user = find_user(container.uow(), organisation.id, email)
        disable_user(container.uow(), Principal.at_shell(organisation.id), user.id)
    console.print(f"disabled {user.email}")


@app.command("set-password")
def set_password_(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    password: PasswordOption = None,
    org: OrgOption = None,
) -> None:
    """Set a new password (printed once if generated); the user's open sessions end."""
    secret = password or generate_password()
    with in_organisation(ctx, org) as (container, organisation):
        user = find_user(container.uow(), organisation.id, email)
        set_password(container.uow(), Principal.at_shell(organisation.id), user.id, secret)
    console.print(f"password set for {user.email}")
    if password is None:
        console.print(f"password: {secret}")


@app.command("invite")
def invite(
    ctx: typer.Context,
    learner: Annotated[str, typer.Argument(help="The learner record (id or LMS id).")],
    org: OrgOption = None,
) -> None:
    """Give a learner an account (their record's e-mail address and name) and e-mail them a
    sign-in link. Needs CERTMINT_SMTP_URL."""
    with in_organisation(ctx, org) as (container, organisation):
        _require_mail(container)
        user = invite_learner(container.uow(), Principal.at_shell(organisation.id), learner)
        _deliver_invitation(container, user, "invited")


@app.command("resend-invitation")
def resend_invitation_(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The invited user's e-mail address.")],
    org: OrgOption = None,
) -> None:
    """E-mail an invitation again with a new link; the links sent before stop working. For an
    account that has never signed in. Needs CERTMINT_SMTP_URL."""
    with in_organisation(ctx, org) as (container, organisation):
        _require_mail(container)
        user = find_user(container.uow(), organisation.id, email)
        resend_invitation(container.uow(), Principal.at_shell(organisation.id), user.id)
        _deliver_invitation(container, user, "invited again")


def _require_mail(container: Container) -> None:
    if container.mailer is None:
        fail(EXIT_INVALID, "set CERTMINT_SMTP_URL: the invitation is an e-mail")


def _deliver_invitation(container: Container, user: User, done: str) -> None:
    """Send the queued invitation now, and say whether it went."""
    summary = deliver(container, kinds=ACCOUNT_MAIL)
    days = INVITATION_LIFETIME.days
    if summary is not None and summary.sent:
        console.print(f"{done} {user.email}: a sign-in link valid for {days} days was sent")
    else:
        console.print(
            f"{done} {user.email}: the e-mail could not be sent yet; "
            "`certmint notifications send` retries it"
        )
