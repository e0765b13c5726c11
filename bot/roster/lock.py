"""One roster change at a time: the CSV imports and administration in Slack check the roster, then write it.

Two of them running together can each pass their checks against what the other has not committed yet — on
PostgreSQL (read committed) a people import that takes away a teacher's role and an interns import that gives
that teacher a new intern both commit, leaving an intern supervised by someone who is no teacher there. So
every roster change takes one transaction-scoped advisory lock first: the second waits, then checks against
what the first committed. SQLite needs nothing: its writes are serialised by `BEGIN IMMEDIATE` already.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

ROSTER_LOCK = 0x636F6F70_726F7374  # "coop" "rost": any constant the app uses for nothing else


def lock_roster(session: Session) -> None:
    """Hold the roster lock until this transaction ends (PostgreSQL; a no-op on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROSTER_LOCK})
