"""What every command shares: lazily loaded settings and container, and error presentation.

Nothing is read from the environment until a command needs it, so ``certmint --help`` works on
a machine with no configuration at all.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError

from certmint.bootstrap import Container, bootstrap
from certmint.cli.terminal import err_console, styled
from certmint.config import Settings, load_settings
from certmint.domain.organisations import Organisation
from certmint.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from certmint.services.organisations import find_organisation

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

EXIT_INVALID = 1
EXIT_NOT_FOUND = 3
EXIT_CONFLICT = 4

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
        if self._settings is None:
            try:
                self._settings = load_settings(**self.overrides)
            except ValidationError as exc:
                fail(EXIT_INVALID, f"configuration error: {exc}")
        return self._settings

    def reload(self) -> Settings:
        self.close()
        self._settings = None
        return self.settings

    def container(self, *, migrate: bool = False) -> Container:
        if self._container is None:
            self._container = bootstrap(self.settings, migrate=migrate)
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
    err_console.print(styled(("error:", "bold red"), f" {message}"))
    raise typer.Exit(code)


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn use-case errors into messages and exit codes (documented in docs/cli.md)."""
    try:
        yield
    except InvalidInput as exc:
        for problem in exc.problems:
            err_console.print(f"  {problem}")
        fail(EXIT_INVALID, exc.summary)
    except NotFound as exc:
        fail(EXIT_NOT_FOUND, str(exc))
    except Conflict as exc:
        fail(EXIT_CONFLICT, str(exc))
    except ServiceError as exc:
        fail(EXIT_INVALID, str(exc))


@contextmanager
def in_organisation(
    ctx: typer.Context, slug: str | None
) -> Iterator[tuple[Container, Organisation]]:
    """The container and the organisation a command acts for, with service errors presented."""
    container = state(ctx).container()
    with service_errors():
        yield container, find_organisation(container.uow(), slug)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n")
