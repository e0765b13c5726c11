"""The cooperation ledger as export rows (`coopbot export ledger`): one row per entry, ordered by id."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.exports.cells import Row
from bot.storage.db import Database
from models.cooperation import LedgerEntry
from models.roster import Partnership, Person

HEADER = ("id", "partnership", "kind", "title", "people", "started_on", "ended_on", "deadline", "status",
          "ownership", "trainees", "hours", "details", "logged_by", "logged_at")
MOMENTS = frozenset(("logged_at",))
_BATCH = 500


def iter_ledger_rows(db: Database, *, default_timezone: str = "UTC") -> Iterator[Row]:
    """Every ledger entry; `kind`, `status` and `ownership` are fixed lowercase words, never translated."""
    with db.engine.connect() as connection:
        partnerships = {pid: (name, ZoneInfo(zone or default_timezone)) for pid, name, zone in connection.execute(
            select(Partnership.id, Partnership.name, Partnership.timezone))}
        people = {pid: name for pid, name in connection.execute(select(Person.id, Person.name))}
        query = select(LedgerEntry.__table__).order_by(LedgerEntry.id)
        for e in connection.execution_options(yield_per=_BATCH).execute(query):
            name, zone = partnerships[e.partnership_id]
            yield [e.id, name, _word(e.kind), e.title, e.people, e.started_on, e.ended_on, e.deadline, _word(e.status),
                   _word(e.ownership), e.trainees, e.hours, e.details, people.get(e.created_by_id),
                   e.created_at.astimezone(zone)]


def _word(value: object) -> str | None:
    """A stored enum as its fixed lowercase word (a plain string cell in both formats)."""
    return None if value is None else str(getattr(value, "value", value))
