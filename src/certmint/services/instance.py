"""Setting up an instance: the schema and its default organisation."""

from __future__ import annotations

from dataclasses import dataclass

from certmint.domain.organisations import Organisation
from certmint.services.issuers.organisations import create_organisation
from certmint.services.unit_of_work import UnitOfWork

__all__ = ["InstanceStatus", "ensure_default_organisation"]


@dataclass(frozen=True, slots=True)
class InstanceStatus:
    organisation: Organisation
    created: bool


def ensure_default_organisation(
    uow: UnitOfWork, name: str, *, url: str = "", actor: str = "cli"
) -> InstanceStatus:
    """The default organisation, created with ``name`` if the instance has none yet.

    Idempotent, so ``certmint init`` can be run again safely.
    """
    with uow as tx:
        existing = tx.organisations.get_default()
    if existing is not None:
        return InstanceStatus(existing, created=False)
    organisation = create_organisation(uow, name, url=url, default=True, actor=actor)
    return InstanceStatus(organisation, created=True)
