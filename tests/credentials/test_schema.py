"""1EdTech's OB 3.0 JSON schema, applied as published: the bundled copy is byte for byte the
published one, and a credential is valid against it or the answer says where it is not."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from certmint.credentials import SchemaError, build_credential, check_ob3_schema
from tests.credentials.conftest import make_data, with_two_status_entries

BUNDLED = (
    Path(__file__).resolve().parents[2]
    / "src/certmint/credentials/data/schemas/ob_v3p0_achievementcredential_schema.json"
)
#: SHA-256 of 1EdTech/openbadges-specification, gh-pages, docs/schema/achievementcredential.json
#: at c73e9663afcdbe009a224f7be061ac895168a5b8 (the copy in shared/standards/schemas/).
PUBLISHED_SHA256 = "5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a"
BASE = "https://certs.example.org/status"


def test_the_bundled_schema_is_the_published_one() -> None:
    assert hashlib.sha256(BUNDLED.read_bytes()).hexdigest() == PUBLISHED_SHA256


def test_what_certmint_issues_is_valid(sign: Callable[..., dict[str, Any]]) -> None:
    detail = check_ob3_schema(sign(build_credential(make_data())))
    assert str(detail) == (
        "Open Badges 3.0 credential (VC 2.0), valid against the OB 3.0 JSON schema"
    )


@pytest.mark.parametrize(
    ("reshape", "fields"),
    [
        (lambda d: d | {"proof": d["proof"][0]}, "proof"),
        (lambda d: with_two_status_entries(d, BASE, 7), "credentialStatus"),
        (
            lambda d: with_two_status_entries(d, BASE, 7) | {"proof": d["proof"][0]},
            "credentialStatus, proof",
        ),
    ],
    ids=["one-proof-object", "two-status-entries", "both"],
)
def test_forms_vc2_allows_are_named_not_passed_off_as_valid(
    reshape: Callable[[dict[str, Any]], dict[str, Any]],
    fields: str,
    sign: Callable[..., dict[str, Any]],
) -> None:
    document = reshape(sign(build_credential(make_data())))
    assert str(check_ob3_schema(document)).endswith(
        f"not valid against the OB 3.0 JSON schema as published, which does not allow the form"
        f" VC 2.0 allows of {fields}"
    )


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        # a form VC 2.0 allows does not hide another error
        (lambda d: d.update(credentialStatus=[d["credentialStatus"]], validFrom=7), "validFrom"),
        # its items must still meet the schema's definitions
        (lambda d: d.update(credentialStatus=[{"id": 5}]), "credentialStatus/0"),
        (lambda d: d.update(proof={"type": 5}), "proof/type"),
        # a form VC 2.0 does not allow
        (lambda d: d.update(credentialStatus="https://e.org/status"), "credentialStatus"),
        (lambda d: d["credentialSubject"].pop("achievement"), "credentialSubject"),
    ],
    ids=["other-error", "bad-entry", "bad-proof", "status-string", "no-achievement"],
)
def test_every_other_failure_is_refused(
    mutate: Callable[[dict[str, Any]], Any], where: str, sign: Callable[..., dict[str, Any]]
) -> None:
    document = copy.deepcopy(sign(build_credential(make_data())))
    mutate(document)
    with pytest.raises(SchemaError) as refused:
        check_ob3_schema(document)
    assert str(refused.value).startswith(f"OB 3.0 schema: {where}")
