"""SQLite writers queue on our lock (bot.storage.sqlite_writer): every change lands, none is refused as "locked",
across threads and processes; a writer that never lets go gets a clear timeout, not a hang."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.storage.db import Database
from bot.storage.sqlite_writer import SqliteWriterLock, WriterLockTimeout, writer_lock

INCREMENTS = 40


def _counter_db(path: Path) -> Database:
    db = Database(f"sqlite:///{path}")
    with db.transaction() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS counter (n INTEGER NOT NULL)"))
        if session.execute(text("SELECT count(*) FROM counter")).scalar_one() == 0:
            session.execute(text("INSERT INTO counter VALUES (0)"))
    return db


def _increment(db: Database, times: int) -> None:
    """Read, then write what was read plus one: a lost update would show in the total."""
    for _ in range(times):
        with db.transaction() as session:
            n = session.execute(text("SELECT n FROM counter")).scalar_one()
            session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})


def _increment_in_child(path: str, times: int) -> None:
    db = Database(f"sqlite:///{path}")
    _increment(db, times)
    db.dispose()


def _total(db: Database) -> int:
    with db.session() as session:
        return int(session.execute(text("SELECT n FROM counter")).scalar_one())


def test_threads_take_turns_and_lose_nothing(tmp_path: Path) -> None:
    db = _counter_db(tmp_path / "c.db")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _increment(db, INCREMENTS)
        except BaseException as exc:  # collected: a failure in a thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert _total(db) == 8 * INCREMENTS


def test_processes_take_turns_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    db = _counter_db(path)
    spawn = multiprocessing.get_context("spawn")
    children = [spawn.Process(target=_increment_in_child, args=(str(path), INCREMENTS)) for _ in range(3)]
    for child in children:
        child.start()
    _increment(db, INCREMENTS)  # and this process at the same time
    for child in children:
        child.join(120)
    assert [child.exitcode for child in children] == [0, 0, 0]
    assert _total(db) == 4 * INCREMENTS


def test_a_writer_that_never_lets_go_times_out_clearly(tmp_path: Path) -> None:
    lock_file = tmp_path / "c.db.writer-lock"
    holder, waiter = SqliteWriterLock(lock_file, timeout=5), SqliteWriterLock(lock_file, timeout=0.2)
    with holder.held(), pytest.raises(WriterLockTimeout):  # noqa: SIM117 - the order is the point
        with waiter.held():
            pass
    with waiter.held():  # free again once the holder is done
        pass


def test_a_nested_transaction_in_the_same_thread_does_not_wait_for_itself(tmp_path: Path) -> None:
    lock = SqliteWriterLock(tmp_path / "x.writer-lock", timeout=0.5)
    with lock.held(), lock.held():
        pass
    with lock.held():  # and it was released
        pass


def test_one_lock_per_database_file_in_a_process(tmp_path: Path) -> None:
    path = str(tmp_path / "same.db")
    assert writer_lock(path, 30) is writer_lock(path, 30)
    assert writer_lock(path, 30) is not writer_lock(str(tmp_path / "other.db"), 30)
    assert writer_lock(None, 30) is not writer_lock(None, 30)  # in-memory databases share nothing


def test_a_transaction_waits_for_the_writer_lock_not_only_for_sqlite(tmp_path: Path) -> None:
    """Held by another thread outside any SQLite transaction, only our lock can make a change wait: without
    it (SQLite's busy handler alone) the transaction below would go straight through."""
    path = tmp_path / "c.db"
    db = _counter_db(path)
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writer_lock(str(path), 30).held():
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert entered.wait(5)
    done = threading.Event()
    writer = threading.Thread(target=lambda: (_increment(db, 1), done.set()))
    writer.start()
    assert not done.wait(0.5)  # queued behind the holder
    release.set()
    assert done.wait(10)  # and through as soon as it let go
    holder.join(5)
    writer.join(5)
    assert _total(db) == 1
