"""What every command shares: lazily loaded settings and container, and error presentation.

Nothing is read from the environment until a command needs it, so ``certmint --help`` works on
a machine with no configuration at all. Errors are presented in one place, ``cli.errors``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, NoReturn

import typer

from certmint.bootstrap import Container, bootstrap, open_instance
from certmint.cli.errors import EXIT_CONFLICT, EXIT_INVALID, EXIT_NOT_FOUND, say_error
from certmint.config import Settings, load_settings
from certmint.domain.organisations import Organisation
from certmint.services.issuers.organisations import find_organisation

__all__ = [
    "EXIT_CONFLICT",
    "EXIT_INVALID",
    "EXIT_NOT_FOUND",
    "JsonOption",
    "OrgOption",
    "State",
    "in_organisation",
    "print_json",
    "state",
]

# Options every command group uses.
OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organisation slug (default: the default one).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@dataclass
class State:
    overrides: dict[str, Any] = field(default_factory=dict)
    _settings: Settings | None = None
    _container: Container | None = None

    @property
    def settings(self) -> Settings:
        """Loaded on first use; a refused setting raises (``cli.errors`` words it)."""
        if self._settings is None:
            self._settings = load_settings(**self.overrides)
        return self._settings

    @property
    def loaded_settings(self) -> Settings | None:
        """The settings if they were loaded, for presenting an error."""
        return self._settings

    def reload(self) -> Settings:
        self.close()
        self._settings = None
        return self.settings

    def container(self, *, migrate: bool = False) -> Container:
        """The instance's container: an initialised one (``EnvironmentProblem`` otherwise, and
        nothing is created), or with ``migrate`` one whose schema is brought up to date."""
        if self._container is None:
            self._container = (
                bootstrap(self.settings, migrate=True) if migrate else open_instance(self.settings)
            )
        return self._container

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


def state(ctx: typer.Context) -> State:
    found = ctx.find_object(State)
    if found is None:
        found = ctx.ensure_object(State)
    return found


def fail(code: int, message: str) -> NoReturn:
    say_error(message)
    raise typer.Exit(code)


@contextmanager
def in_organisation(
    ctx: typer.Context, slug: str | None
) -> Iterator[tuple[Container, Organisation]]:
    """The container and the organisation a command acts for (errors are presented by
    ``cli.errors``, around every command)."""
    container = state(ctx).container()
    yield container, find_organisation(container.uow(), slug)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")
