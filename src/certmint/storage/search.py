"""Text search in listings: a case-insensitive "contains" whatever the text holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

__all__ = ["contains"]


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` holds ``text`` in any case; ``%`` and ``_`` in it are letters, not wildcards
    (a search for "100%" must not match everything)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    clause: ColumnElement[bool] = column.ilike(f"%{escaped}%", escape="\\")
    return clause
