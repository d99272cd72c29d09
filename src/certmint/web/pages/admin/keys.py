"""Settings, signing keys (admins only): the organisation's DID, the key that signs now and
the retired ones (public halves only: the private key never leaves the key store), and
rotating the key after a confirmation. ``services.issuers.keys`` rotates and audit-logs."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response

from certmint.domain.accounts import Principal
from certmint.services.errors import TooManyAttempts
from certmint.services.issuers.keys import issuer_identity, rotate_signing_key
from certmint.web.deps import ContainerDep, PageAdminDep
from certmint.web.i18n import N_, translate
from certmint.web.pages.admin.common import FormDep, field, redirect, render

__all__ = ["router"]

router = APIRouter()
SECTION = "admin_keys"
# What the page says after a change (a fixed key in the URL, never text from the request).
DONE = ("rotated",)
MAX_REASON_CHARS = 1_000  # as the REST API allows


def _page(
    request: Request,
    principal: Principal,
    container: ContainerDep,
    *,
    problems: Sequence[object] = (),
    reason: str = "",
    status_code: int = 200,
) -> Response:
    done = request.query_params.get("done", "")
    identity = issuer_identity(container.uow(), principal.organisation_id, container.links)
    return render(
        request,
        "keys.html",
        {
            "identity": identity,
            "problems": problems,
            "reason": reason,
            "max_reason": MAX_REASON_CHARS,
            "done": done if done in DONE else "",
        },
        section="admin_settings",
        status_code=status_code,
    )


@router.get("/settings/keys", name=SECTION)
def keys_page(request: Request, principal: PageAdminDep, container: ContainerDep) -> Response:
    return _page(request, principal, container)


@router.post("/settings/keys/rotate", name="admin_key_rotate")
def rotate(
    request: Request, *, principal: PageAdminDep, container: ContainerDep, form: FormDep
) -> Response:
    """A new key signs from now on; the retired one stays in the DID document, so what it
    signed keeps verifying. Only with the box ticked: rotating cannot be undone."""
    reason = field(form, "reason").strip()[:MAX_REASON_CHARS]
    if field(form, "confirm") != "yes":
        problems = (translate(request, N_("Tick the box to confirm rotating the key.")),)
        return _page(
            request, principal, container, problems=problems, reason=reason, status_code=422
        )
    try:
        rotate_signing_key(
            container.uow(),
            container.signing.key_store,
            principal,
            reason=reason or None,
        )
    except TooManyAttempts as exc:
        wait = N_("The key was rotated several times in a row: try again in %(minutes)s min.")
        problems = (translate(request, wait, minutes=exc.retry_after // 60 + 1),)
        refused = _page(
            request, principal, container, problems=problems, reason=reason, status_code=429
        )
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    return redirect(request, SECTION, done="rotated")
