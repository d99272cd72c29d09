"""Errors as RFC 9457 problem details (``application/problem+json``), from one table.

Services raise their own errors; this module alone decides which HTTP status each becomes.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from certmint.services.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceError,
    TooManyAttempts,
    Unauthorized,
)

__all__ = ["PROBLEM_JSON", "install_problem_handlers", "problem_response"]

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "https://certmint.org/problems/"

_STATUS_FOR: tuple[tuple[type[ServiceError], HTTPStatus, str], ...] = (
    (NotFound, HTTPStatus.NOT_FOUND, "not-found"),
    (TooManyAttempts, HTTPStatus.TOO_MANY_REQUESTS, "too-many-attempts"),
    (Unauthorized, HTTPStatus.UNAUTHORIZED, "unauthorized"),
    (Forbidden, HTTPStatus.FORBIDDEN, "forbidden"),
    (Conflict, HTTPStatus.CONFLICT, "conflict"),
    (InvalidInput, HTTPStatus.UNPROCESSABLE_ENTITY, "invalid-input"),
)


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


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
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
            return response
    return problem_response(
        HTTPStatus.BAD_REQUEST, "Bad Request", detail=str(exc), instance=request.url.path
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != status.phrase else None
    response = problem_response(status, status.phrase, detail=detail, instance=request.url.path)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


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


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
