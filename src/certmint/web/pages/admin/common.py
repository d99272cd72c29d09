"""What every admin page shares: rendering with the navigation, ids from URLs, redirects."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUploadFile

from certmint.domain.ids import parse_url_id
from certmint.services.errors import Conflict, InvalidInput, NotFound

__all__ = ["FormDep", "field", "page_id", "problems_of", "redirect", "render", "upload"]


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    section: str,
    status_code: int = 200,
) -> Response:
    """``templates/admin/<name>`` with the navigation marking ``section`` as current."""
    templates = request.app.state.templates
    return templates.TemplateResponse(  # type: ignore[no-any-return]
        request,
        f"admin/{name}",
        {"section": section, **context},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def page_id(text: str, kind: str) -> UUID:
    """The id a URL segment names (short or plain form); anything else is a 404."""
    found = parse_url_id(text)
    if found is None:
        raise NotFound(kind, text)
    return found


def redirect(
    request: Request, name: str, *, done: str | None = None, **params: Any
) -> RedirectResponse:
    """Post/redirect/get: after a form is handled, show the page it changed; ``done`` names
    the message that page shows (a fixed key, never text from the request)."""
    url = str(request.url_for(name, **params))
    return RedirectResponse(f"{url}?done={done}" if done else url, status_code=303)


async def _form(request: Request) -> AsyncIterator[FormData]:
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()  # uploads are spooled to temporary files


#: The submitted form (fields and files), read before a synchronous handler runs.
FormDep = Annotated[FormData, Depends(_form)]


def field(form: FormData, name: str, default: str = "") -> str:
    """A text field of ``form`` (a file or a missing field reads as ``default``)."""
    value = form.get(name)
    return value if isinstance(value, str) else default


def upload(form: FormData, name: str) -> bytes | None:
    """The bytes of a file field, or None when no file was chosen."""
    value = form.get(name)
    if isinstance(value, StarletteUploadFile) and value.filename:
        data = value.file.read()
        return data or None
    return None


def problems_of(exc: InvalidInput | Conflict) -> Sequence[object]:
    """What a form's refusal lists: each problem of the input, or the conflict's sentence."""
    return exc.problems if isinstance(exc, InvalidInput) else (exc.detail,)
