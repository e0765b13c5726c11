"""Export cells: what a row generator yields, and how each format writes it.

A row generator yields values as they are — text as typed, numbers, `date`s, and moments as aware
`datetime`s in their partnership's timezone, `None` where there is nothing — and each writer decides
how they read in its format:
- CSV (the contract: a header row, fixed lowercase status words) writes moments as UTC ISO 8601
  (`2027-01-04T01:30:00Z`), dates as ISO, nothing as an empty field, and guards text a spreadsheet
  would run as a formula (`csv_row`);
- XLSX writes real date and date-time cells (a moment at its partnership's wall-clock time, the zone
  named in the column's header), text as typed (a string cell is never a formula there), and nothing
  as a blank cell (`bot.exports.writers.write_xlsx`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

Cell = str | int | float | date | datetime | None  # a datetime is aware; a date is a day
Row = list[Cell]
CsvCell = str | int | float

_FORMULA_FIRST = frozenset(("=", "+", "-", "@", "\t", "\r"))


class WallClock(datetime):
    """A time already on its partnership's wall clock, which CSV writes as such (`2027-01-04 09:30`), not in
    UTC: the meetings export's `local_start`, next to its `timezone` column."""


def guard_formula(text: str) -> str:
    """Prefix a `'` to text a spreadsheet would run as a formula (CSV only).

    CSV files are opened in Excel or WPS by people who never see the raw file. A description typed
    in Slack as `=HYPERLINK("http://evil", "click")` or `@SUM(...)` would otherwise become a live
    formula there (CSV injection): it could leak other cells or trick the reader into a click.
    The quote makes the cell plain text; the original is still readable after it. An XLSX string
    cell is never a formula, so XLSX keeps the text as typed.
    """
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def utc_text(moment: datetime) -> str:
    """A moment as CSV writes it: `2027-01-04T01:30:00Z`."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"  # faster than strftime


def csv_cell(value: Cell) -> CsvCell:
    """One cell as CSV writes it. Called for every cell of every export (millions of times for a large one),
    so the common cases are decided by exact type first."""
    kind = type(value)
    if kind is str:
        return guard_formula(value)  # type: ignore[arg-type]
    if kind is int or kind is float:
        return value  # type: ignore[return-value]
    if value is None:
        return ""
    if kind is WallClock:
        return value.strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    return guard_formula(str(value))


def csv_row(row: Row) -> list[CsvCell]:
    """A row as CSV writes it; text and whole numbers, most cells, without a call each."""
    return [(("'" + value if value[:1] in _FORMULA_FIRST else value) if type(value) is str
             else value if type(value) is int else csv_cell(value)) for value in row]


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A stored (UTC) moment on its partnership's clock, for the writers; None stays None."""
    return None if moment is None else moment.astimezone(zone)


def yes_no(flag: bool | None) -> str | None:
    """A yes/no column's fixed words (both formats); None (not known yet) stays empty."""
    return None if flag is None else ("yes" if flag else "no")
