"""FastAPI dependencies as ``Annotated`` aliases, so route signatures stay short.

Who is calling is a ``Principal``, from an API token (``Authorization: Bearer cm_...``) or from
the session cookie a browser got at ``/login``. A cookie-authenticated unsafe request (POST,
PUT, PATCH, DELETE) must also carry the session's CSRF token, in the form field ``csrf_token``
or the header ``X-CSRF-Token``; a token request is exempt (a browser never adds it on its own).

API routes answer 401 to an anonymous caller (``PrincipalDep``, ``StaffDep``, ``AdminDep``);
pages send the browser to ``/login?next=...`` instead (``PagePrincipalDep``, ``PageStaffDep``,
``PageAdminDep``, ``PageLearnerDep``).

This module only authenticates. Whether the principal may do what a route does is the policy's
(``services.authorization``): a guard names the route's action (``StaffDep``: working with
courses, ``AdminDep``: the organisation's settings, ``PageLearnerDep``: a learner's own pages)
and asks ``authorization.require``, before the route reads its ids, so a role that may not act
is a 403 whichever id it names; the use cases the route calls ask the policy about each object.

``RouteAccess.of(route.dependant).admits(principal)`` asks the policy about a route's action (the
guards above that it declares) without calling the route: pages show a link, button or form
only when the person viewing them may use it (``can()`` in templates), by the very rule the
route enforces.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from certmint.bootstrap import Container
from certmint.domain.accounts import Principal
from certmint.services import authorization
from certmint.services.authorization import Action
from certmint.services.errors import Forbidden, Unauthorized
from certmint.services.identity.sessions import resolve_session
from certmint.services.identity.tokens import authenticate_token
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AdminDep",
    "ContainerDep",
    "OperatorDep",
    "PageAdminDep",
    "PageLearnerDep",
    "PageOperatorDep",
    "PagePrincipalDep",
    "PageStaffDep",
    "PrincipalDep",
    "RouteAccess",
    "SignInRequired",
    "StaffDep",
    "UowDep",
    "safe_next",
]

SESSION_COOKIE = "certmint_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

_bearer = HTTPBearer(auto_error=False, description="An API token (`certmint tokens create`).")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="A browser session (sign in at /login)."
)


class SignInRequired(Exception):
    """A page needs a signed-in user: the app answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.location = f"/login?next={quote(next_path, safe='/')}"


def safe_next(value: str | None) -> str | None:
    """``value`` if it is a path on this site (where to go after signing in), else None.

    Only a single leading slash passes: ``//evil.example`` and ``/\\evil.example`` are read by
    browsers as other hosts, and anything with a scheme or a host is refused."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or not value.isprintable():
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> SqlAlchemyUnitOfWork:
    return container.uow()


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]


async def _csrf_sent(request: Request) -> AsyncIterator[str | None]:
    """The CSRF token the request carries, read only where one is needed.

    Reading it from a form parses the form (uploads spool to temporary files); the form is
    closed when the request ends, also when the request is refused before a handler reads it."""
    if request.method not in UNSAFE_METHODS:
        yield None
        return
    header = request.headers.get(CSRF_HEADER)
    if header is not None or not request.headers.get("content-type", "").startswith(FORM_TYPES):
        yield header
        return
    form = await request.form()
    try:
        value = form.get(CSRF_FIELD)
        yield value if isinstance(value, str) else None
    finally:
        await form.close()


def get_principal(
    request: Request,
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
    csrf_sent: Annotated[str | None, Depends(_csrf_sent)],
) -> Principal:
    """Who is calling: an API token if one is sent, else the session cookie.

    A session's CSRF token is kept on ``request.state.csrf_token`` for the pages' forms
    (``csrf_input()`` in templates), and the principal on ``request.state.principal``."""
    if credentials is not None:
        token = authenticate_token(
            container.uow(read_only=True),
            credentials.credentials,
            writer=container.uow(read_only=False),
        )
        principal = Principal.of_token(token)
    elif cookie is None:
        raise Unauthorized("sign in, or send an API token: Authorization: Bearer cm_...")
    else:
        session, user = resolve_session(
            container.uow(read_only=True), cookie, writer=container.uow(read_only=False)
        )
        request.state.csrf_token = session.csrf_token
        if request.method in UNSAFE_METHODS and not (
            csrf_sent and secrets.compare_digest(csrf_sent, session.csrf_token)
        ):
            raise Forbidden(f"missing or wrong CSRF token (form field {CSRF_FIELD})")
        principal = Principal.of_user(user)
    request.state.principal = principal  # whose links the page shows (``can()``)
    return principal


def get_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """One who may work with courses (``Action.WORK_WITH_COURSES``)."""
    return _acting(principal, Action.WORK_WITH_COURSES)


def get_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """One who may change the organisation's settings (``Action.ADMINISTER``)."""
    return _acting(principal, Action.ADMINISTER)


