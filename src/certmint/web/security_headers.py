"""Headers that tell browsers what a page may do: every HTML page gets a Content-Security-Policy.

The pages need nothing from elsewhere: one script file of our own (``/static/admin.js``), our
stylesheet, images from this site plus the ``data:`` and ``blob:`` URLs the designer's preview
shows, and ``fetch`` to this site. So the policy allows exactly that, and no page may be framed
by another site (``frame-ancestors 'none'``: no clickjacking of the admin pages' buttons).
Inline styles stay allowed (``style`` attributes, and the e-mail template preview, an HTML
e-mail in a sandboxed ``srcdoc`` frame that inherits this policy); inline scripts do not.

The API's documentation page (Swagger UI, served by FastAPI from a CDN with an inline script)
gets only ``frame-ancestors``. Every answer gets ``X-Content-Type-Options: nosniff``. A handler
that set one of these headers itself keeps its own.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["PAGE_POLICY", "SecurityHeaders"]

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FRAMING_ONLY = "frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI middleware (plain, like ``ReadOnlySafeMethods``: no extra task per request)."""

    def __init__(self, app: ASGIApp, *, docs_path: str) -> None:
        self.app = app
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = FRAMING_ONLY if scope["path"] == self.docs_path else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
