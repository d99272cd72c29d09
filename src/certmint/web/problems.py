"""Errors as RFC 9457 problem details (``application/problem+json``), from one table.

Services raise their own errors; this module alone decides which HTTP status each becomes.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from certmint.domain.messages import Message, Said
from certmint.environment import Trouble, diagnose
from certmint.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
    SigningKeyUnavailable,
    TooManyAttempts,
    Unauthorized,
)

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "install_problem_handlers",
    "problem_response",
    "problems",
]

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://certmint.org/problems/"

_STATUS_FOR: tuple[tuple[type[ServiceError], HTTPStatus, str], ...] = (
    (NotFound, HTTPStatus.NOT_FOUND, "not-found"),
    (TooManyAttempts, HTTPStatus.TOO_MANY_REQUESTS, "too-many-attempts"),
    (Unauthorized, HTTPStatus.UNAUTHORIZED, "unauthorized"),
    (Forbidden, HTTPStatus.FORBIDDEN, "forbidden"),
    (Conflict, HTTPStatus.CONFLICT, "conflict"),
    (InvalidInput, HTTPStatus.UNPROCESSABLE_ENTITY, "invalid-input"),
    # The operator's master secret does not open the keys: nothing the client can change.
    (SigningKeyUnavailable, HTTPStatus.SERVICE_UNAVAILABLE, "signing-key-unavailable"),
)


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error of the API is sent."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["https://certmint.org/problems/not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["course AZPnR2y2dBq0kUvJ6mN1xQ not found"])
    instance: str | None = Field(default=None, examples=["/api/v1/courses/AZPnR2y2dBq0kUvJ6mN1xQ"])
    errors: list[Any] | None = Field(
        default=None,
        description="What was wrong, one entry per problem (422 only).",
        examples=[["row 3: email 'x' is not an e-mail address"]],
    )


_MEANINGS = {
    400: "The request could not be processed.",
    401: "No credentials, or an unknown or revoked API token.",
    403: "The token's role may not do this.",
    404: "No such object in your organisation and courses (another tenant's ids look the same).",
    409: "The change contradicts what is stored.",
    422: "The input was rejected; `errors` says where and why.",
    429: "Too many requests: `Retry-After` says in how many seconds to try again.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each an ``application/problem+json``."""
    return {
        status: {
            "description": _MEANINGS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def problem_response(
    status: int,
    title: str,
    *,
    detail: str | None = None,
    slug: str | None = None,
    instance: str | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug if slug else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _page(
    request: Request,
    response: JSONResponse,
    title: str,
    detail: Said | str | None,
    problems: Sequence[Said | str] | None = None,
) -> Response:
    """A browser navigating to a page (it asks for HTML) gets a readable page instead of the
    problem JSON; API clients and scripts (``fetch`` asks for ``*/*``) keep the JSON. The page
    shows messages in its reader's language; the JSON stays English."""
    if "text/html" not in request.headers.get("accept", ""):
        return response
    signed_in = getattr(request.state, "principal", None) is not None
    admin_frame = signed_in and request.url.path.startswith("/admin")
    page: Response = request.app.state.templates.TemplateResponse(
        request,
        "admin/error.html" if admin_frame else "error.html",
        {
            "status": response.status_code,
            "title": title,
            "detail": detail,
            "problems": problems,
            "back": _back(request),
        },
        status_code=response.status_code,
        headers={k: v for k, v in response.headers.items() if k.lower() == "retry-after"},
    )
    return page


def _back(request: Request) -> str | None:
    """The page the reader came from, when it is a page of this site other than this one: a
    refused form's way back to what was typed. Another site's address is never linked."""
    referer = urlsplit(request.headers.get("referer", ""))
    here = request.url
    if (referer.scheme, referer.netloc) != (here.scheme, here.netloc) or not referer.path:
        return None
    back = urlunsplit(("", "", referer.path, referer.query, ""))
    return None if back == urlunsplit(("", "", here.path, here.query, "")) else back


async def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    for error_type, status, slug in _STATUS_FOR:
        if isinstance(exc, error_type):
            extensions: dict[str, Any] = {}
            if isinstance(exc, InvalidInput):
                extensions["errors"] = [str(p) for p in exc.problems]
            response = problem_response(
                status,
                status.phrase,
                detail=str(exc),
                slug=slug,
                instance=request.url.path,
                **extensions,
            )
            if isinstance(exc, TooManyAttempts):
                response.headers["Retry-After"] = str(exc.retry_after)
            elif isinstance(exc, Unauthorized):
                response.headers["WWW-Authenticate"] = 'Bearer realm="certmint"'
            detail = exc.detail if isinstance(exc, Conflict | Forbidden) else str(exc)
            problems = exc.problems if isinstance(exc, InvalidInput) else None
            return _page(request, response, status.phrase, detail, problems)
    return problem_response(
        HTTPStatus.BAD_REQUEST, "Bad Request", detail=str(exc), instance=request.url.path
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != status.phrase else None
    response = problem_response(status, status.phrase, detail=detail, instance=request.url.path)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return _page(request, response, status.phrase, detail)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"location": list(map(str, error["loc"])), "message": error["msg"]}
        for error in exc.errors()
    ]
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "Unprocessable Content",
        slug="invalid-request",
        detail="the request does not match the API's schema",
        instance=request.url.path,
        errors=errors,
    )


# What a reader is told when the server's surroundings fail in the middle of a request; the
# operator's sentence (which names paths and settings) goes to the log only.
_UNAVAILABLE: dict[Trouble, Message] = {
    Trouble.DISK_FULL: Message("the server's disk is full, so nothing can be saved now"),
    Trouble.NOT_WRITABLE: Message("the server cannot write its files now"),
    Trouble.DATABASE: Message("the server cannot reach its database now"),
}
_OTHERWISE = Message("the server is not set up to answer this now")


async def _environment_error(request: Request, exc: Exception) -> Response:
    """A full disk, a read-only one or a lost database during a request: 503 and one sentence
    (as the command line and the server's start say it), never a traceback. Anything else
    is a bug, left to the server's 500."""
    problem = diagnose(exc, request.app.state.container.settings)
    if problem is None:
        raise exc
    log.error("%s %s: %s", request.method, request.url.path, problem.sentence)
    said = Message(
        "%(trouble)s: please try again later; the operator has been told",
        trouble=_UNAVAILABLE.get(problem.trouble, _OTHERWISE),
    )
    status = HTTPStatus.SERVICE_UNAVAILABLE
    response = problem_response(
        status, status.phrase, detail=str(said), slug="unavailable", instance=request.url.path
    )
    response.headers["Retry-After"] = "60"
    return _page(request, response, status.phrase, said)


def install_problem_handlers(app: FastAPI) -> None:
    """Send every error as a problem document, and describe that document in the OpenAPI."""
    app.add_exception_handler(ServiceError, _service_error)
    for environment_error in (OSError, DBAPIError, sqlite3.Error):
        app.add_exception_handler(environment_error, _environment_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    build_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build_openapi()  # which keeps it as app.openapi_schema
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema()
            return schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
