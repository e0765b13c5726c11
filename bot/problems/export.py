"""Problem reports as export rows (`coopbot export issues`): one row per report, ordered by id."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TextIO

from sqlalchemy import ColumnElement, String, func, select, type_coerce
from sqlalchemy.orm import aliased

from bot.db import Database
from bot.exports.cells import Row, guard_formula, text_cell
from bot.exports.writers import write_csv
from models.problem import EventKind, Problem, ProblemEvent
from models.roster import Intern, Partnership, Person

__all__ = ["HEADER", "guard_formula", "iter_problem_rows", "write_problems_csv"]

HEADER = (
    "id", "partnership", "student_id", "intern", "category", "severity", "status", "reported_by",
    "reported_at", "occurred_on", "description", "actions_taken", "acknowledged_by", "acknowledged_at",
    "resolved_by", "resolved_at", "resolution", "updates",
)
_BATCH = 500


def iter_problem_rows(db: Database) -> Iterator[Row]:
    """Every problem report, ordered by id, fetched in batches of 500 (a server-side cursor on
    PostgreSQL), so memory stays flat however many there are. `status` is a fixed lowercase word.

    Built for 200,000 rows in a few seconds: the database formats the times and dates (C, in its own
    process) and hands over enum values as stored, and the rows come through Core, not the ORM; Python
    only guards text cells against formulas."""
    reporter, acknowledger, resolver = aliased(Person), aliased(Person), aliased(Person)
    updates = (select(ProblemEvent.problem_id, func.count().label("n"))
               .where(ProblemEvent.kind == EventKind.UPDATE)
               .group_by(ProblemEvent.problem_id)
               .subquery())
    iso, day = _utc_iso_text(db), _iso_date_text(db)
    query = (
        select(
            Problem.id, Partnership.name, Intern.student_id, Intern.name, type_coerce(Problem.category, String),
            type_coerce(Problem.severity, String), type_coerce(Problem.status, String), reporter.name,
            iso(Problem.created_at), day(Problem.occurred_on), Problem.description, Problem.actions_taken,
            acknowledger.name, iso(Problem.acknowledged_at), resolver.name, iso(Problem.resolved_at),
            Problem.resolution, func.coalesce(updates.c.n, 0),
        )
        .join(Partnership, Problem.partnership_id == Partnership.id)
        .join(Intern, Problem.intern_id == Intern.id)
        .join(reporter, Problem.reporter_id == reporter.id)
        .outerjoin(acknowledger, Problem.acknowledged_by_id == acknowledger.id)
        .outerjoin(resolver, Problem.resolved_by_id == resolver.id)
        .outerjoin(updates, updates.c.problem_id == Problem.id)
        .order_by(Problem.id)
    )
    with db.engine.connect() as connection:
        for row in connection.execution_options(yield_per=_BATCH).execute(query):
            (pid, partnership, student_id, intern, category, severity, status, reported_by, reported_at,
             occurred_on, description, actions, ack_by, ack_at, res_by, res_at, resolution, n_updates) = row
            yield [
                pid, text_cell(partnership), text_cell(student_id), text_cell(intern),
                category, severity.upper(), status,  # fixed values as stored, never translated
                text_cell(reported_by), reported_at, occurred_on, text_cell(description),
                text_cell(actions), text_cell(ack_by), ack_at or "", text_cell(res_by), res_at or "",
                text_cell(resolution), int(n_updates),
            ]


def _utc_iso_text(db: Database) -> Callable[[Any], ColumnElement[str]]:
    """A UTC time as the exports write it (`2027-01-04T01:30:00Z`), formatted by the database."""
    if db.is_sqlite:  # stored as UTC text, "2027-01-04 01:30:00.000000"
        return lambda column: func.strftime("%Y-%m-%dT%H:%M:%SZ", column, type_=String)
    return lambda column: func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"Z"', type_=String)


def _iso_date_text(db: Database) -> Callable[[Any], ColumnElement[str]]:
    if db.is_sqlite:  # stored as "2027-01-04"
        return lambda column: type_coerce(column, String)
    return lambda column: func.to_char(column, "YYYY-MM-DD", type_=String)


def write_problems_csv(db: Database, out: TextIO) -> int:
    """Every problem report as CSV; returns data rows written."""
    return write_csv(out, HEADER, iter_problem_rows(db))
