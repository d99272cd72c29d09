"""The criteria builder's form: its rows and its JSON view, read from a submission.

The builder's rows and the JSON textarea travel in one form. The page also sends the JSON it
showed (``criteria_shown``): when the textarea still holds it, the rows are what the admin
worked on; when it differs, the admin edited the JSON, and that wins. So the page works
without JavaScript ("add condition" and "remove" are submit buttons), and a client that posts
only ``criteria`` (as the tests and scripts do) is read as JSON, as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Literal

from starlette.datastructures import FormData

from certmint.domain.criteria import (
    CriteriaError,
    CriteriaProblem,
    Criterion,
    parse_criteria,
    phrase,
    sentence,
    to_json,
)
from certmint.domain.criteria_builder import (
    KINDS,
    MATCHES,
    AssessmentSeen,
    BuildError,
    Kind,
    Match,
    Row,
    RowProblem,
    build,
    conditions,
    rows_of,
)
from certmint.domain.messages import N_, Message
from certmint.services.errors import InvalidInput
from certmint.services.read_models.batch_page import criteria_from_text
from certmint.services.read_models.criteria_builder import BatchSurvey
from certmint.web.pages.admin.common import field

__all__ = ["MAX_ROWS", "START", "CriteriaForm", "builder_context", "criteria_form", "initial_form"]

MAX_ROWS = 50
START = {"completed": True}  # what the builder starts from
_OVER = "over:"
_ASSESSMENT = "assessment:"
_KINDS: dict[str, Kind] = {kind: kind for kind in KINDS}
_MATCHES: dict[str, Match] = {match: match for match in MATCHES}


@dataclass
class CriteriaForm:
    """What the builder shows: rows (None when the criteria nest deeper than rows can show),
    the JSON, the criterion when valid, and the problems of either view."""

    match: Match
    rows: list[Row] | None
    text: str
    criterion: Criterion | None
    source: Literal["rows", "json"] = "rows"
    row_problems: list[RowProblem] = dataclass_field(default_factory=list)
    json_problems: list[CriteriaProblem] = dataclass_field(default_factory=list)

    def problems_of(self, row: int) -> list[RowProblem]:
        """The problems of row ``row`` (counted from 1); row 0 is the rows as a whole."""
        return [p for p in self.row_problems if p.row == row]

    @staticmethod
    def target(row: Row) -> str:
        """The value of a score row's assessment choice."""
        return _ASSESSMENT + row.assessment if row.assessment else _OVER + row.over

    @staticmethod
    def score_range(seen: AssessmentSeen) -> Message:
        """``34 to 98%``: the lowest and highest score an assessment has."""
        return Message(N_("%(lowest)s to %(highest)s%%"), lowest=seen.lowest, highest=seen.highest)

    @staticmethod
    def choice(key: str, value: str) -> str:
        """The value of an attribute row's option (JSON: keys and values may hold anything)."""
        return json.dumps([key, value], ensure_ascii=False)


def builder_context(cf: CriteriaForm, survey: BatchSurvey, **more: Any) -> dict[str, Any]:
    """What ``admin/_criteria_builder.html`` needs besides the page's own words."""
    return {
        "cf": cf,
        "bs": survey,
        "sentence": sentence,
        "phrase": phrase,
        "conditions": conditions,
        **more,
    }


def _text(criterion: Criterion) -> str:
    return json.dumps(to_json(criterion), indent=2, ensure_ascii=False)


def initial_form(criteria: Any) -> CriteriaForm:
    """The builder showing stored (valid) criteria."""
    criterion = parse_criteria(criteria)
    shown = rows_of(criterion)
    if shown is None:
        return CriteriaForm("all", None, _text(criterion), criterion, "json")
    return CriteriaForm(*shown, _text(criterion), criterion)


def criteria_form(form: FormData) -> CriteriaForm:
    """The builder after a submission: the rows or the JSON (whichever the admin changed), with
    a condition added or removed when those buttons were pressed."""
    if field(form, "restart"):
        return initial_form(START)
    text = field(form, "criteria")
    from_rows = field(form, "builder") == "1" and _squash(text) == _squash(
        field(form, "criteria_shown")
    )
    if from_rows:
        found = CriteriaForm(_MATCHES.get(field(form, "match"), "all"), _rows(form), text, None)
        changed = True
    else:
        found = _from_json(text)
        changed = False
    if found.rows is not None:
        changed |= _add_or_remove(form, found.rows)
    if changed and found.rows is not None:
        try:
            found.criterion = build(found.match, found.rows)
        except BuildError as exc:
            found.criterion = None
            found.row_problems = list(exc.problems)
        else:
            found.text = _text(found.criterion)
            found.source = "rows"
    return found


def _squash(text: str) -> str:
    return "".join(text.split())


def _from_json(text: str) -> CriteriaForm:
    try:
        criterion = parse_criteria(criteria_from_text(text))
    except InvalidInput as exc:
        problems = [p for p in exc.problems if isinstance(p, CriteriaProblem)]
        return CriteriaForm("all", None, text, None, "json", json_problems=problems)
    except CriteriaError as exc:
        return CriteriaForm("all", None, text, None, "json", json_problems=list(exc.problems))
    shown = rows_of(criterion)
    if shown is None:
        return CriteriaForm("all", None, text, criterion, "json")
    return CriteriaForm(*shown, text, criterion, "json")


def _add_or_remove(form: FormData, rows: list[Row]) -> bool:
    add, remove = _KINDS.get(field(form, "add")), field(form, "remove")
    if add is not None and len(rows) < MAX_ROWS:
        rows.append(Row(add, value="60" if add == "score" else ""))  # a score to change
        return True
    if remove.isdigit() and int(remove) < len(rows):
        del rows[int(remove)]
        return True
    return False


def _rows(form: FormData) -> list[Row]:
    count = field(form, "rows")
    rows = []
    for i in range(min(int(count), MAX_ROWS) if count.isdigit() else 0):
        kind = _KINDS.get(field(form, f"row{i}_kind"))
        if kind is None:
            continue
        target = field(form, f"row{i}_target")
        rows.append(
            Row(
                kind,
                negated=bool(field(form, f"row{i}_not")),
                assessment=target.removeprefix(_ASSESSMENT)
                if target.startswith(_ASSESSMENT)
                else "",
                over=target.removeprefix(_OVER) if target.startswith(_OVER) else "best",
                comparison=field(form, f"row{i}_comparison", ">="),
                value=field(form, f"row{i}_value"),
                choices=tuple(_choices(form.getlist(f"row{i}_choice"))),
                start=field(form, f"row{i}_from"),
                end=field(form, f"row{i}_to"),
            )
        )
    return rows


def _after(prefix: str, text: str, otherwise: str) -> str:
    return text.removeprefix(prefix) if text.startswith(prefix) else otherwise


def _choices(values: list[Any]) -> list[tuple[str, str]]:
    found = []
    for value in values:
        try:
            pair = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            continue
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair):
            found.append((pair[0], pair[1]))
    return found
