"""The signed-in person's own account page, ``/account``: who they are, the organisation they
act in and the others they may switch to (``POST /account/organisation``), and setting or
changing their password (the current one is needed when one is set; a learner who signed in
by an e-mailed link and has none sets one). Their other sessions end; this one stays."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from certmint.services import authorization
from certmint.services.authorization import Action
from certmint.services.errors import InvalidInput, TooManyAttempts, Unauthorized
from certmint.services.identity.accounts import (
    MIN_PASSWORD_LENGTH,
    change_own_password,
    has_password,
)
from certmint.services.identity.memberships import acting_as, switch_organisation
from certmint.web.deps import SESSION_COOKIE, ContainerDep, PagePrincipalDep
from certmint.web.pages.login import HOME_FOR_ROLE, session_redirect

__all__ = ["router"]

router = APIRouter(tags=["pages"], include_in_schema=False)
PasswordField = Annotated[str, Form(max_length=1000)]


def _page(
    request: Request,
    container: ContainerDep,
    principal: PagePrincipalDep,
    *,
    status: int = 200,
    **values: Any,
) -> Response:
    """The account page; ``error`` names what went wrong (the template words it)."""
    user, with_password = has_password(container.uow(), principal)
    templates = request.app.state.templates
    context = {
        "user": user,
        "has_password": with_password,
        "is_learner": authorization.allows(principal, Action.SEE_OWN_CERTIFICATES),
        "acting": acting_as(container.uow(), principal),
        "min_length": MIN_PASSWORD_LENGTH,
        "error": "",
        "done": request.query_params.get("done") == "password",
        **values,
    }
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        "account.html",
        context,
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/account", name="account", response_class=HTMLResponse)
def account_page(
    request: Request, container: ContainerDep, principal: PagePrincipalDep
) -> Response:
    return _page(request, container, principal)


@router.post("/account/password", name="account_password", response_class=HTMLResponse)
def account_password(
    request: Request,
    container: ContainerDep,
    principal: PagePrincipalDep,
    *,
    new_password: PasswordField,
    repeat_password: PasswordField,
    current_password: PasswordField = "",
) -> Response:
    if new_password != repeat_password:
        return _page(request, container, principal, error="mismatch", status=422)
    try:
        change_own_password(
            container.uow(),
            principal,
            current=current_password,
            new=new_password,
            session_token=request.cookies.get(SESSION_COOKIE, ""),
        )
    except TooManyAttempts as exc:
        minutes = exc.retry_after // 60 + 1
        return _page(request, container, principal, error="throttled", minutes=minutes, status=429)
    except Unauthorized:
        return _page(request, container, principal, error="current", status=400)
    except InvalidInput:
        return _page(request, container, principal, error="policy", status=422)
    return RedirectResponse(str(request.url_for("account")) + "?done=password", status_code=303)


@router.post("/account/organisation", name="account_organisation")
def account_organisation(
    request: Request,
    container: ContainerDep,
    principal: PagePrincipalDep,
    *,
    organisation: Annotated[str, Form(max_length=60)],
) -> Response:
    """Act in another of the person's organisations: a new session there (the CSRF token was
    checked by the dependency), then that organisation's home page."""
    user, token = switch_organisation(
        container.uow(), principal, request.cookies.get(SESSION_COOKIE, ""), organisation
    )
    return session_redirect(container, token, HOME_FOR_ROLE[user.role])
