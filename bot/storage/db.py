"""Engine and session factory. One `Database` per process; services open short transactions on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import groupby
from typing import Any, TypeVar

from sqlalchemy import Engine, Insert, create_engine, event, insert, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import DatabaseBusy
from bot.storage.sqlite_writer import SqliteWriterLock, WriterLockTimeout, writer_lock

T = TypeVar("T")

WRITE_OPTION = "coopbot_write"  # marks a SQLite connection whose transaction will write
SQLITE_BUSY_SECONDS = 30

# When this thread's database work must give up waiting for a lock (time.monotonic()), or None: set while a
# Slack request is being answered (bot.serving.executor), which has 3 s in all. A change that would wait longer
# for a lock (another process's long transaction, a table locked by hand) is refused as DatabaseBusy,
# with nothing written, so the person reads "busy, nothing saved" inline instead of Slack's own error
# while the change goes through unseen a moment later.
_lock_deadline: ContextVar[float | None] = ContextVar("coopbot_lock_deadline", default=None)
LOCK_TIMEOUT_CODES = frozenset({"55P03"})  # PostgreSQL's lock_not_available (lock_timeout)


@contextmanager
def waiting_at_most(seconds: float) -> Iterator[None]:
    """Database transactions in this context wait at most `seconds` (from now) for a lock."""
    token = _lock_deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _lock_deadline.reset(token)


def _lock_wait_left() -> float | None:
    deadline = _lock_deadline.get()
    return None if deadline is None else max(deadline - time.monotonic(), 0.05)


class Database:
    """Wraps the engine so that SQLite behaves like a serialising database under threads.

    SQLite's default deferred transactions turn a read-then-write race into `database is locked`
    errors instead of waiting. So `transaction()` (every change) begins with `BEGIN IMMEDIATE` and
    takes the write lock up front: concurrent changes queue up and each sees the previous one. They
    queue on a lock of our own (bot.storage.sqlite_writer), woken in turn, rather than in SQLite's sleeping
    busy handler. `session()` is for reading and begins deferred, so reads (WAL) never wait for a
    writer. PostgreSQL needs nothing of this: services lock the rows they change with `FOR UPDATE`.
    """

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        engine_kwargs.setdefault("hide_parameters", True)  # SQL parameters hold students' personal data
        if self.is_sqlite:
            engine_kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False})
        else:
            engine_kwargs.setdefault("pool_pre_ping", True)
            engine_kwargs.setdefault("pool_size", 10)
            engine_kwargs.setdefault("max_overflow", 20)
        self.engine: Engine = create_engine(url, **engine_kwargs)
        self._writer: SqliteWriterLock | None = None
        if self.is_sqlite:
            _serialise_sqlite(self.engine)
            self._writer = writer_lock(self.engine.url.database, SQLITE_BUSY_SECONDS)
        self._sessions = sessionmaker(self.engine, class_=_Session, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits on success and rolls back on any exception. Within
        `waiting_at_most`, a lock not had in time raises DatabaseBusy (rolled back, nothing written)."""
        left = _lock_wait_left()
        try:
            if self._writer is None:
                with self._sessions() as session, session.begin():
                    if left is not None:
                        session.execute(text(f"SET LOCAL lock_timeout = {int(left * 1000)}"))
                    yield session
                return
            with self._writer.held(left), self._sessions() as session, session.begin():
                session.connection(execution_options={WRITE_OPTION: True})
                yield session
        except WriterLockTimeout as exc:
            if left is None:
                raise
            raise DatabaseBusy() from exc
        except OperationalError as exc:
            if left is None or not _is_lock_timeout(exc):
                raise
            raise DatabaseBusy() from exc

    @contextmanager
    def checked_transaction(self, check: Callable[[Session], T]) -> Iterator[tuple[Session, T]]:
        """A transaction preceded by `check` (reads and refusals only), with what `check` returned.

        On SQLite `check` runs first in a read session of its own, so the one writer lock covers only
        the writes; a change committed in between is one the check did not see, as if the write came
        just before it. PostgreSQL takes no such lock, so there `check` runs inside the transaction: one
        connection checkout and one transaction instead of two."""
        if self._writer is None:
            with self.transaction() as session:
                yield session, check(session)
            return
        with self.session() as session:
            checked = check(session)
        with self.transaction() as session:
            yield session, checked

    def session(self) -> Session:
        """A session for reading (on SQLite it does not take the write lock; never write in it)."""
        return self._sessions()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The writer's turn, for code that writes through the engine itself rather than `transaction()`
        (slack_sdk's stores, bot.installs.stores): on SQLite its deferred transaction cannot then meet another
        writer; PostgreSQL needs nothing."""
        if self._writer is None:
            yield
            return
        with self._writer.held():
            yield

    def dispose(self) -> None:
        self.engine.dispose()


class _Session(Session):
    """A session that, used as a context manager, ends a transaction it left open (a read) with COMMIT.

    Reads end their transaction when the session closes, and Session.close() rolls back. psycopg
    answers every ROLLBACK by dropping the connection's prepared statements (`DEALLOCATE ALL`, one
    more round trip), so no query stayed prepared for long: PostgreSQL parsed and planned almost every
    statement afresh. Committing a transaction that only read changes nothing else. After an error
    the session still rolls back.
    """

    def __exit__(self, type_: Any, value: Any, traceback: Any) -> None:
        if type_ is None and self.in_transaction():
            self.commit()
        super().__exit__(type_, value, traceback)


_AT_COMMIT = "coopbot_insert_at_commit"


def insert_at_commit(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    """Add a row that nothing reads back in this transaction (an outbox message, an audit entry): the
    transaction's rows of each table are written in one statement just before it commits, skipping
    the ORM's unit of work, which for a handful of rows costs more than the rest of a request."""
    queued: dict[type[Any], list[dict[str, Any]]] = session.info.setdefault(_AT_COMMIT, {})
    queued.setdefault(model, []).append(values)


