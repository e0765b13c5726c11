"""docs/decisions/0001-architecture.md: handlers parse a request, call a service and answer; they never open a
database session or transaction themselves (services do, one per change)."""

from __future__ import annotations

import re
from pathlib import Path

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"
DATABASE_WORK = re.compile(r"\.db\.|\bsession\b|\btransaction\(|set_language\(")


def test_no_handler_touches_the_database() -> None:
    found = [f"{path.name}:{number}: {line.strip()}"
             for path in sorted(HANDLERS.glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if DATABASE_WORK.search(line)]
    assert not found, "database work in handlers/ (move it into a service):\n" + "\n".join(found)
