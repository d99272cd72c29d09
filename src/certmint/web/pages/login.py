"""Signing in and out in the browser: ``/login`` (password, or a one-time link sent by
e-mail), ``/login/forgot`` and ``/login/reset/<token>`` (a forgotten password replaced through an
e-mailed link), ``/logout``. Without a mail server these pages send nothing and say so: the
admin hands over a link from the users page instead. Forms work without JavaScript. The
session lives server-side; the cookie carries only a random token. Each sign-in form carries a
pre-session CSRF token and refuses a post from another site (``web.login_csrf``): else another
site could sign a visitor into the attacker's account."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certmint.domain.accounts import Role
from certmint.services.errors import InvalidInput, TooManyAttempts, Unauthorized
from certmint.services.identity.accounts import MIN_PASSWORD_LENGTH
from certmint.services.identity.sessions import ABSOLUTE_TIMEOUT, end_session, sign_in
from certmint.services.identity.sign_in_links import (
    request_password_reset,
    request_sign_in_link,
    reset_password,
    sign_in_with_link,
)
from certmint.services.links import PASSWORD_RESET_PATH, SIGN_IN_LINK_PATH
from certmint.web import login_csrf
from certmint.web.account_mail import deliver_account_mail
from certmint.web.deps import (
    SESSION_COOKIE,
    ContainerDep,
    PagePrincipalDep,
    SignInRequired,
    safe_next,
)

__all__ = ["HOME_FOR_ROLE", "router", "session_redirect", "sign_in_redirect"]

router = APIRouter(tags=["pages"], include_in_schema=False)

# Where a user lands after signing in when no page asked for it.
HOME_FOR_ROLE = {Role.ADMIN: "/admin", Role.COURSE_MANAGER: "/admin", Role.LEARNER: "/me"}

EmailField = Annotated[str, Form(max_length=320)]
NextField = Annotated[str, Form(max_length=2000)]
OrgField = Annotated[str, Form(max_length=60)]
CsrfField = Annotated[str, Form(max_length=100)]
# The pages whose URL holds a link's secret: no other site is told it in a Referer. Not
# "no-referrer": with it the browser posts the page's own form with "Origin: null", which the
# sign-in forms refuse as another site's (web.login_csrf), and the link could not be used.
LINK_PAGE_HEADERS = {"Referrer-Policy": "same-origin"}


async def sign_in_redirect(_request: Request, exc: Exception) -> Response:
    """The answer to ``SignInRequired``: off to the sign-in page, coming back afterwards."""
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(exc.location, status_code=303)


def _page(
    request: Request,
    container: ContainerDep,
    *,
    next_: str | None,
    org: str | None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> Response:
    """The sign-in page; ``error`` names what went wrong (the template words it)."""
    context = {
        "next": safe_next(next_) or "",
        "org": org or "",
        "email": "",
        "error": "",
        "links_available": container.mailer is not None,
        **values,
    }
    return _with_login_token(
        request, container, "login.html", context, status=status, headers=headers
    )


def _with_login_token(
    request: Request,
    container: ContainerDep,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A page with sign-in forms: they carry the browser's pre-session CSRF token."""
    token = login_csrf.token_for(request)
    response: Response = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status, headers=headers
    )
    if request.cookies.get(login_csrf.COOKIE) != token:  # a new one: the browser keeps it
        login_csrf.set_cookie(response, token, secure=_secure(container))
    return response


def _secure(container: ContainerDep) -> bool:
    return container.links.secure


def _cross_site(request: Request, container: ContainerDep, sent: str) -> Response | None:
    """The sign-in page again (403) if the post did not come from this site's own form."""
    if login_csrf.allows(request, sent, container.links.host):
        return None
    return _page(request, container, next_=None, org=None, error="cross_site", status=403)


