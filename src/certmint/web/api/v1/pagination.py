"""Cursor pagination for every API listing.

A listing returns ``items`` and ``next``: the URL of the following page, or ``null`` on the last
one. The cursor inside it is opaque to clients; underneath it is the key of the last item sent
(services page by keyset, so pages never overlap or skip however the data changes between
requests).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from fastapi import Depends, Query, Request
from pydantic import BaseModel, Field

from certmint.services.errors import InvalidInput
from certmint.web.bounds import whole_number

__all__ = ["MAX_LIMIT", "Page", "Paging", "PagingDep", "page_of"]

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
_VERSION = "k1:"
T = TypeVar("T")
K = TypeVar("K")

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")
]
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Where to continue: copy it from the previous page's `next` URL.",
    ),
]


class Page(BaseModel, Generic[T]):
    """One page of a listing."""

    items: list[T]
    next: str | None = Field(
        description="The URL of the next page, or null when this is the last one.",
        examples=["https://certs.example.org/api/v1/courses?limit=50&cursor=azE6MDE5M2Zj"],
    )


def _encode(key: object) -> str:
    return base64.urlsafe_b64encode(f"{_VERSION}{key}".encode()).rstrip(b"=").decode("ascii")


def _decode(cursor: str) -> str:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        text = ""
    if not text.startswith(_VERSION):
        raise InvalidInput(["cursor: not a cursor this API gave out"], "bad cursor")
    return text[len(_VERSION) :]


def _after_uuid(cursor: str | None) -> UUID | None:
    if cursor is None:
        return None
    try:
        return UUID(_decode(cursor))
    except ValueError:
        raise InvalidInput(["cursor: not a cursor this API gave out"], "bad cursor") from None


def _after_int(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    after = whole_number(_decode(cursor), max_digits=18)
    if after is None:
        raise InvalidInput(["cursor: not a cursor this API gave out"], "bad cursor")
    return after


@dataclass
class Paging:
    """A listing's ``limit`` and ``cursor`` query parameters."""

    limit: LimitQuery = DEFAULT_LIMIT
    cursor: CursorQuery = None

    @property
    def fetch(self) -> int:
        """How many rows to ask for: one more than shown, to know whether more follow."""
        return self.limit + 1

    @property
    def after_uuid(self) -> UUID | None:
        """The id the cursor continues after (None: the first page)."""
        return _after_uuid(self.cursor)

    @property
    def after_int(self) -> int | None:
        return _after_int(self.cursor)


PagingDep = Annotated[Paging, Depends()]


def page_of(
    request: Request,
    rows: Sequence[K],
    paging: Paging,
    key: Callable[[K], object],
    item: Callable[[K], T],
) -> Page[T]:
    """A page from ``paging.fetch`` rows fetched: the extra one only says that more follow."""
    shown = rows[: paging.limit]
    following = None
    if len(rows) > paging.limit and shown:
        following = str(request.url.include_query_params(cursor=_encode(key(shown[-1]))))
    return Page[T](items=[item(row) for row in shown], next=following)
