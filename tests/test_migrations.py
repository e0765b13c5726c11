"""The shipped migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

import models
from bot.storage.db import Database
from bot.storage.migrate import alembic_config, upgrade
from models.delivery import OutboxKind, OutboxMessage
from models.exchange import Direction, Exchange, ExchangeAssessment, ExchangeStatus, Purpose, Rating
from models.internship import EvaluationRequestItem
from models.migrations import include_object
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.roster import Intern, Partnership, Person, Side
from tests.support.harness import seed_roster


def test_migrations_match_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, models.Base.metadata)
    assert diff == []


def test_scheduler_table_is_not_ours_to_migrate(db: Database) -> None:
    """APScheduler creates its job table itself; autogenerate must not propose dropping it."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    store = SQLAlchemyJobStore(engine=db.engine, tablename="apscheduler_jobs")
    store.start(BackgroundScheduler(), "default")  # creates the table, as a running scheduler does
    with db.engine.connect() as conn:
        assert "apscheduler_jobs" in inspect(conn).get_table_names()
    test_migrations_match_models(db)
    upgrade(db.url)  # and migrating past it still works


def test_upgrade_is_repeatable(db: Database) -> None:
    upgrade(db.url)  # already at head: a second run changes nothing and does not fail
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None


def test_partnerships_sharing_a_channel_stop_the_upgrade_and_are_named(db: Database) -> None:
    """Before 0011 `partnership add` did not check the channel; the upgrade says which partnerships to fix."""
    command.downgrade(alembic_config(db.url), "0010")
    with db.engine.begin() as conn:
        for name in ("甲–合作", "乙–合作"):
            conn.execute(text("INSERT INTO partnership (name, school, enterprise, channel_id, language, created_at) "
                              "VALUES (:name, 'S', 'E', 'C0SHARED', 'en', CURRENT_TIMESTAMP)"), {"name": name})
    with pytest.raises(RuntimeError, match=r"share a Slack channel \(C0SHARED: .*its own channel") as refused:
        upgrade(db.url)
    assert "'甲–合作'" in str(refused.value) and "'乙–合作'" in str(refused.value)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE partnership SET channel_id = 'C0OWN' WHERE name = '乙–合作'"))
    upgrade(db.url)
    test_migrations_match_models(db)


def test_problems_reopened_before_0012_get_their_reopening_from_the_timeline(db: Database, tmp_path: Path) -> None:
    """0012 starts the acknowledgement clock of a reopened problem at its last reopening; problems reopened
    before it find theirs in problem_event, so the reminders job escalates them from the right time."""
    seed_roster(db, tmp_path)
    reported, first, last = (datetime(2026, 10, d, 8, 0, tzinfo=UTC) for d in (1, 5, 9))
    with db.transaction() as session:
        intern = session.scalars(select(Intern)).first()
        assert intern is not None
        problems = [Problem(partnership_id=intern.partnership_id, intern=intern, reporter=intern.teacher,
                            category=Category.SAFETY, severity=Severity.P1, description=f"问题 {n}",
                            occurred_on=date(2026, 10, 1), status=status, created_at=reported)
                    for n, status in enumerate((ProblemStatus.REOPENED, ProblemStatus.OPEN))]
        session.add_all(problems)
        for kind, at in ((EventKind.REPORTED, reported), (EventKind.RESOLVED, first), (EventKind.REOPENED, first),
                         (EventKind.RESOLVED, last), (EventKind.REOPENED, last)):
            session.add(ProblemEvent(problem=problems[0], kind=kind, actor=intern.teacher, created_at=at))
    command.downgrade(alembic_config(db.url), "0011")
    upgrade(db.url)
    with db.session() as session:
        rows = {p.description: (p.reopened_at, p.reopen_count) for p in session.scalars(select(Problem))}
    assert rows == {"问题 0": (last, 2), "问题 1": (None, 0)}
    test_migrations_match_models(db)


