"""An enrolment import's staging tables, and the upsert the database does from them set-wise.

Validated rows are loaded as plain text (``COPY`` on PostgreSQL, one ``executemany`` on SQLite)
into temporary tables of the import's own transaction; the database then works out what is new
or changed and writes it with a handful of ``INSERT ... SELECT`` and ``UPDATE ... FROM``
statements, so Python touches each row once however large the file. Nothing here decides what
an import may do: the service does, and a rejected import rolls the tables back with the rest.

The tables:

- ``import_rows``: one row per valid record (by line), with fresh ids for the learner and the
  enrolment it would create;
- ``import_learners``: one row per learner id of the file (the merged values, the stored
  learner it matches, whether it changes, and how far the importer's scope reaches);
- ``import_batches``: the file's batches with their ids (worked out by the service);
- ``import_enrolments``: one row per (batch, learner), matched and compared the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Date, Uuid, bindparam, text
from sqlalchemy.orm import Session

from certmint.domain.courses import AssessmentResult, EnrolmentStatus
from certmint.domain.enrolment_import import EnrolmentRecord
from certmint.domain.ids import time_ordered_hex_ids
from certmint.storage.bulk import chunks, load_rows
from certmint.storage.scores import results_document, results_from_document
from certmint.storage.types import UTCDateTime

__all__ = ["EnrolmentStaging", "StagedCounts"]

_ROW_COLUMNS = (
    "line",
    "course_key",
    "batch_key",
    "learner_key",
    "name",
    "email",
    "attributes",
    "status",
    "completed_on",
    "results",
    "learner_new",
    "enrolment_new",
)
_TABLES = ("import_rows", "import_learners", "import_batches", "import_enrolments")
# Learner scope, from the importer's view: may change the record; sees it but may not change
# it (shared with courses outside theirs); does not see it (not in any of their courses).
WRITABLE, READ_ONLY, HIDDEN = 0, 1, 2

StagedCounts = tuple[int, int, int]  # created, updated, unchanged
_KEPT_RESULTS = 10_000


class EnrolmentStaging:
    def __init__(self, session: Session, organisation_id: UUID) -> None:
        self._session = session
        self._org = organisation_id
        self._postgres = session.get_bind().dialect.name == "postgresql"
        types = (
            {"id": "uuid", "json": "jsonb", "date": "date", "matched": " WITH (fillfactor = 50)"}
            if self._postgres
            else {"id": "TEXT", "json": "TEXT", "date": "TEXT", "matched": ""}
        )
        # The tables that ``match_learners`` and ``match_enrolments`` rewrite row by row keep
        # half of each page free on PostgreSQL, so every matched row's new version fits beside
        # the old one and no index is touched (a HOT update: no indexed column changes). Full
        # pages made a re-import rewrite both primary keys through 8 MB of temporary buffers:
        # 29.3 s of server CPU against 38.6 s (1,000,000 rows), for 1 s more on a first import.
        self._types = types
        self._results: dict[tuple[int, ...], tuple[tuple[AssessmentResult, ...], str]] = {}

    # --- loading ---------------------------------------------------------------------------

    def create(self) -> None:
        """Empty staging tables, dropped with the transaction if the import is rejected."""
        t = self._types
        for table in _TABLES:
            self._sql(f"DROP TABLE IF EXISTS {table}")
        self._sql(
            "CREATE TEMPORARY TABLE import_rows (line INTEGER PRIMARY KEY, course_key TEXT, "
            "batch_key TEXT, learner_key TEXT, name TEXT, email TEXT, attributes TEXT, "
            f"status TEXT, completed_on {t['date']}, results TEXT, learner_new TEXT, "
            "enrolment_new TEXT)"
        )
        self._sql(
            "CREATE TEMPORARY TABLE import_learners (learner_key TEXT PRIMARY KEY, "
            f"line INTEGER, name TEXT, email TEXT, attributes {t['json']}, row_count INTEGER, "
            f"id {t['id']}, stored INTEGER DEFAULT 0, changed INTEGER DEFAULT 0, "
            f"scope INTEGER DEFAULT 0){t['matched']}"
        )
        self._sql(
            "CREATE TEMPORARY TABLE import_batches (course_key TEXT, batch_key TEXT, "
            f"batch_id {t['id']}, PRIMARY KEY (course_key, batch_key))"
        )
        self._sql(
            "CREATE TEMPORARY TABLE import_enrolments (line INTEGER PRIMARY KEY, "
            f"batch_id {t['id']}, learner_id {t['id']}, status TEXT, "
            f"completed_on {t['date']}, results {t['json']}, id {t['id']}, "
            "stored INTEGER DEFAULT 0, changed INTEGER DEFAULT 0, UNIQUE (batch_id, learner_id))"
            f"{t['matched']}"
        )

    def add(self, records: Sequence[EnrolmentRecord]) -> None:
        """Stage a chunk of valid records (in file order)."""
        # In increasing order, like the lines: rows inserted in file order append to each
        # B-tree, and the database never sorts a million rows by id.
        results = self._results_json
        learner_ids = sorted(time_ordered_hex_ids(len(records)))
        enrolment_ids = sorted(time_ordered_hex_ids(len(records)))
        rows = [
            (
                r.line,
                r.course_id,
                r.batch_id,
                r.learner_id,
                r.name,
                r.email,
                orjson.dumps(dict(r.attributes)).decode() if r.attributes else "{}",
                r.status.value,
                None if r.completed_on is None else r.completed_on.isoformat(),
                results(r.scores),
                learner_id,
                enrolment_id,
            )
            for r, learner_id, enrolment_id in zip(records, learner_ids, enrolment_ids, strict=True)
        ]
        load_rows(self._session, "import_rows", _ROW_COLUMNS, rows)

    def _results_json(self, scores: tuple[AssessmentResult, ...]) -> str:
        """The JSON text of a row's scores. A file spells the same few scores over and over,
        and parsing hands out one object per spelling, so the text is kept by the objects'
        identities (hashing the scores themselves costs more than writing them out); the
        entry holds the objects, so an identity cannot be reused while it is kept."""
        key = tuple(map(id, scores))
        found = self._results.get(key)
        if found is None:
            if len(self._results) >= _KEPT_RESULTS:
                self._results.clear()
            found = self._results[key] = (scores, orjson.dumps(results_document(scores)).decode())
        return found[1]

    def group_learners(self) -> None:
        """One row per learner id of the file. Rows naming one learner must agree (the caller
        compares them, ``repeated_learners``, and rejects the file if they do not), except in
        the attributes each gives: ``merge_learners`` settles those.

        The groups are inserted in key order, so each goes at the right-hand end of the
        table's primary key. PostgreSQL otherwise groups by hashing and inserts in hash order,
        and a million keys scattered over an index far larger than a session's temporary
        buffers (8 MB) cost a page written and a page read for most rows: 7.3 s against 3.5 s
        for the sort (1,000,000 rows). SQLite groups by sorting already."""
        self._analyze("import_rows")
        attributes, new_id = self._json("min(attributes)"), self._id("min(learner_new)")
        self._sql(
            "INSERT INTO import_learners "
            "(learner_key, line, name, email, attributes, row_count, id) "
            f"SELECT learner_key, min(line), min(name), min(email), {attributes}, count(*), "
            f"{new_id} FROM import_rows GROUP BY learner_key ORDER BY learner_key"
        )
        self._analyze("import_learners")

    def repeated_learners(self) -> Iterator[list[EnrolmentRecord]]:
        """The rows of each learner the file names more than once, in line order."""
        rows = self._session.execute(
            text(
                "SELECT r.line, r.course_key, r.batch_key, r.learner_key, r.name, r.email, "
                "r.attributes, r.status, r.completed_on, r.results FROM import_rows r "
                "JOIN import_learners l ON l.learner_key = r.learner_key WHERE l.row_count > 1 "
                "ORDER BY r.learner_key, r.line"
            ).execution_options(yield_per=2_000)
        )
        group: list[EnrolmentRecord] = []
        for row in rows:
            record = _record(row)
            if group and group[0].learner_id != record.learner_id:
                yield group
                group = []
            group.append(record)
        if group:
            yield group

    def merge_learners(self, learners: Sequence[EnrolmentRecord]) -> None:
        """Set what several rows say together about a learner (``enrolment_import.merged``)."""
        self._execute(
            "UPDATE import_learners SET email = :email, "
            f"attributes = {self._json(':attributes')} WHERE learner_key = :key",
            [
                {
                    "key": r.learner_id,
                    "email": r.email,
                    "attributes": orjson.dumps(dict(r.attributes)).decode(),
                }
                for r in learners
            ],
        )

    # --- learners --------------------------------------------------------------------------

    def match_learners(self) -> None:
        """Find the stored learners, and what merging the file's values into them changes:
        an empty cell keeps the stored e-mail, given attributes replace or add to the stored."""
        merged = self._merge("l.attributes", "import_learners.attributes")
        email = "coalesce(import_learners.email, l.email)"
        self._sql(
            f"UPDATE import_learners SET id = l.id, stored = 1, email = {email}, "
            f"attributes = {merged}, changed = CASE WHEN import_learners.name <> l.name "
            f"OR {self._distinct(email, 'l.email')} "
            f"OR NOT {self._same(merged, 'l.attributes')} THEN 1 ELSE 0 END "
            "FROM learners l WHERE l.organisation_id = :org "
            "AND l.external_id = import_learners.learner_key",
            org=self._org,
        )

    def stored_learner_ids(self) -> list[UUID]:
        return list(
            self._session.scalars(
                text("SELECT id FROM import_learners WHERE stored = 1").columns(id=Uuid())
            )
        )

    def limit_learners(self, read_only: Collection[UUID], hidden: Collection[UUID]) -> None:
        """The importer may not change these learners' records, or not even see them."""
        for scope, ids in ((READ_ONLY, read_only), (HIDDEN, hidden)):
            self._execute(
                "UPDATE import_learners SET scope = :scope WHERE id = :id",
                [{"scope": scope, "id": id_} for id_ in ids],
            )

    def learner_counts(self) -> StagedCounts:
        """A learner the importer cannot see counts as created: new to their courses."""
        return self._counts(
            "import_learners",
            created=f"stored = 0 OR scope = {HIDDEN}",
            updated=f"stored = 1 AND scope = {WRITABLE} AND changed = 1",
        )

    # --- enrolments ------------------------------------------------------------------------

    def add_batches(self, batch_ids: Mapping[tuple[str, str], UUID]) -> None:
        self._execute(
            "INSERT INTO import_batches (course_key, batch_key, batch_id) "
            "VALUES (:course_key, :batch_key, :batch_id)",
            [
                {"course_key": c, "batch_key": b, "batch_id": id_}
                for (c, b), id_ in batch_ids.items()
            ],
        )

    def group_enrolments(self) -> None:
        """One row per (batch, learner): the first row naming it (``merge_enrolments`` adds
        what later rows for it say)."""
        self._sql(
            "INSERT INTO import_enrolments (line, batch_id, learner_id, status, completed_on, "
            f"results, id) SELECT r.line, b.batch_id, l.id, r.status, r.completed_on, "
            f"{self._json('r.results')}, {self._id('r.enrolment_new')} FROM import_rows r "
            "JOIN import_batches b ON b.course_key = r.course_key AND b.batch_key = r.batch_key "
            "JOIN import_learners l ON l.learner_key = r.learner_key WHERE true ORDER BY r.line "
            "ON CONFLICT (batch_id, learner_id) DO NOTHING"
        )
        self._analyze("import_enrolments")

    def merge_enrolments(
        self, enrolments: Sequence[EnrolmentRecord], batch_ids: Mapping[tuple[str, str], UUID]
    ) -> None:
        """Set what several rows say together about one enrolment."""
        self._execute(
            "UPDATE import_enrolments SET completed_on = :completed_on, "
            f"results = {self._json(':results')} WHERE batch_id = :batch_id AND learner_id = "
            "(SELECT id FROM import_learners WHERE learner_key = :learner)",
            [
                {
                    "batch_id": batch_ids[(r.course_id, r.batch_id)],
                    "learner": r.learner_id,
                    "completed_on": r.completed_on,
                    "results": orjson.dumps(results_document(r.scores)).decode(),
                }
                for r in enrolments
            ],
        )

    def match_enrolments(self) -> None:
        """Find the stored enrolments and what the file changes: given scores replace stored
        ones for the same assessment and others are kept; a status that stays keeps the stored
        completion date unless the row gives one, a status that changes clears it."""
        completed_on = (
            "CASE WHEN import_enrolments.completed_on IS NULL "
            "AND import_enrolments.status = e.status THEN e.completed_on "
            "ELSE import_enrolments.completed_on END"
        )
        merged = self._merge("e.results", "import_enrolments.results")
        self._sql(
            f"UPDATE import_enrolments SET id = e.id, stored = 1, completed_on = {completed_on}, "
            f"results = {merged}, changed = CASE WHEN import_enrolments.status <> e.status "
            f"OR {self._distinct(completed_on, 'e.completed_on')} "
            f"OR NOT {self._same(merged, 'e.results')} THEN 1 ELSE 0 END "
            "FROM enrolments e WHERE e.batch_id = import_enrolments.batch_id "
            "AND e.learner_id = import_enrolments.learner_id"
        )

    def enrolment_counts(self) -> StagedCounts:
        return self._counts(
            "import_enrolments", created="stored = 0", updated="stored = 1 AND changed = 1"
        )

    def changed_enrolment_ids(self) -> list[UUID]:
        """Enrolments created or changed, in the order of the file."""
        return list(
            self._session.scalars(
                text(
                    "SELECT id FROM import_enrolments WHERE stored = 0 OR changed = 1 ORDER BY line"
                ).columns(id=Uuid())
            )
        )

    # --- writing ---------------------------------------------------------------------------

    def write(self, now: datetime) -> None:
        """Insert the new learners and enrolments and update the changed ones (new rows in id
        order, which is the file's: time-ordered ids then append to each B-tree)."""
        self._sql(
            "INSERT INTO learners (id, organisation_id, external_id, name, email, attributes) "
            "SELECT id, :org, learner_key, name, email, attributes FROM import_learners "
            "WHERE stored = 0 ORDER BY id",
            org=self._org,
        )
        self._sql(
            "UPDATE learners SET name = i.name, email = i.email, attributes = i.attributes "
            f"FROM import_learners i WHERE i.changed = 1 AND i.scope = {WRITABLE} "
            "AND learners.id = i.id"
        )
        self._sql(
            "INSERT INTO enrolments (id, batch_id, learner_id, status, completed_on, results, "
            "updated_at) SELECT id, batch_id, learner_id, status, completed_on, results, :now "
            "FROM import_enrolments WHERE stored = 0 ORDER BY line",
            now=now,
        )
        self._sql(
            "UPDATE enrolments SET status = i.status, completed_on = i.completed_on, "
            "results = i.results, updated_at = :now FROM import_enrolments i "
            "WHERE i.changed = 1 AND enrolments.id = i.id",
            now=now,
        )

    def drop(self) -> None:
        """SQLite keeps temporary tables for the connection's life: drop them when done."""
        for table in _TABLES:
            self._sql(f"DROP TABLE {table}")

    # --- SQL -------------------------------------------------------------------------------

    def _sql(self, statement: str, **values: Any) -> None:
        query = text(statement)
        if "org" in values:
            query = query.bindparams(bindparam("org", type_=Uuid()))
        if "now" in values:
            query = query.bindparams(bindparam("now", type_=UTCDateTime()))
        self._session.execute(query, values)

    def _execute(self, statement: str, values: list[dict[str, Any]]) -> None:
        """One statement for many rows (few: merged duplicates, batches, scope). Parameters
        named ``id``, ``batch_id`` and ``completed_on`` are typed as their columns."""
        typed = text(statement)
        for name, type_ in (("id", Uuid()), ("batch_id", Uuid()), ("completed_on", Date())):
            if f":{name}" in statement:
                typed = typed.bindparams(bindparam(name, type_=type_))
        for chunk in chunks(values):
            self._session.execute(typed, chunk)

    def _counts(self, table: str, *, created: str, updated: str) -> StagedCounts:
        found = self._session.execute(
            text(
                f"SELECT coalesce(sum(CASE WHEN {created} THEN 1 ELSE 0 END), 0), "
                f"coalesce(sum(CASE WHEN {updated} THEN 1 ELSE 0 END), 0), count(*) FROM {table}"
            )
        ).one()
        made, changed, total = (int(v) for v in found)
        return made, changed, total - made - changed

    def _analyze(self, table: str) -> None:
        """PostgreSQL's planner knows nothing of a temporary table until it is analyzed (and
        autovacuum never does it): without, it joins a million staged rows by nested loops."""
        if self._postgres:
            self._sql(f"ANALYZE {table}")

    def _json(self, expression: str) -> str:
        return f"CAST({expression} AS jsonb)" if self._postgres else expression

    def _id(self, expression: str) -> str:
        return f"CAST({expression} AS uuid)" if self._postgres else expression

    def _merge(self, stored: str, given: str) -> str:
        """A JSON object with the given keys replacing or added to the stored ones."""
        return f"({stored} || {given})" if self._postgres else f"json_patch({stored}, {given})"

    def _same(self, merged: str, stored: str) -> str:
        # SQLite compares JSON as text: json() writes the stored text the way json_patch does.
        return f"({merged} = {stored})" if self._postgres else f"({merged} = json({stored}))"

    def _distinct(self, left: str, right: str) -> str:
        operator = "IS DISTINCT FROM" if self._postgres else "IS NOT"
        return f"({left} {operator} {right})"


def _record(row: Any) -> EnrolmentRecord:
    """A staged row read back (for comparing the rows that name one learner)."""
    completed_on = row.completed_on
    if isinstance(completed_on, str):
        completed_on = date.fromisoformat(completed_on)
    return EnrolmentRecord(
        line=row.line,
        course_id=row.course_key,
        course_name=None,
        batch_id=row.batch_key,
        batch_name=None,
        learner_id=row.learner_key,
        name=row.name,
        email=row.email,
        status=EnrolmentStatus(row.status),
        completed_on=completed_on,
        scores=results_from_document(orjson.loads(row.results)),
        attributes=tuple(orjson.loads(row.attributes).items()),
    )
