"""The REST API, ``/api/v1``: one module per resource group, joined here.

Handlers are thin: they parse, load what the caller may see (``services.access``), call one
service and shape the answer. Every error is an RFC 9457 problem (``web.problems``), every
listing is cursor-paginated (``pagination``), and every id is the unguessable 22-character form.
"""

from __future__ import annotations

from fastapi import APIRouter

from certmint.web.api.v1 import (
    achievements,
    certificates,
    courses,
    enrolments,
    jobs,
    keys,
    learners,
    organisation,
    organisations,
    templates,
    verification,
    webhooks,
)

__all__ = ["PREFIX", "router"]

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
for module in (
    organisation,
    organisations,
    courses,
    learners,
    enrolments,
    templates,
    achievements,
    jobs,
    certificates,
    verification,
    keys,
    webhooks,
):
    router.include_router(module.router)
