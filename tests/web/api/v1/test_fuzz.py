"""Property-based fuzzing of the whole REST API from its own OpenAPI document (schemathesis).

Every operation under ``/api/v1`` gets generated requests (valid and invalid bodies, queries
and ids), sent in-process through ASGI with this organisation's admin token, and every answer
must be no server error and conform to the document: a declared status, a declared content
type and a body matching its schema. Path ids are either generated or real ones of the world,
so handlers run on real objects too. The example count is bounded to keep the run short.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from certmint.bootstrap import Container
from certmint.web.app import create_app
from tests.web.api.v1.conftest import World
from tests.web.api.v1.test_authorisation import path_value

EXAMPLES = 4  # per operation, about 150 requests in all: well under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_fuzz_the_api(container: Container, world: World) -> None:
    app = create_app(container)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = world.headers("admin")
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().path.startswith("/api/v1/")
    ]
    assert len(operations) >= 30
    for operation in operations:
        _fuzz(operation, world, headers)


def _fuzz(operation: Any, world: World, headers: dict[str, str]) -> None:
    names = re.findall(r"\{(\w+)\}", operation.path)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), real_ids=st.booleans())
    def run(case: Any, real_ids: bool) -> None:
        if real_ids and names:
            case.path_parameters = {n: path_value(n, world) for n in names}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()
