"""The kinds of export, each a header and a row generator from its own domain package."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.exchanges.export import HEADER as EXCHANGES
from bot.exchanges.export import iter_exchange_rows
from bot.exports.cells import Row
from bot.exports.writers import Sheet
from bot.internships.export import HEADER as EVALUATIONS
from bot.internships.export import iter_evaluation_rows
from bot.meetings.export import HEADER as MEETINGS
from bot.meetings.export import iter_meeting_rows
from bot.problems.export import HEADER as ISSUES
from bot.problems.export import iter_problem_rows
from bot.storage.db import Database


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI's word and the XLSX sheet's name
    header: tuple[str, ...]
    rows: Callable[[Database, str], Iterator[Row]]  # (db, default timezone) → rows


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("issues", ISSUES, lambda db, _zone: iter_problem_rows(db)),
    Kind("exchanges", EXCHANGES, lambda db, _zone: iter_exchange_rows(db)),
    Kind("meetings", MEETINGS, lambda db, zone: iter_meeting_rows(db, default_timezone=zone)),
    Kind("evaluations", EVALUATIONS, lambda db, zone: iter_evaluation_rows(db, default_timezone=zone)),
)}
NAMES = tuple(KINDS)  # the CLI's choices and the order of the sheets with --all


def sheet(name: str, db: Database, default_timezone: str) -> Sheet:
    """The export `name` as a sheet; its rows are read only as they are consumed."""
    kind = KINDS[name]
    return Sheet(kind.name, kind.header, kind.rows(db, default_timezone))
