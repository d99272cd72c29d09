"""``certmint tokens ...``: API tokens for integrations (an LMS, a test suite)."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from certmint.cli.state import OrgOption, in_organisation, print_json
from certmint.cli.terminal import console
from certmint.domain.accounts import Principal, Role
from certmint.services.catalogue.roster import resolve_course
from certmint.services.identity.tokens import create_token, list_tokens, revoke_token

__all__ = ["app"]

app = typer.Typer(help="API tokens: shown once, stored hashed, revocable.")


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="What the token is for (shown in lists).")],
    role: Annotated[
        Role, typer.Option(help="What it may do: admin or course_manager.")
    ] = Role.ADMIN,
    course: Annotated[
        list[str] | None,
        typer.Option(help="A course a course-manager token may touch (id or LMS id); repeat."),
    ] = None,
    operator: Annotated[
        bool,
        typer.Option(help="An admin token that also manages the instance's organisations."),
    ] = False,
    org: OrgOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create a token and print its secret, once: it is stored only as a hash."""
    with in_organisation(ctx, org) as (container, organisation):
        course_ids = [resolve_course(container.uow(), organisation.id, c).id for c in course or ()]
        token, secret = create_token(
            container.uow(),
            Principal.at_shell(organisation.id),
            name=name,
            role=role,
            course_ids=course_ids,
            operator=operator,
        )
    if as_json:
        print_json(
            {
                "id": token.id,
                "name": token.name,
                "role": token.role,
                "operator": token.operator,
                "token": secret,
            }
        )
    else:
        console.print(secret)


@app.command("list")
def list_(ctx: typer.Context, org: OrgOption = None) -> None:
    """Tokens of the organisation (never their secrets)."""
    with in_organisation(ctx, org) as (container, organisation):
        tokens = list_tokens(container.uow(), Principal.at_shell(organisation.id))
    for t in tokens:
        scope = "all courses" if t.course_ids is None else f"{len(t.course_ids)} course(s)"
        line = [
            str(t.id),
            t.name,
            t.role,
            scope,
            t.prefix + "…",
            f"created {t.created_at:%Y-%m-%d}",
        ]
        if t.last_used_at:
            line.append(f"last used {t.last_used_at:%Y-%m-%d %H:%M}")
        if t.revoked_at:
            line.append(f"revoked {t.revoked_at:%Y-%m-%d}")
        console.print("  ".join(line))


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[uuid.UUID, typer.Argument(help="Token id (from `tokens list`).")],
    org: OrgOption = None,
) -> None:
    """Revoke a token at once."""
    with in_organisation(ctx, org) as (container, organisation):
        revoke_token(container.uow(), Principal.at_shell(organisation.id), token_id)
    console.print(f"revoked {token_id}")
