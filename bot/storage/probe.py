"""Can the database take a write now? For /healthz: a reachable database that cannot write (a full disk, a
table locked by hand, a long migration) loses every report while a read-only check says "ok".

One small row in `processed_request` (key `healthz:<host>:<pid>:<n>`), inserted and deleted again in one
transaction that commits: a real write, which needs a page on a full disk, bounded by the same lock wait that
Slack requests get, and leaves nothing behind.
"""

from __future__ import annotations

import itertools
import os
import socket

from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import DatabaseBusy
from bot.storage.db import Database, waiting_at_most
from models.base import utcnow
from models.delivery import ProcessedRequest

PROBE_SECONDS = 1.0  # how long the probe waits for a lock before it says "locked"
_PREFIX = f"healthz:{socket.gethostname()[:64]}:{os.getpid()}:"
_counter = itertools.count(1)


def write_problem(db: Database, *, within: float = PROBE_SECONDS) -> str | None:
    """None if a small write commits within `within` seconds; else what stops it, in a few words."""
    key = f"{_PREFIX}{next(_counter)}"
    try:
        with waiting_at_most(within), db.transaction() as session:
            session.add(ProcessedRequest(key=key, created_at=utcnow()))
            session.flush()  # the row takes its page here: a full disk fails now
            session.execute(delete(ProcessedRequest).where(ProcessedRequest.key == key))
    except DatabaseBusy:
        return f"locked: a write waited more than {within:g} s"
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        return f"cannot write: {reason}"
    return None
