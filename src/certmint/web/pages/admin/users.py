"""Users (admins only): who may sign in, with role, course scope and status; invite someone (the
e-mail goes through the outbox) or send an invitation not yet taken up again, make a link to hand
over (no mail server, or a learner or course manager locked out), change a course manager's
courses, disable or enable. Every change is made by ``services.identity.accounts`` /
``services.identity.sign_in_links`` and audit-logged."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.roster import list_courses, organisation_batches
from certmint.services.errors import Conflict, InvalidInput, NotFound
from certmint.services.identity.accounts import (
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_course_scope,
)
from certmint.services.identity.sign_in_links import (
    BatchInvitations,
    awaiting_invitation,
    hand_over_link,
    invite_batch,
    invite_learner,
    invite_user,
    resend_invitation,
)
from certmint.web.account_mail import deliver_account_mail
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.pages.admin.common import FormDep, field, page_id, problems_of, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_users"
MAX_COURSES_SHOWN = 1_000
# What the page says after a change (a fixed key in the URL, never text from the request).
DONE = ("invited", "resent", "scope", "disabled", "enabled")


def _page(
    request: Request,
    principal: Principal,
    container: ContainerDep,
    *,
    problems: Sequence[object] = (),
    form: FormData | None = None,
    status_code: int = 200,
    link: tuple[str, str, bool] | None = None,
    batch_result: BatchInvitations | None = None,
) -> Response:
    """The page; ``link`` is a link just made (whose, the URL, and whether it leads to choosing
    a new password), shown this once."""
    courses = list_courses(
        container.uow(),
        principal.organisation_id,
        course_ids=None,
        after=None,
        limit=MAX_COURSES_SHOWN,
    )
    done = request.query_params.get("done", "")
    return render(
        request,
        "users.html",
        {
            "users": list_users(container.uow(), principal),
            "invited": awaiting_invitation(container.uow(), principal),
            "courses": courses,
            "course_names": {c.id: c.name for c in courses},
            "roles": [r.value for r in Role],
            "me": principal.user_id,
            "done": done if done in DONE else "",
            "problems": problems,
            "form": form,
            "mail": container.mailer is not None,
            "link": link,
            "batch_result": batch_result,
            "batches": organisation_batches(container.uow(), principal.organisation_id),
        },
        section=SECTION,
        status_code=status_code,
    )


def _course_ids(form: FormData) -> list[UUID]:
    values = form.getlist("course_ids")
    return [page_id(value, "course") for value in values if isinstance(value, str) and value]


@router.get("/users", name=SECTION)
def users_page(request: Request, principal: PageAdminDep, container: ContainerDep) -> Response:
    return _page(request, principal, container)


@router.post("/users/invite", name="admin_users_invite")
def invite(
    request: Request,
    background: BackgroundTasks,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """An account without a password and an e-mail with a week-long sign-in link: staff by
    address and name; a learner from their learner record (our id or the LMS's)."""
    role_text = field(form, "role")
    try:
        if role_text not in Role._value2member_map_:
            raise InvalidInput([f"role: one of {', '.join(r.value for r in Role)}"], "not invited")
        role = Role(role_text)
        send = container.mailer is not None
        if role is Role.LEARNER:
            user = invite_learner(
                container.uow(),
                principal,
                field(form, "learner").strip(),
                send=send,
            )
        else:
            user = invite_user(
                container.uow(),
                principal,
                email=field(form, "email"),
                display_name=field(form, "display_name"),
                role=role,
                course_ids=_course_ids(form),
                send=send,
            )
    except (InvalidInput, Conflict) as exc:
        return _page(
            request, principal, container, problems=problems_of(exc), form=form, status_code=422
        )
    if not send:  # no mail server: the admin hands the link over instead of a false promise
        return _link_page(request, principal, container, user.id)
    background.add_task(deliver_account_mail, container)
    return redirect(request, SECTION, done="invited")


@router.post("/users/invite-batch", name="admin_users_invite_batch")
def invite_whole_batch(
    request: Request,
    background: BackgroundTasks,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    """Every learner of a batch who has an e-mail address and no account yet."""
    result = invite_batch(
        container.uow(),
        principal,
        page_id(field(form, "batch"), "batch"),
        send=container.mailer is not None,
    )
    if container.mailer is not None:
        background.add_task(deliver_account_mail, container)
    return _page(request, principal, container, batch_result=result)


def _link_page(
    request: Request, principal: Principal, container: ContainerDep, user_id: UUID
) -> Response:
    """The users page with a new link for ``user_id``, shown once (never in a URL)."""
    try:
        url = hand_over_link(
            container.uow(),
            principal.organisation_id,
            user_id,
            links=container.links,
            actor=principal.actor,
        )
    except Conflict as exc:
        return _page(request, principal, container, problems=(exc.detail,), status_code=409)
    user = get_user(container.uow(), principal, user_id)
    link = (user.display_name, url, container.links.is_password_reset(url))
    return _page(request, principal, container, link=link)


@router.post("/users/{user_id}/link", name="admin_user_link")
def make_link(
    user_id: str,
    request: Request,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    """A link to hand over by hand: an invitation's, or for someone who lost their way in."""
    return _link_page(request, principal, container, page_id(user_id, "user"))


@router.post("/users/{user_id}/scope", name="admin_user_scope")
def change_scope(
    user_id: str,
    request: Request,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    form: FormDep,
) -> Response:
    user = get_user(container.uow(), principal, page_id(user_id, "user"))
    try:
        set_course_scope(container.uow(), principal, user.id, _course_ids(form))
    except InvalidInput as exc:
        return _page(request, principal, container, problems=exc.problems, status_code=422)
    return redirect(request, SECTION, done="scope")


@router.post("/users/{user_id}/invitation", name="admin_user_invitation")
def resend(
    user_id: str,
    request: Request,
    background: BackgroundTasks,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
    _form: FormDep,
) -> Response:
    """Send an invitation not yet taken up again, with a new link (the old one stops working)."""
    try:
        resend_invitation(
            container.uow(),
            principal,
            page_id(user_id, "user"),
        )
    except Conflict as exc:
        return _page(request, principal, container, problems=(exc.detail,), status_code=409)
    background.add_task(deliver_account_mail, container)
    return redirect(request, SECTION, done="resent")


# After the routes above: ``{action}`` would match their last segment too.
@router.post("/users/{user_id}/{action}", name="admin_user_status")
def change_status(
    user_id: str,
    action: str,
    request: Request,
    *,
    principal: PageAdminDep,
    container: ContainerDep,
) -> Response:
    """``disable`` (its sessions end at once) or ``enable``."""
    user = get_user(container.uow(), principal, page_id(user_id, "user"))
    if action not in ("disable", "enable"):
        raise NotFound("action", action)
    change = disable_user if action == "disable" else enable_user
    try:
        change(container.uow(), principal, user.id)
    except Conflict as exc:
        return _page(request, principal, container, problems=(exc.detail,), status_code=409)
    return redirect(request, SECTION, done=f"{action}d")
