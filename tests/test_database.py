"""bot.storage.db.Database: how its sessions end."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from bot.storage.db import Database
from models.roster import Person, Side
from tests.support.round_trips import protocol_trace


def test_a_read_ends_with_commit_and_a_failed_one_with_rollback(db: Database) -> None:
    """psycopg drops every prepared statement of a connection on ROLLBACK, so reads that end without
    an error commit (nothing to keep), and prepared statements survive from one request to the next."""
    ended: list[str] = []
    event.listen(db.engine, "commit", lambda _conn: ended.append("commit"))
    event.listen(db.engine, "rollback", lambda _conn: ended.append("rollback"))
    with db.session() as session:
        session.scalars(select(Person)).all()
    assert ended == ["commit"]
    ended.clear()
    with pytest.raises(LookupError), db.session() as session:
        session.scalars(select(Person)).all()
        raise LookupError("a read that failed")
    assert ended == ["rollback"]
    ended.clear()
    with db.session():
        pass  # never began a transaction: nothing to end
    assert ended == []


def test_a_checked_transaction_reads_outside_sqlites_writer_lock_and_inside_elsewhere(db: Database) -> None:
    """SQLite: the check in its own read transaction, then the write (the writer lock covers only the
    write). PostgreSQL: both in one transaction on one connection."""
    began: list[str] = []
    event.listen(db.engine, "begin", lambda _conn: began.append("begin"))
    event.listen(db.engine, "commit", lambda _conn: began.append("commit"))

    def check(session: Session) -> int:
        people = len(session.scalars(select(Person)).all())
        began.append("checked")
        return people

    with db.checked_transaction(check) as (session, people):
        session.add(Person(slack_user_id="U0CHECKED", name="检查", side=Side.SCHOOL))
        session.flush()
        began.append("wrote")
    happened = list(began)
    with db.session() as session:
        assert session.scalar(select(Person).where(Person.slack_user_id == "U0CHECKED")) is not None
    assert people == 0
    if db.is_sqlite:
        assert happened == ["begin", "checked", "commit", "begin", "wrote", "commit"]
    else:
        assert happened == ["begin", "checked", "wrote", "commit"]


def test_a_refused_check_writes_nothing(db: Database) -> None:
    def check(_session: Session) -> None:
        raise PermissionError("not yours")

    with pytest.raises(PermissionError), db.checked_transaction(check) as (session, _):
        session.add(Person(slack_user_id="U0NEVER", name="从未", side=Side.SCHOOL))
    with db.session() as session:
        assert session.scalar(select(Person).where(Person.slack_user_id == "U0NEVER")) is None


def _backend_pids(db: Database, n: int) -> list[int]:
    """Check `n` connections out at once (so the pool holds that many) and return their server pids."""
    sessions = [db.session() for _ in range(n)]
    try:
        return [s.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one() for s in sessions]
    finally:
        for s in sessions:
            s.close()


def test_connections_the_server_closed_are_replaced_before_use(db: Database) -> None:
    """No pre-ping round trip per checkout, yet a pooled connection the server ended (as a restart does,
    each backend closing with "terminating connection due to administrator command") fails no request."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL's pool")
    pids = _backend_pids(db, 3)
    other = create_engine(db.url, poolclass=NullPool)
    with other.connect() as conn:
        for pid in pids:
            assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid}, 5000)").scalar_one()
    for _ in range(6):  # every pooled connection, in every way the app reads and writes
        with db.read() as session:
            assert session.scalars(select(Person.id).limit(1)).all() == []
        with db.session() as session:
            assert session.scalars(select(Person.id).limit(1)).all() == []
        with db.transaction() as session:
            session.execute(select(Person.id).limit(1))
    assert set(_backend_pids(db, 3)).isdisjoint(pids)


def test_a_live_connection_is_not_pinged_and_a_read_needs_one_round_trip(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("round trips to PostgreSQL")

    with db.read() as session:  # a first connection, with what it learns on connecting
        session.scalars(select(Person.id).limit(1)).all()
    with protocol_trace(db.engine) as tracer:
        with db.read() as session:
            session.scalars(select(Person.id).limit(1)).all()
        with tracer.measure() as exchanges, db.read() as session:
            session.scalars(select(Person.id).limit(1)).all()
    assert exchanges.round_trips == 1, exchanges.messages
    assert not exchanges.sent("Query"), exchanges.messages  # no ping, no BEGIN, no COMMIT
