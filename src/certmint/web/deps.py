"""FastAPI dependencies as ``Annotated`` aliases, so route signatures stay short."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from certmint.bootstrap import Container
from certmint.domain.accounts import ApiToken, Principal, Role
from certmint.services.errors import Forbidden, Unauthorized
from certmint.services.tokens import authenticate_token
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["AdminDep", "ContainerDep", "PrincipalDep", "StaffDep", "UowDep"]

_bearer = HTTPBearer(auto_error=False, description="An API token (`certmint tokens create`).")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> SqlAlchemyUnitOfWork:
    return container.uow()


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]


def _principal_of(token: ApiToken) -> Principal:
    return Principal(token.organisation_id, token.role, token_id=token.id)


def get_principal(
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Who is calling: an API token for now; browser sessions join here (issue 6)."""
    if credentials is None:
        raise Unauthorized("send an API token: Authorization: Bearer cm_...")
    return _principal_of(authenticate_token(container.uow(), credentials.credentials))


def get_staff(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """An organisation admin or a course manager; learners are refused."""
    if not principal.is_staff:
        raise Forbidden("this needs an admin or a course manager")
    return principal


def get_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.role is not Role.ADMIN:
        raise Forbidden("this needs an organisation admin")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]
StaffDep = Annotated[Principal, Depends(get_staff)]
AdminDep = Annotated[Principal, Depends(get_admin)]
