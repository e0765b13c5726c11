"""How a value becomes an export cell: the same for every kind and both formats."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

Cell = str | int | float
Row = list[Cell]

_FORMULA_FIRST = frozenset(("=", "+", "-", "@", "\t", "\r"))


def guard_formula(text: str) -> str:
    """Prefix a `'` to text a spreadsheet would run as a formula.

    Exports are opened in Excel or WPS by people who never see the raw file. A description typed
    in Slack as `=HYPERLINK("http://evil", "click")` or `@SUM(...)` would otherwise become a live
    formula there (CSV injection): it could leak other cells or trick the reader into a click.
    The quote makes the cell plain text; the original is still readable after it. XLSX cells are
    written as strings (never formulas) and carry the same quote, so both formats read alike.
    """
    return "'" + text if text[:1] in _FORMULA_FIRST else text


def text_cell(value: str | None) -> str:
    """`cell` for a value known to be text or NULL (the hot path of a large export)."""
    return "" if value is None else guard_formula(value)


def cell(value: Any) -> Cell:
    """A number stays a number; times are UTC ISO 8601 (`2027-01-04T01:30:00Z`); dates ISO; anything
    else is text with the formula guard. None is an empty cell.

    Called for every cell of every export (millions of times for a large one), so the common case, a
    plain string, is decided by its exact type before anything else."""
    kind = type(value)
    if kind is str:
        return guard_formula(value)
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return guard_formula(str(value))
