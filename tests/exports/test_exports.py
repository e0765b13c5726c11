"""Exports in both formats: the same records as CSV and as XLSX sheets (CSV as the contract has it, XLSX with
real date and time cells and text as typed), the evaluations kind, `--all`, the command's errors and the
files' permissions, and that the queries stream (server-side cursors on PostgreSQL)."""

from __future__ import annotations

import csv
import io
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from bot.exports.cells import WallClock, csv_cell, csv_row, guard_formula
from bot.exports.kinds import NAMES, sheet
from bot.exports.writers import write_csv, write_xlsx
from bot.internships.export import HEADER as EVALUATIONS
from bot.internships.export import iter_evaluation_rows
from bot.problems.export import HEADER as ISSUES
from bot.storage.db import Database
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Partnership, Person, Side
from tests.support.cli import operator_env
from tests.support.exports import EVIL, seed

COOPBOT = [sys.executable, "-m", "bot.cli"]


def _run(db: Database, cwd: Path, *args: str, umask: int = -1) -> subprocess.CompletedProcess[bytes]:
    env = operator_env(db) | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([*COOPBOT, "export", *args], env=env, cwd=cwd, capture_output=True, timeout=60,
                          check=False, umask=umask)


def _records(header: tuple[str, ...], rows: Iterator[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_csv_cells_are_guarded_text_and_utc_times() -> None:
    assert [guard_formula(s) for s in ("=1", "+1", "-1", "@x", "\tx", "\rx", "a=b", "张伟")] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "a=b", "张伟"]
    assert csv_cell(None) == "" and csv_cell(3) == 3 and csv_cell(True) == "yes" and csv_cell("=x") == "'=x"
    shanghai = ZoneInfo("Asia/Shanghai")
    assert csv_cell(datetime(2027, 1, 4, 9, 30, 12, 345, tzinfo=shanghai)) == "2027-01-04T01:30:12Z"
    assert csv_cell(date(2027, 1, 3)) == "2027-01-03"
    assert csv_cell(WallClock(2027, 1, 4, 9, 30, tzinfo=shanghai)) == "2027-01-04 09:30"
    assert csv_row(["-S3", None, 2, "", "'=x"]) == ["'-S3", "", 2, "", "'=x"]  # guarding twice changes nothing


def test_evaluations_export_one_row_per_intern_with_fixed_words(db: Database) -> None:
    seed(db)
    rows = _records(EVALUATIONS, (csv_row(r) for r in iter_evaluation_rows(db, now=datetime(2027, 7, 2, tzinfo=UTC))))
    assert [(r["student_id"], r["status"]) for r in rows] == [("S1", "evaluated"), ("S2", "pending"),
                                                             ("S3", "ongoing")]
    first = rows[0]
    assert [first[c] for c in ("attendance", "professional_skills", "attitude", "safety_awareness", "teamwork")] == [
        "excellent", "good", "excellent", "pass", "fail"]
    assert first["comments"] == "'-踏实肯干" and first["certificate_issued"] == "yes"
    assert (first["evaluated_by"], first["evaluated_at"]) == ("李强", "2027-07-02T01:30:00Z")
    assert (first["start_date"], first["end_date"]) == ("2026-09-01", "2027-06-30")
    assert rows[1]["attendance"] == "" and rows[1]["certificate_issued"] == ""
    assert rows[2]["position"] == "'@装配"


def _sheets(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Each sheet's data rows as {header: cell} (openpyxl cells: value, data_type, number_format, is_date)."""
    book = load_workbook(path)  # not read-only: exposes each cell's type and format
    found = {}
    for worksheet in book.worksheets:
        header, *rows = list(worksheet.iter_rows())
        found[worksheet.title] = [dict(zip([h.value for h in header], row, strict=False)) for row in rows]
    return found


def test_xlsx_has_one_sheet_per_kind_with_headers_chinese_text_and_no_formulas(db: Database,
                                                                            tmp_path: Path) -> None:
    seed(db)
    target = tmp_path / "review.xlsx"
    counts = write_xlsx(str(target), (sheet(name, db, "UTC", "xlsx") for name in NAMES))
    assert counts == {"issues": 1, "exchanges": 1, "meetings": 1, "evaluations": 3, "plans": 0, "recruitment": 0,
                      "ledger": 1, "people": 2}
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == list(NAMES)
    issues = list(book["issues"].iter_rows(values_only=True))
    assert issues[0] == tuple(f"{c} (Asia/Shanghai)" if c.endswith("_at") else c for c in ISSUES)
    record = dict(zip(ISSUES, issues[1], strict=True))
    assert record["description"] == EVIL and record["intern"] == "张伟" and record["status"] == "open"
    assert isinstance(record["id"], int)  # numbers stay numbers
    book.close()
    formulas = load_workbook(target)  # not read-only: exposes each cell's type
    for worksheet in formulas.worksheets:
        assert all(c.data_type != "f" for row in worksheet.iter_rows() for c in row)
    assert formulas["meetings"]["C2"].value == "季度会议 +1"


def test_xlsx_dates_and_times_are_date_cells_on_the_partnerships_clock(db: Database, tmp_path: Path) -> None:
    """Written as text (`2027-07-02T01:30:00Z`), no spreadsheet could filter or group them by day."""
    seed(db)  # the partnership keeps Asia/Shanghai time; everything happened at 01:30 UTC, 09:30 there
    result = _run(db, tmp_path, "--all", "--format", "xlsx", "--out", "pack.xlsx")
    assert result.returncode == 0, result.stderr
    sheets = _sheets(tmp_path / "pack.xlsx")
    nine_thirty = datetime(2027, 7, 2, 9, 30)
    moments = {
        "issues": ["reported_at"],
        "exchanges": ["requested_at", "confidentiality_acknowledged_at"],
        "meetings": ["starts_at", "local_start"],
        "evaluations": ["evaluated_at"],
    }
    for name, columns in moments.items():
        row = sheets[name][0]
        for column in columns:
            cell = row[f"{column} (Asia/Shanghai)"]
            assert cell.is_date and cell.value == nine_thirty, (name, column, cell.value)
            assert cell.number_format == "yyyy-mm-dd hh:mm:ss"
    days = {("issues", "occurred_on"): datetime(2027, 3, 1), ("exchanges", "start_date"): datetime(2027, 1, 4),
            ("exchanges", "end_date"): datetime(2027, 4, 2), ("evaluations", "end_date"): datetime(2027, 6, 30)}
    for (name, column), day in days.items():
        cell = sheets[name][0][column]
        assert cell.is_date and cell.value == day and cell.number_format == "yyyy-mm-dd", (name, column, cell.value)
    book = load_workbook(tmp_path / "pack.xlsx")
    assert book["issues"].column_dimensions["I"].width >= 19  # wide enough to show the time, not "#####"
    assert sheets["meetings"][0]["timezone"].value == "Asia/Shanghai"


def test_xlsx_times_of_partnerships_on_different_clocks_name_each_rows_zone(db: Database, tmp_path: Path) -> None:
    seed(db)
    with db.transaction() as session:  # a second partnership on the default clock (UTC here)
        other = Partnership(name="深职院–比亚迪", school="深圳职业技术大学", enterprise="比亚迪", channel_id="C0Y")
        teacher = Person(slack_user_id="U0T2", name="陈静", side=Side.SCHOOL)
        mentor = Person(slack_user_id="U0M2", name="赵磊", side=Side.ENTERPRISE)
        intern = Intern(student_id="S9", name="周杰", partnership=other, teacher=teacher, mentor=mentor,
                        start_date=date(2026, 9, 1), end_date=date(2027, 6, 30), position="质检")
        session.add(Problem(partnership=other, intern=intern, reporter=teacher, category=Category.HOURS,
                            severity=Severity.P3, status=ProblemStatus.OPEN, description="加班",
                            occurred_on=date(2027, 3, 1), created_at=datetime(2027, 7, 2, 1, 30, tzinfo=UTC)))
    result = _run(db, tmp_path, "issues", "--format", "xlsx", "--out", "i.xlsx")
    assert result.returncode == 0, result.stderr
    first, second = _sheets(tmp_path / "i.xlsx")["issues"]
    assert first["reported_at (local time)"].value == datetime(2027, 7, 2, 9, 30)
    assert first["timezone"].value == "Asia/Shanghai"
    assert second["reported_at (local time)"].value == datetime(2027, 7, 2, 1, 30)
    assert second["timezone"].value == "UTC"


def test_xlsx_keeps_text_as_typed_and_leaves_nothing_blank(db: Database, tmp_path: Path) -> None:
    """The CSV formula guard is for CSV: an XLSX string cell is never a formula, so `-S3` stays `-S3`."""
    seed(db)
    with db.transaction() as session:
        session.query(Intern).filter_by(student_id="S3").update({"student_id": "-S3"})
    result = _run(db, tmp_path, "--all", "--format", "xlsx", "--out", "e.xlsx")
    assert result.returncode == 0, result.stderr
    sheets = _sheets(tmp_path / "e.xlsx")
    evaluated, waiting, going = sheets["evaluations"]
    assert going["student_id"].value == "-S3" and going["student_id"].data_type == "s"
    assert going["position"].value == "@装配" and evaluated["comments"].value == "-踏实肯干"
    assert sheets["issues"][0]["description"].value == EVIL and sheets["issues"][0]["description"].data_type == "s"
    for empty in ("attendance", "comments", "certificate_issued", "evaluated_by", "evaluated_at (Asia/Shanghai)"):
        assert waiting[empty].value is None and waiting[empty].data_type == "n", empty  # a blank cell
    for empty in ("actions_taken", "acknowledged_by", "acknowledged_at (Asia/Shanghai)", "resolution"):
        assert sheets["issues"][0][empty].value is None, empty
    rows = list(csv.reader(io.StringIO(_run(db, tmp_path, "evaluations").stdout.decode(), newline="")))
    assert rows[3][EVALUATIONS.index("student_id")] == "'-S3"  # CSV keeps its guard
    assert rows[2][EVALUATIONS.index("comments")] == ""


def test_csv_and_xlsx_hold_the_same_records(db: Database, tmp_path: Path) -> None:
    seed(db)
    out = io.StringIO(newline="")
    write_csv(out, EVALUATIONS, iter_evaluation_rows(db))
    from_csv = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    write_xlsx(str(tmp_path / "e.xlsx"), [sheet("evaluations", db, "UTC", "xlsx")])
    book = load_workbook(tmp_path / "e.xlsx", read_only=True)
    from_xlsx = list(book["evaluations"].iter_rows(values_only=True))
    book.close()
    shanghai = timezone(timedelta(hours=8))

    def as_csv(value: Any) -> str:  # what CSV writes for what XLSX holds
        if value is None:
            return ""
        if isinstance(value, datetime) and value.time() != datetime.min.time():
            return value.replace(tzinfo=shanghai).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if isinstance(value, datetime):
            return value.date().isoformat()
        return guard_formula(value) if isinstance(value, str) else str(value)

    assert [[as_csv(v) for v in row] for row in from_xlsx[1:]] == from_csv[1:]


def test_export_command_all_kinds_and_formats(db: Database, tmp_path: Path) -> None:
    seed(db)
    result = _run(db, tmp_path, "evaluations")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines()[0] == ",".join(EVALUATIONS)
    result = _run(db, tmp_path, "--all", "--format", "xlsx", "--out", "pack.xlsx")
    assert result.returncode == 0, result.stderr
    assert b"wrote 9 rows to pack.xlsx" in result.stderr
    assert load_workbook(tmp_path / "pack.xlsx", read_only=True).sheetnames == list(NAMES)
    piped = _run(db, tmp_path, "issues", "--format", "xlsx")  # stdout is a pipe here, not a terminal
    assert piped.returncode == 0 and piped.stdout[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack.xlsx"]  # no partial files left behind


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o007, 0o660)])
def test_out_files_get_the_permissions_the_umask_gives(db: Database, tmp_path: Path, umask: int, mode: int) -> None:
    """They were created owner-only (0600), as a temporary file is, whatever the umask said."""
    seed(db)
    for args, name in ((["issues", "--out", "i.csv"], "i.csv"), (["--all", "--format", "xlsx", "--out", "a.xlsx"],
                                                                 "a.xlsx")):
        result = _run(db, tmp_path, *args, umask=umask)
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, (name, oct((tmp_path / name).stat().st_mode))
    (tmp_path / "i.csv").chmod(0o600)  # made private on purpose: an export over it stays private, as with `>`
    assert _run(db, tmp_path, "issues", "--out", "i.csv", umask=umask).returncode == 0
    assert stat.S_IMODE((tmp_path / "i.csv").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "i.csv"]


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
            rows = list(sheet(name, db, "UTC").rows)
            assert rows or name in ("plans", "recruitment")  # the seed has no plan and no opening
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    for table in ("problem", "exchange", "meeting", "intern", "ledger_entry", "partnership"):
        assert issubclass(kinds[table], psycopg.ServerCursor), (table, kinds)


def test_the_people_export_has_the_imports_columns_and_each_persons_organization(db: Database) -> None:
    seed(db)
    out = io.StringIO()
    people = sheet("people", db, "UTC")
    assert write_csv(out, people.header, people.rows) == 2
    rows = {r["slack_user_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert list(rows["U0T"].items())[:6] == [("slack_user_id", "U0T"), ("name", "王芳"), ("email", ""),
                                            ("side", "school"), ("roles", "teacher;coordinator"),
                                            ("partnership", "深职院–华为")]
    assert (rows["U0T"]["external"], rows["U0T"]["guest"], rows["U0T"]["slack_team_id"]) == ("no", "no", "")
    mentor = rows["U0M"]
    assert (mentor["roles"], mentor["slack_team_id"], mentor["external"]) == ("mentor", "T0HUAWEI", "yes")
