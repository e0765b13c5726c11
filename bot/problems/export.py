"""CSV export of problem reports (`coopbot export issues`)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.db import Database
from models.problem import EventKind, Problem, ProblemEvent
from models.roster import Intern, Partnership, Person

HEADER = (
    "id", "partnership", "student_id", "intern", "category", "severity", "status", "reported_by",
    "reported_at", "occurred_on", "description", "actions_taken", "acknowledged_by", "acknowledged_at",
    "resolved_by", "resolved_at", "resolution", "updates",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BATCH = 500


def guard_formula(text: str) -> str:
    """Prefix a `'` to text a spreadsheet would run as a formula.

    Exports are opened in Excel or WPS by people who never see the raw file. A description typed
    in Slack as `=HYPERLINK("http://evil", "click")` or `@SUM(...)` would otherwise become a live
    formula there (CSV injection): it could leak other cells or trick the reader into a click.
    The quote makes the cell plain text; the original is still readable after it.
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value: Any) -> str | int:
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return guard_formula(str(value))


def write_problems_csv(db: Database, out: TextIO) -> int:
    """Write every problem report as CSV, ordered by id, streaming in batches; returns data rows written."""
    reporter, acknowledger, resolver = aliased(Person), aliased(Person), aliased(Person)
    updates = (select(ProblemEvent.problem_id, func.count().label("n"))
               .where(ProblemEvent.kind == EventKind.UPDATE)
               .group_by(ProblemEvent.problem_id)
               .subquery())
    query = (
        select(
            Problem.id, Partnership.name, Intern.student_id, Intern.name, Problem.category, Problem.severity,
            Problem.status, reporter.name, Problem.created_at, Problem.occurred_on, Problem.description,
            Problem.actions_taken, acknowledger.name, Problem.acknowledged_at, resolver.name,
            Problem.resolved_at, Problem.resolution, func.coalesce(updates.c.n, 0),
        )
        .join(Partnership, Problem.partnership_id == Partnership.id)
        .join(Intern, Problem.intern_id == Intern.id)
        .join(reporter, Problem.reporter_id == reporter.id)
        .outerjoin(acknowledger, Problem.acknowledged_by_id == acknowledger.id)
        .outerjoin(resolver, Problem.resolved_by_id == resolver.id)
        .outerjoin(updates, updates.c.problem_id == Problem.id)
        .order_by(Problem.id)
        .execution_options(yield_per=_BATCH)  # server-side cursor on PostgreSQL: memory stays flat
    )
    writer = csv.writer(out)
    writer.writerow(HEADER)
    written = 0
    with db.session() as session:
        for row in session.execute(query):
            (pid, partnership, student_id, intern, category, severity, status, reported_by, reported_at,
             occurred_on, description, actions, ack_by, ack_at, res_by, res_at, resolution, n_updates) = row
            writer.writerow([
                pid, _cell(partnership), _cell(student_id), _cell(intern),
                category.value, severity.value.upper(), status.value,  # fixed values, never translated
                _cell(reported_by), _cell(reported_at), _cell(occurred_on), _cell(description),
                _cell(actions), _cell(ack_by), _cell(ack_at), _cell(res_by), _cell(res_at),
                _cell(resolution), int(n_updates),
            ])
            written += 1
    return written
