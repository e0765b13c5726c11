"""A lease in the database: which replica may perform a duty (running the scheduler) right now.

APScheduler 3 must not share its job store between running schedulers, so with several replicas only
the holder of the `scheduler` lease runs it. Acquiring and renewing is one atomic statement:

    UPDATE lease SET holder = me, expires_at = now + ttl WHERE name = 'scheduler'
                 AND (expires_at < now OR holder = me)

and, when no row exists yet, an INSERT that the primary key lets only one replica win. The holder
renews every third of the ttl; if it dies, the lease lapses after at most the ttl and a standby takes
it. Times come from each replica's clock, so replicas' clocks must agree to well within the ttl (NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from models.base import utcnow
from models.operations import Lease

log = logging.getLogger(__name__)


def holder_id() -> str:
    """Who we are, readable in /healthz: host, process and a per-instance suffix."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class LeaseState:
    holder: str | None
    expires_at: datetime | None


class DatabaseLease:
    def __init__(self, db: Database, name: str, ttl: timedelta, *, holder: str | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.name = name
        self.ttl = ttl
        self.holder = holder or holder_id()
        self.clock = clock
        self.expires_at: datetime | None = None  # of our own lease, as last acquired or renewed
        self.taken = False  # the database says another replica holds it now

    def acquire(self) -> bool:
        """Take or renew the lease; True while we hold it. Database errors mean "not held"."""
        now = self.clock()
        until = now + self.ttl
        self.taken = False
        try:
            with self.db.transaction() as session:
                result = session.execute(
                    update(Lease).where(Lease.name == self.name,
                                        or_(Lease.expires_at < now, Lease.holder == self.holder))
                    .values(holder=self.holder, expires_at=until))
                if getattr(result, "rowcount", 0):
                    self.expires_at = until
                    return True
                if session.get(Lease, self.name) is not None:
                    self.taken = True  # someone else holds it
                    return False
            with self.db.transaction() as session:
                session.add(Lease(name=self.name, holder=self.holder, expires_at=until, acquired_at=now))
        except IntegrityError:
            self.taken = True  # another replica inserted it first
            return False
        except Exception as exc:
            log.warning("lease %s: could not reach the database (%s)", self.name, type(exc).__name__)
            return False
        self.expires_at = until
        return True

    def held(self) -> bool:
        """Whether our last acquisition is still unexpired (without asking the database)."""
        return self.expires_at is not None and self.expires_at > self.clock()

    def release(self) -> None:
        """Give the lease up so a standby takes over at once rather than after the ttl."""
        self.expires_at = None
        try:
            with self.db.transaction() as session:
                session.execute(delete(Lease).where(Lease.name == self.name, Lease.holder == self.holder))
        except Exception as exc:
            log.warning("lease %s: could not release (%s); it lapses by itself", self.name, type(exc).__name__)

    def state(self) -> LeaseState:
        with self.db.session() as session:
            row = session.get(Lease, self.name)
            return LeaseState(row.holder, row.expires_at) if row else LeaseState(None, None)


__all__ = ["DatabaseLease", "LeaseState", "holder_id"]
