"""Server-rendered pages: one Jinja2 environment with autoescaping, built once per app."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates

from certmint.domain.ids import url_id

__all__ = ["STATIC_DIR", "make_templates"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def _when(value: datetime | None) -> str:
    """A moment as admins read it: ``2026-05-01 14:03 UTC``."""
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["short_id"] = url_id
    templates.env.filters["when"] = _when
    return templates
