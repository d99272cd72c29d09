"""Open Badges 3.0's JSON schema, applied as 1EdTech publishes it.

1EdTech's AchievementCredential schema (https://purl.imsglobal.org/spec/ob/v3p0/schema/json/
ob_v3p0_achievementcredential_schema.json, bundled byte for byte) is what 1EdTech's validator,
badge wallets and conformance checks apply. It is never changed here and a document is never
reshaped to pass it: a credential either is valid against it, or the answer says where not.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NoReturn

import jsonschema

from certmint.credentials._loader import ob3_json_schema
from certmint.credentials.errors import SchemaError
from certmint.domain.messages import Joined, Message

__all__ = ["check_ob3_schema"]


@cache
def _ob3_validator(definition: str | None = None) -> jsonschema.protocols.Validator:
    """The OB 3.0 credential schema, or one of its ``$defs`` on its own."""
    schema = ob3_json_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    if definition is not None:
        schema = {k: v for k, v in schema.items() if k in ("$schema", "$defs")} | {
            "$ref": f"#/$defs/{definition}"
        }
    return validator_class(schema)


#: Where VC 2.0 and Data Integrity allow a form that OB 3.0's schema does not, the JSON type of
#: that form and the schema's definition each of its items must still meet: one proof object
#: (https://www.w3.org/TR/vc-data-integrity/#proofs; jsonld-signatures writes a single proof so)
#: and a list of status entries (https://www.w3.org/TR/vc-data-model-2.0/#status; Certmint
#: issued a revocation and a suspension entry until 2026-12).
_VC2_FORMS = {"proof": (dict, "Proof"), "credentialStatus": (list, "CredentialStatus")}


def check_ob3_schema(document: dict[str, Any]) -> Message:
    """Validate ``document`` as it is against the OB 3.0 schema as published; return the detail.

    Raises ``SchemaError`` when it is not valid, except when it fails only by a form VC 2.0
    allows (:data:`_VC2_FORMS`) whose items each meet the schema's definition: such a
    credential is a VC 2.0 credential, and the detail says that it is not valid against the
    OB 3.0 schema, and where. The schema is never changed and the document never reshaped.
    """
    errors = list(_ob3_validator().iter_errors(document))
    if not errors:
        return Message("Open Badges 3.0 credential (VC 2.0), valid against the OB 3.0 JSON schema")
    forms = {
        name
        for e in errors
        if e.validator == "type"
        and len(e.absolute_path) == 1
        and (name := str(e.absolute_path[0])) in _VC2_FORMS
        and isinstance(e.instance, _VC2_FORMS[name][0])
    }
    others = [e for e in errors if not (len(e.absolute_path) == 1 and e.absolute_path[0] in forms)]
    if others:
        _raise_schema_error(others)
    for name in sorted(forms):
        value, definition = document[name], _VC2_FORMS[name][1]
        for n, item in enumerate(value if isinstance(value, list) else [value]):
            item_errors = list(_ob3_validator(definition).iter_errors(item))
            if item_errors:
                _raise_schema_error(item_errors, f"{name}/{n}" if isinstance(value, list) else name)
    return Message(
        "VC 2.0 credential; not valid against the OB 3.0 JSON schema as published, which does"
        " not allow the form VC 2.0 allows of %(fields)s",
        fields=Joined.of(sorted(forms)),
    )


def _raise_schema_error(errors: list[jsonschema.ValidationError], prefix: str = "") -> NoReturn:
    error = jsonschema.exceptions.best_match(errors)
    assert error is not None  # errors is never empty
    where = "/".join([prefix, *map(str, error.absolute_path)]).strip("/") or "(root)"
    # jsonschema's own words say what is wrong: they stay as it writes them
    raise SchemaError(
        Message("OB 3.0 schema: %(where)s: %(error)s", where=where, error=error.message[:200])
    )
