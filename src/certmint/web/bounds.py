"""Whole numbers from a URL (a path segment, a ``?page=``), bounded where they are read.

Why: Python's ints have no limit and the database's do. A number past a column's range
(``/status/revocation/9223372036854775808``) reached the driver and came back as a server error;
now every number a route reads is checked here first, and one out of range is an address that
leads nowhere: 404, like any other unknown address.
"""

from __future__ import annotations

from certmint.services.errors import NotFound

__all__ = ["MAX_PAGE", "MAX_SQL_INT", "bounded", "page_number", "whole_number"]

#: The largest value of the narrowest integer column Certmint stores (PostgreSQL ``integer``).
MAX_SQL_INT = 2**31 - 1
#: The last page a listing shows (a page number times its size must stay a sane offset).
MAX_PAGE = 1_000_000


def bounded(value: int, what: str, *, low: int, high: int = MAX_SQL_INT) -> int:
    """``value`` if it is in ``low..high``; else ``NotFound`` naming ``what``."""
    if not low <= value <= high:
        raise NotFound(what, value)
    return value


def whole_number(text: str, *, max_digits: int) -> int | None:
    """``text`` as a non-negative int, or None when it is not one of at most ``max_digits``
    ASCII digits (``str.isdigit`` takes ``²`` and ``٣``, which ``int`` then refuses or reads;
    a string of thousands of digits is not even converted)."""
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        return None
    return int(text)


def page_number(text: str) -> int:
    """A listing's ``?page=``: 1 when it is not a number, ``NotFound`` past :data:`MAX_PAGE`."""
    if not (text.isascii() and text.isdigit()):
        return 1
    page = whole_number(text, max_digits=len(str(MAX_PAGE)))
    if page is None:
        raise NotFound("page", text[:20])
    return bounded(max(1, page), "page", low=1, high=MAX_PAGE)
