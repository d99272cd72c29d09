"""GET and HEAD requests read: their units of work are read-only unless a handler says otherwise.

On SQLite a writing unit of work begins ``BEGIN IMMEDIATE`` and waits for the write lock, which
a bulk issuance job holds chunk after chunk; a page that only reads but took a writing unit of
work would wait until the job ended. So the rule is general rather than per call: for the
duration of a GET or HEAD request ``Container.uow()`` is read-only (``reading_by_default``),
and the few GETs that must write (a session's last-seen stamp, a token's last use) ask for
``container.uow(read_only=False)`` explicitly. A GET that writes by mistake fails loudly
(``ReadOnlyViolation``), in tests first.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from certmint.bootstrap import reading_by_default

__all__ = ["READING_METHODS", "ReadOnlySafeMethods"]

READING_METHODS = frozenset({"GET", "HEAD"})


class ReadOnlySafeMethods:
    """ASGI middleware (plain, so the handler runs in this task and its threads copy this
    context)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in READING_METHODS:
            with reading_by_default():
                await self.app(scope, receive, send)
            return
        await self.app(scope, receive, send)
