"""Keyset pagination shared by the repositories' listings.

A page is "``limit`` rows after this key, in key order": each page costs the same however deep
the listing goes, and rows added or removed meanwhile never shift a page (no duplicates, no
gaps), unlike ``OFFSET``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

__all__ = ["keyset"]

T = TypeVar("T")


def keyset(
    query: Select[T], key: InstrumentedAttribute[Any], *, after: object | None, limit: int
) -> Select[T]:
    """``query`` ordered by ``key`` (unique), from just after ``after``, at most ``limit`` rows."""
    if after is not None:
        query = query.where(key > after)
    return query.order_by(key).limit(limit)
