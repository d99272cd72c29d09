"""Signing in and out in the browser: ``/login`` (a form that works without JavaScript) and
``/logout``. The session lives server-side; the cookie carries only a random token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certmint.domain.accounts import Role
from certmint.services.errors import TooManyAttempts, Unauthorized
from certmint.services.sessions import ABSOLUTE_TIMEOUT, end_session, sign_in
from certmint.web.deps import (
    SESSION_COOKIE,
    ContainerDep,
    PagePrincipalDep,
    SignInRequired,
    safe_next,
)

__all__ = ["HOME_FOR_ROLE", "router", "sign_in_redirect"]

router = APIRouter(tags=["pages"], include_in_schema=False)

# Where a user lands after signing in when no page asked for it.
HOME_FOR_ROLE = {Role.ADMIN: "/admin", Role.COURSE_MANAGER: "/admin", Role.LEARNER: "/me"}


async def sign_in_redirect(_request: Request, exc: Exception) -> Response:
    """The answer to ``SignInRequired``: off to the sign-in page, coming back afterwards."""
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(exc.location, status_code=303)


def _form(
    *, next_: str | None, org: str | None, email: str = "", error: str = ""
) -> dict[str, object]:
    return {"next": safe_next(next_) or "", "org": org or "", "email": email, "error": error}


@router.get("/login", name="login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None, org: str | None = None) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request, "login.html", _form(next_=next, org=org)
    )


@router.post("/login", name="login_submit", response_class=HTMLResponse)
def login_submit(
    request: Request,
    container: ContainerDep,
    *,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "",
    org: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    try:
        user, token = sign_in(container.uow(), org or None, email, password)
    except TooManyAttempts as exc:
        message = f"Too many failed attempts. Try again in {exc.retry_after // 60 + 1} minutes."
        return _refuse(request, 429, message, next_=next, org=org, email=email)
    except Unauthorized:
        message = "The e-mail address or the password is not right."
        return _refuse(request, 401, message, next_=next, org=org, email=email)
    response = RedirectResponse(safe_next(next) or HOME_FOR_ROLE[user.role], status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
        path="/",
        secure=container.settings.base_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return response


def _refuse(
    request: Request, status: int, error: str, *, next_: str, org: str, email: str
) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "login.html",
        _form(next_=next_, org=org, email=email, error=error),
        status_code=status,
    )


@router.post("/logout", name="logout")
def logout(request: Request, container: ContainerDep, _principal: PagePrincipalDep) -> Response:
    """End the session (the CSRF token is checked by the dependency) and forget the cookie."""
    end_session(container.uow(), request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
