"""Liveness and readiness for load balancers and ``make run``'s first check."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from certmint import __version__
from certmint.services.health import check_database
from certmint.web.deps import ContainerDep

__all__ = ["router"]

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    version: str


@router.get(
    "/healthz", response_model=Health, summary="Is the service up and its database reachable?"
)
def healthz(container: ContainerDep) -> Health:
    database_ok = check_database(container.uow())
    return Health(
        status="ok" if database_ok else "degraded",
        database="ok" if database_ok else "unavailable",
        version=__version__,
    )
