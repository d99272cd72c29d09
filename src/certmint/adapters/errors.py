"""Errors of the outbound adapters.

Callers catch ``OutboundError`` and never an ``httpcore``, ``socket`` or ``ssl`` type: those are
translated in ``adapters.http``. The message is one sentence a person can read, and it never
says why a connection failed (refused, timed out, reset, not HTTP): those differences would
tell whoever chose the URL which ports of which host are open::

    OutboundError(url)
    ├── OutboundRefused(url, reason)   the policy forbids the target; nothing was sent
    └── OutboundFailed(url)            no usable answer (no connection, time or size limit,
                                       an error status, too many redirects)
"""

from __future__ import annotations

__all__ = ["OutboundError", "OutboundFailed", "OutboundRefused"]


class OutboundError(Exception):
    """An outbound request to ``url`` gave no usable answer."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(message)


class OutboundRefused(OutboundError):
    """The address policy forbids ``url`` (scheme or target address); no packet was sent to it.

    ``reason`` completes "… because …": what about the URL is forbidden and how an operator
    allows it when that is possible.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.reason = reason
        super().__init__(url, f"Certmint does not send requests to {url}: {reason}.")


class OutboundFailed(OutboundError):
    """``url`` gave no usable answer; deliberately one message whatever happened on the wire."""

    def __init__(self, url: str) -> None:
        super().__init__(url, f"could not get an answer from {url}")
