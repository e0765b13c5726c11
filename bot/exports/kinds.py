"""The kinds of export, each a header and a row generator from its own domain package.

A moment (`reported_at`, `starts_at`…) is written in CSV in UTC, as the contract has it, and in XLSX as a
date-time cell on its partnership's clock: the column's header names that clock — `reported_at
(Asia/Shanghai)` — or, when the partnerships keep different ones, reads `reported_at (local time)` and a
`timezone` column names each row's (the meetings export has its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from bot.cooperation.export import HEADER as LEDGER
from bot.cooperation.export import MOMENTS as LEDGER_MOMENTS
from bot.cooperation.export import iter_ledger_rows
from bot.exchanges.export import HEADER as EXCHANGES
from bot.exchanges.export import MOMENTS as EXCHANGE_MOMENTS
from bot.exchanges.export import iter_exchange_rows
from bot.exports.cells import Row
from bot.exports.writers import Sheet
from bot.internships.export import HEADER as EVALUATIONS
from bot.internships.export import MOMENTS as EVALUATION_MOMENTS
from bot.internships.export import iter_evaluation_rows
from bot.meetings.export import HEADER as MEETINGS
from bot.meetings.export import MOMENTS as MEETING_MOMENTS
from bot.meetings.export import iter_meeting_rows
from bot.plans.export import (
    PLANS_HEADER,
    RECRUITMENT_HEADER,
    RECRUITMENT_MOMENTS,
    iter_plan_rows,
    iter_recruitment_rows,
)
from bot.problems.export import HEADER as ISSUES
from bot.problems.export import MOMENTS as ISSUE_MOMENTS
from bot.problems.export import iter_problem_rows
from bot.roster.export import HEADER as PEOPLE
from bot.roster.export import MOMENTS as PEOPLE_MOMENTS
from bot.roster.export import iter_people_rows
from bot.storage.db import Database
from models.roster import Partnership

ZONE_COLUMN = "timezone"


@dataclass(frozen=True)
class Kind:
    name: str  # the CLI's word and the XLSX sheet's name
    header: tuple[str, ...]
    # (db, default timezone, local_times) → rows; without local_times (CSV), a generator may hand its moments
    # over as the UTC text CSV writes (the database formats them faster than Python)
    rows: Callable[[Database, str, bool], Iterator[Row]]
    moments: frozenset[str]  # the columns holding a moment on the partnership's clock
    own_zone_column: bool = False  # a `timezone` column already names each row's clock


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("issues", ISSUES, lambda db, zone, local_times: iter_problem_rows(db, default_timezone=zone,
                                                                           local_times=local_times), ISSUE_MOMENTS),
    Kind("exchanges", EXCHANGES, lambda db, zone, _: iter_exchange_rows(db, default_timezone=zone), EXCHANGE_MOMENTS),
    Kind("meetings", MEETINGS, lambda db, zone, _: iter_meeting_rows(db, default_timezone=zone), MEETING_MOMENTS,
         own_zone_column=True),
    Kind("evaluations", EVALUATIONS, lambda db, zone, _: iter_evaluation_rows(db, default_timezone=zone),
         EVALUATION_MOMENTS),
    Kind("plans", PLANS_HEADER, lambda db, zone, _: iter_plan_rows(db), frozenset()),
    Kind("recruitment", RECRUITMENT_HEADER, lambda db, zone, _: iter_recruitment_rows(db, default_timezone=zone),
         RECRUITMENT_MOMENTS),
    Kind("ledger", LEDGER, lambda db, zone, _: iter_ledger_rows(db, default_timezone=zone), LEDGER_MOMENTS),
    Kind("people", PEOPLE, lambda db, _zone, _local: iter_people_rows(db), PEOPLE_MOMENTS),
)}
NAMES = tuple(KINDS)  # the CLI's choices and the order of the sheets with --all


def sheet(name: str, db: Database, default_timezone: str, fmt: str = "csv") -> Sheet:
    """The export `name` as a sheet for `fmt`; its rows are read only as they are consumed. A CSV sheet has the
    kind's header as it is; an XLSX sheet's header says on which clock its moments are."""
    kind = KINDS[name]
    rows = kind.rows(db, default_timezone, fmt == "xlsx")
    if fmt != "xlsx" or not kind.moments:
        return Sheet(kind.name, kind.header, rows)
    zones = clocks(db, default_timezone)
    if len(zones) <= 1:
        clock = next(iter(zones), default_timezone)
        return Sheet(kind.name, tuple(f"{c} ({clock})" if c in kind.moments else c for c in kind.header), rows)
    header = tuple(f"{c} (local time)" if c in kind.moments else c for c in kind.header)
    if kind.own_zone_column:
        return Sheet(kind.name, header, rows)
    return Sheet(kind.name, (*header, ZONE_COLUMN), rows, zone_column=True)


def clocks(db: Database, default_timezone: str) -> set[str]:
    """The timezones the partnerships keep (theirs, else the default): a roster's worth, read at once."""
    with db.session() as session:
        return {zone or default_timezone for zone in session.scalars(select(Partnership.timezone).distinct())}
