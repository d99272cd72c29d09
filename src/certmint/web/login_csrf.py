"""Login CSRF: the sign-in forms refuse a post that another site made the browser send.

Before anyone is signed in there is no session to bind a CSRF token to, so an attacker's page
could post its own e-mail address and password (or its own sign-in link) to ``/login`` and
sign the victim's browser into the attacker's account; whatever the victim then uploads or
types lands there. Two checks close it, each enough on its own in a current browser:

- **where the post comes from**: a ``Sec-Fetch-Site`` other than ``same-origin`` or ``none``
  (typed, bookmarked), or an ``Origin`` whose host is neither the request's nor the instance's
  base URL's, is refused;
- **a pre-session token**: the sign-in page sets a random token in a cookie (``HttpOnly``,
  ``SameSite=Strict``, only for ``/login...``) and repeats it in the forms' hidden
  ``csrf_token`` field; a post must carry both, equal. Another site can neither read the cookie
  nor set it, so it cannot fill in the field.

Clients that are not browsers (scripts, tests) send no ``Origin``; they sign in by fetching the
page first, as a browser does.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

__all__ = ["COOKIE", "FIELD", "allows", "set_cookie", "token_for"]

COOKIE = "certmint_login_csrf"
FIELD = "csrf_token"  # the field name the session's CSRF token uses too (csrf_input())
PATH = "/login"  # the sign-in forms post to /login, /login/link and /login/link/<token>
_TOKEN_BYTES = 32
_SAME_ORIGIN = {"same-origin", "none"}


def token_for(request: Request) -> str:
    """The browser's pre-session token: the one its cookie holds, or a new one. The pages'
    ``csrf_input()`` puts it in the forms (``request.state.csrf_token``)."""
    token = request.cookies.get(COOKIE, "")
    if not _well_formed(token):
        token = secrets.token_urlsafe(_TOKEN_BYTES)
    request.state.csrf_token = token
    return token


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    """Keep the token in the browser for as long as it is open, for the sign-in paths only."""
    response.set_cookie(COOKIE, token, path=PATH, secure=secure, httponly=True, samesite="strict")


def allows(request: Request, sent: str, public_host: str) -> bool:
    """Whether a post to a sign-in form is the browser's own: same origin (the request's host
    or ``public_host``, the base URL's), and the token of the form equals the cookie's."""
    if request.headers.get("sec-fetch-site", "same-origin") not in _SAME_ORIGIN:
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        host = urlsplit(origin).netloc
        if host not in {request.headers.get("host"), public_host}:
            return False
    cookie = request.cookies.get(COOKIE, "")
    return _well_formed(cookie) and secrets.compare_digest(sent.encode(), cookie.encode())


def _well_formed(token: str) -> bool:
    return 40 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