def queued_rows(session: Session, model: type[Any]) -> list[dict[str, Any]]:
    """Rows of `model` this transaction added with `insert_at_commit` and not yet written."""
    return list(session.info.get(_AT_COMMIT, {}).get(model, []))


# Listened to on the Session class, once: listeners added to a session instance cost a registration per
# request and route every later event of that session through a slower joined dispatcher.
@event.listens_for(Session, "before_commit")
def _write_queued(session: Session) -> None:
    """Before commit: each table's queued rows in one statement, tables in the order first queued."""
    queued: dict[type[Any], list[dict[str, Any]]] = session.info.get(_AT_COMMIT, {})
    batches = list(queued.items())
    if not batches:
        return
    queued.clear()
    connection = session.connection()  # statements on the connection run as Core, outside the ORM
    for model, rows in batches:
        # Core, not the ORM's bulk insert (which costs as much again); one executemany per run of rows
        # that set the same columns, as Core's executemany needs.
        for _, same_columns in groupby(rows, key=_columns_set):
            connection.execute(_insert_into(model), list(same_columns))


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, _previous: Any) -> None:
    session.info.get(_AT_COMMIT, {}).clear()


_INSERTS: dict[type[Any], Insert] = {}


def _insert_into(model: type[Any]) -> Insert:
    """Built once per table: building and cache-keying the statement cost as much as running it."""
    statement = _INSERTS.get(model)
    if statement is None:
        statement = _INSERTS[model] = insert(model)
    return statement


def _columns_set(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


def _is_lock_timeout(exc: OperationalError) -> bool:
    """PostgreSQL's lock_timeout, or SQLite's busy timeout ("database is locked")."""
    code = getattr(exc.orig, "sqlstate", None)
    return code in LOCK_TIMEOUT_CODES or "database is locked" in str(exc.orig)


_BUSY_TIMEOUT = "coopbot_busy_timeout"  # the busy timeout (ms) last set on a SQLite connection
BUSY_STEP_MS = 250


def _busy_ms(left: float | None) -> int:
    """SQLite's busy timeout for a write transaction with `left` seconds to wait (None: unbounded), in ms.
    Rounded down to steps of BUSY_STEP_MS (never over `left`), so that consecutive requests, each with about
    the same time left, find it already set on their connection."""
    if left is None:
        return SQLITE_BUSY_SECONDS * 1000
    ms = int(left * 1000)
    return ms - ms % BUSY_STEP_MS if ms >= 2 * BUSY_STEP_MS else ms


def _serialise_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # WAL + NORMAL: no fsync per commit; the database never corrupts and survives a crash of the
        # app, but an OS crash or power cut may lose the last commits. Production runs PostgreSQL.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION)
        if write:  # how long BEGIN IMMEDIATE waits for another process's writer (bounded in a Slack request)
            wait = _busy_ms(_lock_wait_left())
            # The connection keeps it: set only when it changes (a statement less in most write transactions)
            if connection.info.get(_BUSY_TIMEOUT) != wait:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {wait}")
                connection.info[_BUSY_TIMEOUT] = wait
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
