"""Alembic migrations shipped in the package, and what their autogenerate comparison ignores."""

from __future__ import annotations

from typing import Any

# Tables in our database that other software owns and creates itself (APScheduler's job store).
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: leave tables we do not model (and their indexes) out of the comparison."""
    if type_ == "table":
        return name not in FOREIGN_TABLES
    table = getattr(obj, "table", None)
    return getattr(table, "name", None) not in FOREIGN_TABLES
