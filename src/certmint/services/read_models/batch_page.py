"""A batch as its page shows it: course, learners, what it awards, what could be attached, and
who would be awarded. Every id is authorised for the principal (``services.authorization``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from certmint.domain.accounts import Principal
from certmint.domain.achievements import Achievement
from certmint.domain.courses import Batch, Course
from certmint.domain.criteria import CriteriaError, CriteriaProblem, parse_criteria, sentence
from certmint.domain.messages import N_, Message, Sentence
from certmint.domain.templates import Template, TemplateVersion, TemplateVersionStatus
from certmint.services import authorization
from certmint.services.catalogue.achievements import DryRunRow, dry_run
from certmint.services.errors import InvalidInput
from certmint.services.unit_of_work import UnitOfWork

__all__ = [
    "AwardView",
    "BatchView",
    "DryRun",
    "batch_dry_run",
    "batch_view",
    "criteria_from_text",
    "describe_criteria",
]


@dataclass(frozen=True)
class AwardView:
    """An achievement of the batch, with the sentence its criteria read as."""

    achievement: Achievement
    template: str  # "Spring certificate v2"
    sentence: Sentence
    issued: int  # current (not superseded) certificates
    # Learners who qualify and do not hold it yet: what "Issue now" would award. None for a
    # batch too large to count on every view of its page (the dry run counts it on request).
    waiting: int | None = None
    newer: TemplateVersion | None = None  # its template's newest published version, if newer


@dataclass(frozen=True)
class BatchView:
    course: Course
    batch: Batch
    learners: int
    awards: list[AwardView]
    published: list[tuple[Template, TemplateVersion]]  # what can be attached


# What Python's json module says of bad JSON, in plain words (anything else is shown as is).
_JSON_ERRORS = {
    "Expecting value": N_(
        "a value is missing or misspelt (true, false, a number, text in double quotes, "
        "{...} or [...])"
    ),
    "Expecting property name enclosed in double quotes": N_(
        "a name must be in double quotes, and no comma may come just before a closing }"
    ),
    "Expecting ':' delimiter": N_("a colon (:) is missing after a name"),
    "Expecting ',' delimiter": N_("a comma between two items, or a closing bracket, is missing"),
    "Extra data": N_("something follows the end of the criteria (one bracket too many?)"),
    "Unterminated string starting at": N_("a text has no closing double quote"),
    "Invalid control character at": N_("a text holds a line break or tab: write \\n or \\t"),
    "Invalid \\escape": N_("a backslash starts an unknown escape (\\\\ is a backslash)"),
    "Invalid \\uXXXX escape": N_("\\u must be followed by four hexadecimal digits"),
}
_NEAR = 12  # characters shown each side of where the JSON goes wrong


def describe_criteria(criteria: Any) -> Sentence:
    """The readable sentence for criteria JSON (shown in the page's language);
    ``InvalidInput`` names each problem's path."""
    try:
        return sentence(parse_criteria(criteria))
    except CriteriaError as exc:
        raise InvalidInput(exc.problems, "criteria rejected") from exc


def criteria_from_text(text: str) -> Any:
    """Criteria typed into the editor: JSON, or ``InvalidInput`` saying where it is not."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        plain = _JSON_ERRORS.get(exc.msg)
        problem = Message(
            "not valid JSON: %(error)s, at line %(line)s, column %(column)s (at ▶ in %(near)s)",
            error=Message(plain) if plain else exc.msg,
            line=str(exc.lineno),
            column=str(exc.colno),
            near=_near(text, exc.pos),
        )
        raise InvalidInput([CriteriaProblem("$", problem)], "criteria rejected") from exc


def _near(text: str, position: int) -> str:
    """``…, "completed": ▶tru}``: the typed text around ``position``, marked where it goes
    wrong, on one line."""
    start, end = max(position - _NEAR, 0), position + _NEAR
    before = ("…" if start else "") + text[start:position]
    after = text[position:end] + ("…" if end < len(text) else "")
    return " ".join(f"{before}▶{after}".split())


def batch_view(uow: UnitOfWork, principal: Principal, batch_id: UUID) -> BatchView:
    with uow as tx:
        course, batch = authorization.batch_for(tx, principal, batch_id)
        learners = tx.roster.count_enrolments(batch.id)
        achievements = tx.achievements.for_batch(principal.organisation_id, batch.id)
        templates = {t.id: t for t in tx.templates.list(principal.organisation_id)}
        versions = {t: tx.templates.versions(t) for t in templates}
        issued = tx.certificates.counts_by_achievement([a.id for a in achievements])
    by_id = {v.id: (templates[t], v) for t, vs in versions.items() for v in vs}
    awards = []
    for achievement in achievements:
        template, version = by_id[achievement.template_version_id]
        waiting = (
            sum(
                row.decision.awarded and not row.already_issued
                for row in dry_run(uow, principal.organisation_id, achievement.id)
            )
            if learners <= WAITING_COUNT_LIMIT
            else None
        )
        newest = max(
            (v for v in versions[template.id] if v.status is TemplateVersionStatus.PUBLISHED),
            key=lambda v: v.number,
        )
        awards.append(
            AwardView(
                achievement,
                f"{template.name} v{version.number}",
                describe_criteria(achievement.criteria),
                issued.get(achievement.id, 0),
                waiting,
                newest if newest.number > version.number else None,
            )
        )
    published = [
        (templates[t], v)
        for t, vs in versions.items()
        for v in vs
        if v.status is TemplateVersionStatus.PUBLISHED
    ]
    return BatchView(course, batch, learners, awards, published)


@dataclass(frozen=True)
class DryRun:
    """The first ``limit`` learners with their decisions, and counts over the whole batch
    (up to ``COUNT_LIMIT`` learners: past that, ``complete`` is False)."""

    course: Course
    batch: Batch
    achievement: Achievement
    sentence: Sentence
    rows: list[DryRunRow]
    would_award: int
    already_held: int
    not_awarded: int
    complete: bool

    @property
    def counted(self) -> int:
        return self.would_award + self.already_held + self.not_awarded

    @property
    def more(self) -> bool:
        """The batch has more learners than ``rows`` shows."""
        return self.counted > len(self.rows) or not self.complete


# Up to this many learners the batch page counts who is waiting for each achievement (a few
# milliseconds a hundred learners); a bigger batch's page leaves it to the dry run.
WAITING_COUNT_LIMIT = 2_000
COUNT_LIMIT = 200_000  # a few seconds of evaluation; a bigger batch shows "at least"


def batch_dry_run(
    uow: UnitOfWork, principal: Principal, achievement_id: UUID, *, limit: int = 500
) -> DryRun:
    """Who would be awarded, and for everyone else why not; nothing is written."""
    with uow as tx:
        achievement = authorization.achievement_for(tx, principal, achievement_id)
        course, batch = authorization.batch_for(tx, principal, achievement.batch_id)
    rows: list[DryRunRow] = []
    counts = {"award": 0, "held": 0, "not": 0}
    complete = True
    for n, row in enumerate(dry_run(uow, principal.organisation_id, achievement.id)):
        if n == COUNT_LIMIT:
            complete = False
            break
        if n < limit:
            rows.append(row)
        key = "held" if row.already_issued else "award" if row.decision.awarded else "not"
        counts[key] += 1
    return DryRun(
        course,
        batch,
        achievement,
        describe_criteria(achievement.criteria),
        rows,
        counts["award"],
        counts["held"],
        counts["not"],
        complete,
    )
