"""Exports stream: peak Python memory stays flat however many rows there are. Not timed.

20,000 problems with a 1,200-character Chinese description each: held in memory at once, the
descriptions alone are 20,000 × 2,400 bytes (CPython stores CJK text at 2 bytes a character) =
48 MB, before any row, list or cell overhead. The bound below is 8 MiB — under a fifth of that —
which leaves room for one fetched batch (500 rows ≈ 1.2 MB of text, plus its rows and cells),
SQLAlchemy's statement caches and the writer's buffers, but fails for anything that materialises
the result (`.all()`, a list of rows, an in-memory workbook or shared-string table).

tracemalloc sees Python objects only, not memory inside the database driver: whether PostgreSQL's
rows stay on the server until fetched is checked separately (tests/exports/test_exports.py, the
server-side cursor test).
"""

from __future__ import annotations

import gc
import io
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.exports.writers import Sheet, write_csv, write_xlsx
from bot.problems.export import HEADER, iter_problem_rows
from bot.storage.db import Database
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Partnership, Person, Side

ROWS = 20_000
DESCRIPTION_CHARS = 1_200
BOUND = 8 * 1024 * 1024
MATERIALISED = ROWS * DESCRIPTION_CHARS * 2  # bytes of description text alone, if all were held at once


def _seed(db: Database) -> None:
    with db.transaction() as session:
        partnership = Partnership(name="深职院–华为", school="深职院", enterprise="华为", channel_id="C0X")
        teacher = Person(slack_user_id="U0T", name="王芳", side=Side.SCHOOL)
        mentor = Person(slack_user_id="U0M", name="李强", side=Side.ENTERPRISE)
        intern = Intern(student_id="S1", name="张伟", partnership=partnership, teacher=teacher, mentor=mentor,
                        start_date=date(2026, 9, 1), end_date=date(2027, 6, 30), position="软件测试")
        session.add(intern)
        session.flush()
        ids = (partnership.id, intern.id, teacher.id)
    when = datetime(2027, 1, 4, tzinfo=UTC)
    text = "车间安全" * (DESCRIPTION_CHARS // 4)
    for start in range(0, ROWS, 5_000):
        with db.transaction() as session:
            session.execute(insert(Problem), [
                {"partnership_id": ids[0], "intern_id": ids[1], "reporter_id": ids[2], "category": Category.SAFETY,
                 "severity": Severity.P2, "status": ProblemStatus.OPEN, "occurred_on": date(2027, 1, 1),
                 "description": f"{n:06d}{text}", "created_at": when} for n in range(start, start + 5_000)])


def _peak(export: Callable[[], int]) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    try:
        written = export()
        return written, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class _Discard(io.TextIOBase):
    """A text stream that keeps nothing (a StringIO would itself hold the whole export)."""

    def write(self, text: str) -> int:
        return len(text)


def test_large_exports_use_constant_memory(db: Database, tmp_path: Path) -> None:
    import xlsxwriter  # noqa: F401 - loaded before tracing: importing it is not the export's memory

    _seed(db)
    assert MATERIALISED >= 5 * BOUND
    written, peak = _peak(lambda: write_csv(_Discard(), HEADER, iter_problem_rows(db)))
    assert written == ROWS
    assert peak < BOUND, f"CSV export peaked at {peak / 2**20:.1f} MiB"
    # The XLSX writer gets the same rows cut to id and description: the description is what a
    # shared-string table or an in-memory sheet would pile up, and tracing XlsxWriter's work on all
    # 18 columns of 20,000 rows would take most of a minute without proving anything more.
    description = HEADER.index("description")
    rows = ([row[0], row[description]] for row in iter_problem_rows(db))  # nothing read until asked
    sheets = [Sheet("issues", ("id", "description"), rows)]
    counts, peak = _peak(lambda: write_xlsx(str(tmp_path / "big.xlsx"), sheets)["issues"])
    assert counts == ROWS
    assert peak < BOUND, f"XLSX export peaked at {peak / 2**20:.1f} MiB"
