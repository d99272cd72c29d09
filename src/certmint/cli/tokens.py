"""``certmint tokens ...``: API tokens for integrations (an LMS, a test suite)."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from certmint.cli.state import OrgOption, in_organisation, print_json
from certmint.domain.accounts import Role
from certmint.services.tokens import create_token, list_tokens, revoke_token

__all__ = ["app"]

app = typer.Typer(help="API tokens: shown once, stored hashed, revocable.")
console = Console(soft_wrap=True)


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="What the token is for (shown in lists).")],
    role: Annotated[Role, typer.Option(help="What it may do.")] = Role.ADMIN,
    org: OrgOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create a token and print its secret, once: it is stored only as a hash."""
    with in_organisation(ctx, org) as (container, organisation):
        token, secret = create_token(
            container.uow(), organisation.id, name=name, role=role, actor="cli"
        )
    if as_json:
        print_json({"id": token.id, "name": token.name, "role": token.role, "token": secret})
    else:
        console.print(secret)


@app.command("list")
def list_(ctx: typer.Context, org: OrgOption = None) -> None:
    """Tokens of the organisation (never their secrets)."""
    with in_organisation(ctx, org) as (container, organisation):
        tokens = list_tokens(container.uow(), organisation.id)
    table = Table("id", "name", "role", "starts with", "created", "last used", "revoked")
    for t in tokens:
        table.add_row(
            str(t.id),
            t.name,
            t.role,
            t.prefix + "…",
            f"{t.created_at:%Y-%m-%d}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
            f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "",
        )
    console.print(table)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[uuid.UUID, typer.Argument(help="Token id (from `tokens list`).")],
    org: OrgOption = None,
) -> None:
    """Revoke a token at once."""
    with in_organisation(ctx, org) as (container, organisation):
        revoke_token(container.uow(), organisation.id, token_id, actor="cli")
    console.print(f"revoked {token_id}")
