"""Ids in API URLs and bodies: the 22-character base64url form (``domain.ids.url_id``).

Every id is random or time-ordered with at least 74 random bits, so an id in a URL is
unguessable; a plain UUID is accepted too. Anything that names no id is a 404, like an id of
another organisation: callers cannot tell "malformed" from "not yours".
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

from certmint.domain.ids import parse_url_id
from certmint.services.errors import NotFound

__all__ = ["ID_EXAMPLE", "IdPath", "parse_id"]

ID_EXAMPLE = "AZPnR2y2dBq0kUvJ6mN1xQ"

IdPath = Annotated[
    str,
    Path(
        max_length=64,
        description="An id as the API gives it (22 characters), or a UUID.",
        examples=[ID_EXAMPLE],
    ),
]


def parse_id(kind: str, text: str) -> UUID:
    found = parse_url_id(text)
    if found is None:
        raise NotFound(kind, text)
    return found
