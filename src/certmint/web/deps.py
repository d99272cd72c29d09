"""FastAPI dependencies as ``Annotated`` aliases, so route signatures stay short."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from certmint.bootstrap import Container
from certmint.domain.accounts import ApiToken, Role
from certmint.services.errors import Forbidden, Unauthorized
from certmint.services.tokens import authenticate_token
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["AdminTokenDep", "ContainerDep", "UowDep"]

_bearer = HTTPBearer(auto_error=False, description="An API token (`certmint tokens create`).")


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> SqlAlchemyUnitOfWork:
    return container.uow()


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]


def get_admin_token(
    container: Annotated[Container, Depends(get_container)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiToken:
    """The caller's API token, which must belong to an organisation admin."""
    if credentials is None:
        raise Unauthorized("send an API token: Authorization: Bearer cm_...")
    token = authenticate_token(container.uow(), credentials.credentials)
    if token.role is not Role.ADMIN:
        raise Forbidden("this needs an admin token")
    return token


AdminTokenDep = Annotated[ApiToken, Depends(get_admin_token)]
