"""Reading a home is cheap: a fixed number of statements, whatever the size of the partnership."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, select

from bot.home.data import PAGE_SIZE, Section
from bot.home.refresh import render_home
from bot.storage.db import Database
from models.base import utcnow
from models.exchange import Direction, Exchange, ExchangeStatus, Purpose
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Partnership, Person
from tests.support.harness import COORD_SCHOOL, MENTOR, TEACHER, seed_roster


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow(db: Database, interns: int, problems: int, exchanges: int, *, tag: str) -> None:
    """Hundreds of interns taught by the school coordinator, their problems (half overdue), pending exchanges."""
    now = utcnow()
    with db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.channel_id == "C0PARTNER"))
        coordinator = session.scalar(select(Person).where(Person.slack_user_id == COORD_SCHOOL))
        mentor = session.scalar(select(Person).where(Person.slack_user_id == MENTOR))
        teacher = session.scalar(select(Person).where(Person.slack_user_id == TEACHER))
        assert partnership and coordinator and mentor and teacher
        made = [Intern(student_id=f"{tag}{n:05d}", name=f"实习生{n}", partnership=partnership, teacher=coordinator,
                       mentor=mentor, start_date=date(2026, 9, 1), end_date=date.today() + timedelta(days=n % 60),
                       position="装配") for n in range(interns)]
        session.add_all(made)
        for n in range(problems):
            session.add(Problem(partnership=partnership, intern=made[n % interns], reporter=coordinator,
                                category=Category.HOURS, severity=list(Severity)[n % 4], description=f"问题{n}",
                                occurred_on=date(2027, 1, 1), status=list(ProblemStatus)[n % 4],
                                created_at=now - timedelta(days=5 if n % 2 else 0, minutes=n)))
        for _ in range(exchanges):
            session.add(Exchange(partnership=partnership, person=teacher, requester=teacher,
                                 direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit="实验室", purpose=Purpose.TEACHING,
                                 start_date=date(2027, 9, 1), end_date=date(2027, 12, 1),
                                 confidentiality_acknowledged_at=now, status=ExchangeStatus.PENDING,
                                 submitted_at=now))


def test_a_coordinators_home_costs_the_same_few_statements_for_three_or_three_hundred(db: Database,
                                                                                      tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    grow(db, interns=3, problems=3, exchanges=1, tag="A")
    with db.session() as session, counting(db) as small:
        render_home(session, COORD_SCHOOL)
    with db.session() as session, counting(db) as small_mentor:
        render_home(session, MENTOR)
    grow(db, interns=300, problems=400, exchanges=40, tag="B")
    with db.session() as session, counting(db) as large:
        view = render_home(session, COORD_SCHOOL, pages={Section.AWAITING: 3, Section.OVERDUE: 2})
    # The same for 3 and 300 interns; the budget grew from 20 with three lists of one query each: placed/planned,
    # the cooperation ledger, and the partnerships' people of another organization.
    assert len(large) == len(small) <= 24, large
    assert len(view["blocks"]) <= 100
    text = str(view)
    assert f"({3 * PAGE_SIZE + 1}–{4 * PAGE_SIZE} of" in text  # the page asked for
    with db.session() as session, counting(db) as large_mentor:  # the mentor of all 303: their interns listed too
        view = render_home(session, MENTOR, pages={Section.INTERNS: 20})
    assert len(large_mentor) == len(small_mentor) <= 20, large_mentor
    assert f"({20 * PAGE_SIZE + 1}–{21 * PAGE_SIZE} of 305)" in str(view)


@contextmanager
def recording(db: Database) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


GROWING_TABLES = ("problem", "intern", "exchange", "meeting", "action_item", "problem_event")


def full_scans(db: Database, statements: list[tuple[str, object]]) -> list[str]:
    """Statements the database can only answer by reading a whole growing table.

    SQLite's plan says `SCAN <table>`. PostgreSQL, told to avoid sequential scans, still shows
    `Seq Scan on <table>` where no index serves the query; a full scan of an index passes there, so
    SQLite's check is the stricter one.
    """
    found = []
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if not db.is_sqlite:
            cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(("EXPLAIN QUERY PLAN " if db.is_sqlite else "EXPLAIN ") + statement, parameters)
            plan = [str(row[-1] if db.is_sqlite else row[0]) for row in cursor.fetchall()]
            for line in plan:
                words = line.split()
                table = (words[1] if db.is_sqlite and words[:1] == ["SCAN"] and len(words) > 1
                         else words[words.index("on") + 1] if "Seq Scan on" in line else None)
                if table in GROWING_TABLES:
                    found.append(f"{line.strip()}: {statement[:200]}")
    finally:
        raw.close()
    return found


def test_no_home_reads_a_whole_growing_table(db: Database, tmp_path: Path) -> None:
    """"My problems" once scanned every problem of every partnership (100 ms at 200,000 reports)."""
    seed_roster(db, tmp_path)
    grow(db, interns=30, problems=60, exchanges=5, tag="A")
    for user in (COORD_SCHOOL, TEACHER, MENTOR):
        with db.session() as session, recording(db) as statements:
            render_home(session, user)
        assert statements
        assert full_scans(db, statements) == [], user