def session_redirect(container: ContainerDep, token: str, location: str) -> Response:
    """Off to ``location`` with a new session's cookie (signing in, switching organisation)."""
    response = RedirectResponse(location, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
        path="/",
        secure=_secure(container),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/login", name="login", response_class=HTMLResponse)
def login_form(
    request: Request, container: ContainerDep, next: str | None = None, org: str | None = None
) -> Response:
    return _page(request, container, next_=next, org=org)


@router.post("/login", name="login_submit", response_class=HTMLResponse)
def login_submit(
    request: Request,
    container: ContainerDep,
    *,
    email: EmailField,
    password: Annotated[str, Form(max_length=1000)],
    next: NextField = "",
    org: OrgField = "",
    csrf_token: CsrfField = "",
) -> Response:
    if (refused := _cross_site(request, container, csrf_token)) is not None:
        return refused
    try:
        client = request.client.host if request.client else None
        user, token = sign_in(container.uow(), org or None, email, password, client=client)
    except TooManyAttempts as exc:
        minutes = exc.retry_after // 60 + 1
        return _page(
            request,
            container,
            next_=next,
            org=org,
            email=email,
            error="throttled",
            minutes=minutes,
            status=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    except Unauthorized:
        return _page(
            request, container, next_=next, org=org, email=email, error="wrong", status=401
        )
    return session_redirect(container, token, safe_next(next) or HOME_FOR_ROLE[user.role])


@router.post("/login/link", name="login_link_request", response_class=HTMLResponse)
def login_link_request(
    request: Request,
    container: ContainerDep,
    background: BackgroundTasks,
    *,
    email: EmailField,
    org: OrgField = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Queue a one-time link, answer at once, then send it. The answer and the work before it
    are the same whether or not the address has an account, so the form cannot be used to
    find out who has one; an SMTP server that is down only delays the e-mail."""
    if (refused := _cross_site(request, container, csrf_token)) is not None:
        return refused
    if container.mailer is not None:
        client = request.client.host if request.client else None
        request_sign_in_link(container.uow(), org or None, email, client=client)
        background.add_task(deliver_account_mail, container)
    return _page(request, container, next_=None, org=org, email=email, link_sent=True)


@router.get("/login/forgot", name="login_forgot", response_class=HTMLResponse)
def forgot_form(request: Request, container: ContainerDep, org: str | None = None) -> Response:
    return _forgot_page(request, container, org=org or "", email="")


def _forgot_page(
    request: Request, container: ContainerDep, *, org: str, email: str, sent: bool = False
) -> Response:
    context = {
        "org": org,
        "email": email,
        "sent": sent,
        "links_available": container.mailer is not None,
    }
    return _with_login_token(request, container, "login_forgot.html", context)


@router.post("/login/forgot", name="login_forgot_request", response_class=HTMLResponse)
def forgot_request(
    request: Request,
    container: ContainerDep,
    background: BackgroundTasks,
    *,
    email: EmailField,
    org: OrgField = "",
    csrf_token: CsrfField = "",
) -> Response:
    """Queue a link to choose a new password, like ``login_link_request``: the same answer and
    the same work for every address, and the same limits."""
    if (refused := _cross_site(request, container, csrf_token)) is not None:
        return refused
    if container.mailer is not None:
        client = request.client.host if request.client else None
        request_password_reset(container.uow(), org or None, email, client=client)
        background.add_task(deliver_account_mail, container)
    return _forgot_page(request, container, org=org, email=email, sent=True)


def _reset_page(
    request: Request, container: ContainerDep, token: str, *, error: str = "", status: int = 200
) -> Response:
    context = {"token": token, "error": error, "min_length": MIN_PASSWORD_LENGTH}
    return _with_login_token(
        request,
        container,
        "login_reset.html",
        context,
        status=status,
        headers=LINK_PAGE_HEADERS,
    )


@router.get(PASSWORD_RESET_PATH, name="login_reset", response_class=HTMLResponse)
def reset_form(request: Request, container: ContainerDep, token: str) -> Response:
    """The form to choose a new password; like ``login_link``, opening it spends nothing."""
    return _reset_page(request, container, token)


@router.post(PASSWORD_RESET_PATH, name="login_reset_use", response_class=HTMLResponse)
def reset_use(
    request: Request,
    container: ContainerDep,
    token: str,
    *,
    new_password: Annotated[str, Form(max_length=1000)],
    repeat_password: Annotated[str, Form(max_length=1000)],
    csrf_token: CsrfField = "",
) -> Response:
    """Replace the password and sign in; a password the rules refuse leaves the link unspent."""
    if (refused := _cross_site(request, container, csrf_token)) is not None:
        return refused
    if new_password != repeat_password:
        return _reset_page(request, container, token, error="mismatch", status=422)
    try:
        user, session_token = reset_password(container.uow(), token, new_password)
    except InvalidInput:
        return _reset_page(request, container, token, error="policy", status=422)
    except Unauthorized:
        return _page(request, container, next_=None, org=None, error="link", status=401)
    return session_redirect(container, session_token, HOME_FOR_ROLE[user.role])


@router.get(SIGN_IN_LINK_PATH, name="login_link", response_class=HTMLResponse)
def login_link(request: Request, container: ContainerDep, token: str) -> Response:
    """A button that uses the link: mail scanners open links they see, and a GET that signed in
    would spend the link before the learner ever clicked it."""
    return _with_login_token(
        request,
        container,
        "login_link.html",
        {"token": token},
        headers=LINK_PAGE_HEADERS,
    )


@router.post(SIGN_IN_LINK_PATH, name="login_link_use")
def login_link_use(
    request: Request, container: ContainerDep, token: str, csrf_token: CsrfField = ""
) -> Response:
    """Another site posting the attacker's own link would sign the visitor in as the attacker:
    refused like a cross-site password sign-in."""
    if (refused := _cross_site(request, container, csrf_token)) is not None:
        return refused
    try:
        user, session_token = sign_in_with_link(container.uow(), token)
    except Unauthorized:
        return _page(request, container, next_=None, org=None, error="link", status=401)
    return session_redirect(container, session_token, HOME_FOR_ROLE[user.role])


@router.post("/logout", name="logout")
def logout(request: Request, container: ContainerDep, _principal: PagePrincipalDep) -> Response:
    """End the session (the CSRF token is checked by the dependency) and forget the cookie."""
    end_session(container.uow(), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
