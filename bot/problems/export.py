"""Problem reports as export rows (`coopbot export issues`): one row per report, ordered by id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.db import Database
from bot.exports.cells import Row, cell, guard_formula
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
    PostgreSQL), so memory stays flat however many there are. `status` is a fixed lowercase word."""
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
        .execution_options(yield_per=_BATCH)
    )
    with db.session() as session:
        for row in session.execute(query):
            (pid, partnership, student_id, intern, category, severity, status, reported_by, reported_at,
             occurred_on, description, actions, ack_by, ack_at, res_by, res_at, resolution, n_updates) = row
            yield [
                pid, cell(partnership), cell(student_id), cell(intern),
                category.value, severity.value.upper(), status.value,  # fixed values, never translated
                cell(reported_by), cell(reported_at), cell(occurred_on), cell(description),
                cell(actions), cell(ack_by), cell(ack_at), cell(res_by), cell(res_at),
                cell(resolution), int(n_updates),
            ]


def write_problems_csv(db: Database, out: TextIO) -> int:
    """Every problem report as CSV; returns data rows written."""
    return write_csv(out, HEADER, iter_problem_rows(db))
