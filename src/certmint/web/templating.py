"""Server-rendered pages: one Jinja2 environment with autoescaping, built once per app."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

__all__ = ["STATIC_DIR", "make_templates"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def make_templates() -> Jinja2Templates:
    return Jinja2Templates(directory=HERE / "templates")
