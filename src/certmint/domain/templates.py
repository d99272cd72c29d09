"""Certificate templates and their immutable versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

__all__ = ["Template", "TemplateVersion", "TemplateVersionStatus"]


class TemplateVersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


@dataclass(frozen=True, slots=True)
class Template:
    id: UUID
    organisation_id: UUID
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    """One version of a design. A published version is frozen: its ``content_hash`` covers the SVG.

    ``design`` holds the designer's inputs (layout, title, logos, signatures) when the version was
    made from a gallery layout, so the designer can reopen it; uploaded SVGs have none.
    """

    id: UUID
    template_id: UUID
    number: int
    status: TemplateVersionStatus
    svg: str
    design: dict[str, Any] | None
    content_hash: str | None
    created_at: datetime
    published_at: datetime | None
