"""``certmint keys ...``: the organisation's signing keys."""

from __future__ import annotations

from typing import Annotated

import typer

from certmint.cli.state import in_organisation, print_json
from certmint.cli.terminal import console
from certmint.domain.accounts import Principal
from certmint.services.issuers.keys import rotate_signing_key

__all__ = ["app"]

app = typer.Typer(help="Signing keys (Ed25519) and the issuer's DID.")


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    org: Annotated[
        str | None, typer.Option(help="Organisation slug (default: the default one).")
    ] = None,
    reason: Annotated[str | None, typer.Option(help="Why (kept in the audit log).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Make a new signing key; the old one is retired but stays in the DID document, so the
    credentials it signed keep verifying."""
    with in_organisation(ctx, org) as (container, organisation):
        key = rotate_signing_key(
            container.uow(), container.key_store, Principal.at_shell(organisation.id), reason=reason
        )
    did = container.links.did(organisation)
    method = f"{did}#{key.public_key_multibase}"
    if as_json:
        print_json({"did": did, "verification_method": method, "created_at": key.created_at})
    else:
        console.print(method)
