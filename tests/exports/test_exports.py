"""Exports in both formats: the same rows as CSV and as XLSX sheets, the evaluations kind, `--all`,
the command's errors, and that the queries stream (server-side cursors on PostgreSQL)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from bot.exports.cells import cell, guard_formula
from bot.exports.kinds import NAMES, sheet
from bot.exports.writers import Sheet, write_csv, write_xlsx
from bot.internships.export import HEADER as EVALUATIONS
from bot.internships.export import iter_evaluation_rows
from bot.problems.export import HEADER as ISSUES
from bot.storage.db import Database
from tests.support.cli import operator_env
from tests.support.exports import EVIL, seed

COOPBOT = [sys.executable, "-m", "bot.cli"]


def _run(db: Database, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = operator_env(db) | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([*COOPBOT, "export", *args], env=env, cwd=cwd, capture_output=True, timeout=60,
                          check=False)


def _records(header: tuple[str, ...], rows: Iterator[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_cells_are_guarded_and_typed_the_same_for_both_formats() -> None:
    assert [guard_formula(s) for s in ("=1", "+1", "-1", "@x", "\tx", "\rx", "a=b", "张伟")] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=b", "张伟"]
    assert cell(None) == "" and cell(3) == 3 and cell(True) == "yes" and cell("=x") == "'=x"
    assert cell(datetime(2027, 1, 4, 9, 30, tzinfo=UTC)) == "2027-01-04T09:30:00Z"


def test_evaluations_export_one_row_per_intern_with_fixed_words(db: Database) -> None:
    seed(db)
    rows = _records(EVALUATIONS, iter_evaluation_rows(db, now=datetime(2027, 7, 2, tzinfo=UTC)))
    assert [(r["student_id"], r["status"]) for r in rows] == [("S1", "evaluated"), ("S2", "pending"),
                                                             ("S3", "ongoing")]
    first = rows[0]
    assert [first[c] for c in ("attendance", "professional_skills", "attitude", "safety_awareness", "teamwork")] == [
        "excellent", "good", "excellent", "pass", "fail"]
    assert first["comments"] == "'-踏实肯干" and first["certificate_issued"] == "yes"
    assert (first["evaluated_by"], first["evaluated_at"]) == ("李强", "2027-07-02T01:30:00Z")
    assert rows[1]["attendance"] == "" and rows[1]["certificate_issued"] == ""
    assert rows[2]["position"] == "'@装配"


def test_xlsx_has_one_sheet_per_kind_with_headers_chinese_text_and_no_formulas(db: Database,
                                                                            tmp_path: Path) -> None:
    seed(db)
    target = tmp_path / "review.xlsx"
    counts = write_xlsx(str(target), (sheet(name, db, "UTC") for name in NAMES))
    assert counts == {"issues": 1, "exchanges": 1, "meetings": 1, "evaluations": 3}
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == list(NAMES)
    issues = list(book["issues"].iter_rows(values_only=True))
    assert issues[0] == ISSUES
    record = dict(zip(ISSUES, issues[1], strict=True))
    assert record["description"] == "'" + EVIL and record["intern"] == "张伟" and record["status"] == "open"
    assert isinstance(record["id"], int)  # numbers stay numbers
    book.close()
    formulas = load_workbook(target)  # not read-only: exposes each cell's type
    for worksheet in formulas.worksheets:
        assert all(c.data_type != "f" for row in worksheet.iter_rows() for c in row)
    assert formulas["meetings"]["C2"].value == "季度会议 +1"


def test_csv_and_xlsx_hold_the_same_values(db: Database, tmp_path: Path) -> None:
    seed(db)
    out = io.StringIO(newline="")
    write_csv(out, EVALUATIONS, iter_evaluation_rows(db))
    from_csv = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    write_xlsx(str(tmp_path / "e.xlsx"), [Sheet("evaluations", EVALUATIONS, iter_evaluation_rows(db))])
    book = load_workbook(tmp_path / "e.xlsx", read_only=True)
    from_xlsx = [["" if v is None else str(v) for v in row] for row in book["evaluations"].iter_rows(values_only=True)]
    book.close()
    assert from_xlsx == from_csv


def test_export_command_all_kinds_and_formats(db: Database, tmp_path: Path) -> None:
    seed(db)
    result = _run(db, tmp_path, "evaluations")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[0] == ",".join(EVALUATIONS)
    result = _run(db, tmp_path, "--all", "--format", "xlsx", "--out", "pack.xlsx")
    assert result.returncode == 0, result.stderr
    assert b"wrote 6 rows to pack.xlsx" in result.stderr
    assert load_workbook(tmp_path / "pack.xlsx", read_only=True).sheetnames == list(NAMES)
    piped = _run(db, tmp_path, "issues", "--format", "xlsx")  # stdout is a pipe here, not a terminal
    assert piped.returncode == 0 and piped.stdout[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.xlsx"]  # no partial files left behind


@pytest.mark.parametrize(("args", "words"), [
    (["--all"], b"needs --format xlsx and --out FILE"),
    (["--all", "--format", "xlsx"], b"needs --format xlsx and --out FILE"),
    (["--all", "--out", "x.csv"], b"needs --format xlsx and --out FILE"),
    (["issues", "--all", "--format", "xlsx", "--out", "x.xlsx"], b"leave out 'issues'"),
    ([], b"say what to export"),
    (["problems"], b"invalid choice"),
    (["issues", "--out", "no/such/dir/x.csv"], b"cannot write no/such/dir/x.csv"),
])
def test_export_command_errors(db: Database, tmp_path: Path, args: list[str], words: bytes) -> None:
    result = _run(db, tmp_path, *args)
    assert result.returncode != 0 and words in result.stderr, result.stderr
    assert result.stdout == b"" and not list(tmp_path.iterdir())


def test_export_queries_use_server_side_cursors_on_postgresql(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite reads rows lazily from its own cursor; server-side cursors are PostgreSQL's")
    import psycopg

    seed(db)
    kinds: dict[str, type] = {}

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement and "LIMIT" not in statement:
            main = statement.split("ORDER BY")[-1].split(".")[0].strip()
            kinds.setdefault(main, type(cursor))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for name in NAMES:
            assert list(sheet(name, db, "UTC").rows)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    for table in ("problem", "exchange", "meeting", "intern"):
        assert issubclass(kinds[table], psycopg.ServerCursor), (table, kinds)
