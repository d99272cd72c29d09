"""The admin pages under ``/admin``: server-rendered, usable without JavaScript.

One module per screen; each handler parses the request, calls services and renders a
template from ``templates/admin/``. Scope (organisation and courses) is decided by the
services (``services.authorization``), so an id outside it is a 404 here as everywhere.
"""

from __future__ import annotations

from fastapi import APIRouter

from certmint.web.pages.admin import (
    audit,
    batches,
    certificates,
    dashboard,
    email_templates,
    imports,
    issuance,
    keys,
    organisations,
    templates,
    users,
    webhooks,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
for module in (
    dashboard,
    templates,
    batches,
    imports,
    issuance,
    certificates,
    audit,
    users,
    email_templates,
    webhooks,
    keys,
    organisations,
):
    router.include_router(module.router, prefix="/admin")
