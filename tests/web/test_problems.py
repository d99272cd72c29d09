"""Service errors become RFC 9457 problem documents through the one table in problems.py."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from certmint.domain.enrolment_import import ImportProblem
from certmint.services.errors import (
    Conflict,
    ImportRejected,
    NotFound,
    ServiceError,
    SigningKeyUnavailable,
)
from certmint.web.problems import install_problem_handlers


def _app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    @app.get("/typed")
    def typed(n: int) -> int:
        return n

    return TestClient(app)


@pytest.mark.parametrize(
    ("error", "status", "type_"),
    [
        (NotFound("batch", "x"), 404, "https://certmint.org/problems/not-found"),
        (Conflict("already issued"), 409, "https://certmint.org/problems/conflict"),
        (
            ImportRejected([ImportProblem(3, "bad")]),
            422,
            "https://certmint.org/problems/invalid-input",
        ),
        (
            SigningKeyUnavailable("org#z6Mk", wrong_secret=True),
            503,
            "https://certmint.org/problems/signing-key-unavailable",
        ),
        (ServiceError("other"), 400, "about:blank"),
    ],
)
def test_service_errors_map_to_statuses(error: Exception, status: int, type_: str) -> None:
    response = _app_raising(error).get("/boom")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == type_ and body["status"] == status and body["instance"] == "/boom"


def test_invalid_input_lists_each_problem() -> None:
    body = (
        _app_raising(ImportRejected([ImportProblem(3, "bad"), ImportProblem(5, "worse")]))
        .get("/boom")
        .json()
    )
    assert body["errors"] == ["line 3: bad", "line 5: worse"]


def test_request_validation_is_a_problem_too() -> None:
    response = _app_raising(ValueError()).get("/typed", params={"n": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "https://certmint.org/problems/invalid-request"
    assert body["errors"][0]["location"] == ["query", "n"]
