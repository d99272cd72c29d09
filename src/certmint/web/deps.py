"""FastAPI dependencies as ``Annotated`` aliases, so route signatures stay short."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from certmint.bootstrap import Container
from certmint.storage.unit_of_work import SqlAlchemyUnitOfWork

__all__ = ["ContainerDep", "UowDep"]


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_uow(container: Annotated[Container, Depends(get_container)]) -> SqlAlchemyUnitOfWork:
    return container.uow()


ContainerDep = Annotated[Container, Depends(get_container)]
UowDep = Annotated[SqlAlchemyUnitOfWork, Depends(get_uow)]
