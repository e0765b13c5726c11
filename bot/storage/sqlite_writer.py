"""One SQLite writer at a time, queued in order instead of sleeping in SQLite's busy handler.

SQLite lets one transaction write at a time; a second `BEGIN IMMEDIATE` waits in SQLite's busy handler,
which sleeps 1, 2, 5 … 100 ms between tries and never learns that the lock came free. Under a burst of
report submissions that turned into p99 acks of 1.5–2.7 s and a few past Slack's 3 s (see the README's
benchmarks). Here writers queue instead:

- threads of one process wait on a `threading.Lock`, woken the moment it is released;
- processes (gunicorn workers, the CLI, a second replica on the same file) take an `flock` on a file
  beside the database, so only one thread per process ever polls for it, and briefly; a turnstile
  (a second lock file) makes processes take turns.

SQLite's own busy timeout stays as the backstop for anything that writes without this lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_registry: dict[str, SqliteWriterLock] = {}
_registry_lock = threading.Lock()


class WriterLockTimeout(TimeoutError):
    """Another writer held the database for longer than the busy timeout."""


class SqliteWriterLock:
    """Re-entrant per thread, so a nested transaction behaves exactly as it did without the lock."""

    def __init__(self, lock_path: Path | None, timeout: float) -> None:
        self.pid = os.getpid()  # a forked child must not share its parent's lock file description
        self.lock_path = lock_path
        self.timeout = timeout
        self._threads = threading.Lock()
        self._owner: int | None = None
        self._depth = 0
        self._fd: int | None = None
        self._turn = -1

    @contextmanager
    def held(self, timeout: float | None = None) -> Iterator[None]:
        """The lock, waited for at most `timeout` seconds (the lock's own timeout when None)."""
        timeout = self.timeout if timeout is None else min(timeout, self.timeout)
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            raise WriterLockTimeout("the database stayed busy")
        try:
            self._lock_file(deadline)
            self._owner, self._depth = me, 1
            try:
                yield
            finally:
                self._owner, self._depth = None, 0
                self._unlock_file()
        finally:
            self._threads.release()

    def _lock_file(self, deadline: float) -> None:
        """Take the file lock through a turnstile: a process waiting for the lock holds the turnstile,
        so the holder's next thread queues behind it and processes take turns instead of one of them
        re-taking the lock it just released while the other sleeps between tries."""
        if self.lock_path is None:
            return
        if self._fd is None:
            self._turn = os.open(self.lock_path.with_name(self.lock_path.name + "-turn"), os.O_RDWR | os.O_CREAT,
                                 0o600)
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        _flock(self._turn, deadline)
        try:
            _flock(self._fd, deadline)
        finally:
            fcntl.flock(self._turn, fcntl.LOCK_UN)

    def _unlock_file(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


def _flock(fd: int, deadline: float) -> None:
    """An exclusive flock, tried every millisecond or so until `deadline` (flock itself has no timeout)."""
    pause = 0.0002
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise WriterLockTimeout("another process kept the database busy") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.001)


def writer_lock(database_file: str | None, timeout: float) -> SqliteWriterLock:
    """The process's lock for this database file; an in-memory database (None) gets a lock of its own.

    One per file and process, whatever the number of `Database` objects on it, so two engines on one
    file in one process (the CLI and a test, say) still queue behind each other."""
    if not database_file or database_file == ":memory:":
        return SqliteWriterLock(None, timeout)
    key = os.path.realpath(database_file)
    with _registry_lock:
        lock = _registry.get(key)
        if lock is None or lock.pid != os.getpid():
            lock = _registry[key] = SqliteWriterLock(Path(key + ".writer-lock"), timeout)
        return lock