def get_operator(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """One who manages the instance's organisations (``Action.OPERATE_INSTANCE``)."""
    return _acting(principal, Action.OPERATE_INSTANCE)


def get_page_principal(
    request: Request,
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
    csrf_sent: Annotated[str | None, Depends(_csrf_sent)],
) -> Principal:
    """As ``get_principal``, but an anonymous browser is sent to the sign-in page."""
    try:
        return get_principal(request, container, credentials, cookie, csrf_sent)
    except Unauthorized:
        query = request.url.query
        raise SignInRequired(request.url.path + (f"?{query}" if query else "")) from None


def get_page_staff(principal: Annotated[Principal, Depends(get_page_principal)]) -> Principal:
    return _acting(principal, Action.WORK_WITH_COURSES)


def get_page_admin(principal: Annotated[Principal, Depends(get_page_principal)]) -> Principal:
    return _acting(principal, Action.ADMINISTER)


def get_page_operator(principal: Annotated[Principal, Depends(get_page_principal)]) -> Principal:
    return _acting(principal, Action.OPERATE_INSTANCE)


def get_page_learner(principal: Annotated[Principal, Depends(get_page_principal)]) -> Principal:
    """A learner account with its learner record (``Action.SEE_OWN_CERTIFICATES``)."""
    return _acting(principal, Action.SEE_OWN_CERTIFICATES)


def _acting(principal: Principal, action: Action) -> Principal:
    authorization.require(principal, action)
    return principal


# Who a route admits, as the route's dependencies say: these need someone signed in, and
# these name the action the route performs (the policy decides who may).
_SIGNED_IN: frozenset[Callable[..., Principal]] = frozenset({get_principal, get_page_principal})
_GUARDS: dict[Callable[..., Principal], Action] = {
    get_staff: Action.WORK_WITH_COURSES,
    get_admin: Action.ADMINISTER,
    get_page_staff: Action.WORK_WITH_COURSES,
    get_page_admin: Action.ADMINISTER,
    get_page_learner: Action.SEE_OWN_CERTIFICATES,
    get_operator: Action.OPERATE_INSTANCE,
    get_page_operator: Action.OPERATE_INSTANCE,
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., object]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


@dataclass(frozen=True, slots=True)
class RouteAccess:
    """Who a route lets in, read from the dependencies it declares."""

    signed_in: bool
    actions: frozenset[Action]

    @classmethod
    def of(cls, dependant: Dependant) -> RouteAccess:
        calls = set(_calls(dependant))
        guards = [g for g in _GUARDS if g in calls]
        return cls(bool(calls & _SIGNED_IN) or bool(guards), frozenset(_GUARDS[g] for g in guards))

    def admits(self, principal: Principal | None) -> bool:
        """Whether ``principal`` (None: nobody signed in) may do what the route does, as the
        policy says. Ids the route takes are checked when it runs; pages link only to objects
        their services showed the principal."""
        if principal is None:
            return not self.signed_in
        return all(authorization.allows(principal, action) for action in self.actions)


PrincipalDep = Annotated[Principal, Depends(get_principal)]
StaffDep = Annotated[Principal, Depends(get_staff)]
AdminDep = Annotated[Principal, Depends(get_admin)]
PagePrincipalDep = Annotated[Principal, Depends(get_page_principal)]
PageStaffDep = Annotated[Principal, Depends(get_page_staff)]
PageAdminDep = Annotated[Principal, Depends(get_page_admin)]
PageLearnerDep = Annotated[Principal, Depends(get_page_learner)]
OperatorDep = Annotated[Principal, Depends(get_operator)]
PageOperatorDep = Annotated[Principal, Depends(get_page_operator)]