def test_evaluation_requests_sent_before_0013_are_listed_so_their_buttons_still_go(db: Database,
                                                                                  tmp_path: Path) -> None:
    """Before 0013 each request DM asked about one intern, keyed `intern:<id>:evaluate:<user>:<n>`; 0013
    lists those from the outbox, so an evaluation made after the upgrade still redraws them."""
    seed_roster(db, tmp_path)
    with db.transaction() as session:
        intern = session.scalars(select(Intern).order_by(Intern.id)).first()
        assert intern is not None
        keys = [f"intern:{intern.id}:evaluate:U0MENTOR:0", f"intern:{intern.id}:evaluate:U0MENTOR:2",
                "intern:999999:evaluate:U0MENTOR:0", "intern:x:evaluate:U0MENTOR:0"]  # no such intern; not ours
        session.add_all(OutboxMessage(kind=OutboxKind.POST, channel="U0MENTOR", message_key=key, payload={})
                        for key in keys)
    command.downgrade(alembic_config(db.url), "0012")
    upgrade(db.url)
    with db.session() as session:
        listed = session.execute(select(EvaluationRequestItem.message_key, EvaluationRequestItem.recipient,
                                        EvaluationRequestItem.intern_id, EvaluationRequestItem.reminder)
                                 .order_by(EvaluationRequestItem.reminder)).all()
    assert [tuple(row) for row in listed] == [(keys[0], "U0MENTOR", intern.id, 0), (keys[1], "U0MENTOR", intern.id, 2)]
    test_migrations_match_models(db)


def test_exchanges_a_fail_left_waiting_before_0014_end_as_failed(db: Database, tmp_path: Path) -> None:
    """Before 0014 a Fail left the exchange active, or assessed and waiting for a coordinator to issue its
    letter; 0014 ends those as failed. Passed ones, and letters already issued, stay as they were."""
    seed_roster(db, tmp_path)
    ratings = {"fail, waiting for the other side": (ExchangeStatus.ACTIVE, [Rating.FAIL]),
               "pass and fail, waiting for a letter": (ExchangeStatus.ASSESSED, [Rating.PASS, Rating.FAIL]),
               "passed, waiting for a letter": (ExchangeStatus.ASSESSED, [Rating.GOOD, Rating.PASS]),
               "issued despite a fail": (ExchangeStatus.COMPLETED, [Rating.FAIL, Rating.GOOD])}
    with db.transaction() as session:
        partnership = session.scalars(select(Partnership).where(Partnership.name == "深职院–华为")).one()
        people = {p.side: p for p in session.scalars(select(Person).where(Person.name.in_(("王芳", "张敏"))))}
        at = datetime(2027, 1, 4, 1, 30, tzinfo=UTC)
        for unit, (status, rates) in ratings.items():
            exchange = Exchange(partnership=partnership, person=people[Side.SCHOOL], requester=people[Side.SCHOOL],
                                direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit=unit, purpose=Purpose.TEACHING,
                                start_date=date(2026, 9, 1), end_date=date(2026, 12, 31), status=status,
                                confidentiality_acknowledged_at=at, created_at=at, updated_at=at)
            session.add(exchange)
            for side, rating in zip((Side.SCHOOL, Side.ENTERPRISE), rates, strict=False):
                session.add(ExchangeAssessment(exchange=exchange, side=side, assessor=people[Side.ENTERPRISE],
                                               rating=rating, created_at=at))
    command.downgrade(alembic_config(db.url), "0013")
    upgrade(db.url)
    with db.session() as session:
        after = {x.host_unit: x.status for x in session.scalars(select(Exchange))}
    assert after == {"fail, waiting for the other side": ExchangeStatus.FAILED,
                     "pass and fail, waiting for a letter": ExchangeStatus.FAILED,
                     "passed, waiting for a letter": ExchangeStatus.ASSESSED,
                     "issued despite a fail": ExchangeStatus.COMPLETED}
    test_migrations_match_models(db)


def test_schema_head_names_the_newest_migration() -> None:
    """The check every command runs (bot.storage.schema_check) knows the head without Alembic: keep it in step."""
    from alembic.script import ScriptDirectory

    from bot.storage.schema_check import SCHEMA_HEAD

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_current_head() == SCHEMA_HEAD
    assert all(script.revision.isdigit() for script in scripts.walk_revisions())  # ordered by number
