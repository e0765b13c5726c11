"""The problems CSV export: columns, escaping, formula guard and fixed status values."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta, timezone

from bot.exports.cells import guard_formula
from bot.exports.writers import write_csv
from bot.problems.export import HEADER, iter_problem_rows
from bot.storage.db import Database
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.roster import Intern, Partnership, Person, Side

TRICKY = '王小明在车间被烫伤，"轻微"\n第二行, with a comma'
BEIJING = timezone(timedelta(hours=8))


def _seed(db: Database) -> None:
    """One partnership, its teacher and mentor, one intern, and a problem in each status."""
    with db.transaction() as session:
        partnership = Partnership(name="深职院–华为", school="深圳职业技术大学", enterprise="华为",
                                  channel_id="C0123ABCD")
        teacher = Person(slack_user_id="U0000T001", name="张伟", side=Side.SCHOOL)
        mentor = Person(slack_user_id="U0000M001", name="@欧阳娜娜", side=Side.ENTERPRISE)
        intern = Intern(student_id="2023001", name="王小明", partnership=partnership, teacher=teacher,
                        mentor=mentor, start_date=date(2025, 3, 1), end_date=date(2025, 8, 31),
                        position="测试工程师")
        reported = datetime(2025, 4, 1, 9, 30, tzinfo=BEIJING)  # 01:30 UTC

        def problem(status: ProblemStatus, severity: Severity, description: str, **extra: object) -> Problem:
            p = Problem(partnership=partnership, intern=intern, reporter=teacher, category=Category.SAFETY,
                        severity=severity, status=status, description=description,
                        occurred_on=date(2025, 3, 31), created_at=reported, **extra)
            p.events.append(ProblemEvent(kind=EventKind.REPORTED, actor=teacher))
            session.add(p)
            return p

        first = problem(ProblemStatus.RESOLVED, Severity.P1, TRICKY, actions_taken="送医, 已包扎",
                        acknowledged_by=mentor, acknowledged_at=reported + timedelta(hours=1),
                        resolved_by=teacher, resolved_at=reported + timedelta(days=1), resolution="已康复")
        first.events += [ProblemEvent(kind=EventKind.ACKNOWLEDGED, actor=mentor),
                         ProblemEvent(kind=EventKind.UPDATE, actor=mentor, text="复查"),
                         ProblemEvent(kind=EventKind.UPDATE, actor=teacher, text="再复查")]
        session.flush()
        problem(ProblemStatus.OPEN, Severity.P4, '=HYPERLINK("http://evil.example","点我")',
                actions_taken="+1", resolution="-")
        session.flush()
        problem(ProblemStatus.ACKNOWLEDGED, Severity.P2, "@SUM(A1:A9)")
        session.flush()
        problem(ProblemStatus.REOPENED, Severity.P3, "普通描述")


def _export(db: Database) -> tuple[int, list[list[str]]]:
    out = io.StringIO(newline="")
    written = write_csv(out, HEADER, iter_problem_rows(db))
    return written, list(csv.reader(io.StringIO(out.getvalue(), newline="")))


def test_empty_export_is_header_only(db: Database) -> None:
    assert _export(db) == (0, [list(HEADER)])


def test_export_round_trips_through_csv_reader(db: Database) -> None:
    _seed(db)
    written, rows = _export(db)
    assert written == 4 and rows[0] == list(HEADER) and len(rows) == 5
    records = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert [int(r["id"]) for r in records] == sorted(int(r["id"]) for r in records)
    first = records[0]
    assert first["description"] == TRICKY
    assert first["actions_taken"] == "送医, 已包扎"
    assert (first["partnership"], first["student_id"], first["intern"]) == ("深职院–华为", "2023001", "王小明")
    assert (first["category"], first["severity"], first["status"]) == ("safety", "P1", "resolved")
    assert first["reported_by"] == "张伟" and first["resolved_by"] == "张伟"
    assert first["acknowledged_by"] == "'@欧阳娜娜"  # a name is user text too
    assert first["reported_at"] == "2025-04-01T01:30:00Z"
    assert first["acknowledged_at"] == "2025-04-01T02:30:00Z"
    assert first["resolved_at"] == "2025-04-02T01:30:00Z"
    assert first["occurred_on"] == "2025-03-31"
    assert first["resolution"] == "已康复"
    assert first["updates"] == "2"


def test_status_and_severity_are_fixed_values(db: Database) -> None:
    _seed(db)
    _, rows = _export(db)
    records = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert [r["status"] for r in records] == ["resolved", "open", "acknowledged", "reopened"]
    assert [r["severity"] for r in records] == ["P1", "P4", "P2", "P3"]
    assert [r["updates"] for r in records] == ["2", "0", "0", "0"]
    assert records[1]["acknowledged_by"] == "" and records[1]["resolved_at"] == ""


def test_formula_cells_are_neutralised(db: Database) -> None:
    _seed(db)
    _, rows = _export(db)
    second, third = (dict(zip(HEADER, row, strict=True)) for row in rows[2:4])
    assert second["description"] == '\'=HYPERLINK("http://evil.example","点我")'
    assert second["actions_taken"] == "'+1"
    assert second["resolution"] == "'-"
    assert third["description"] == "'@SUM(A1:A9)"


def test_guard_formula() -> None:
    assert [guard_formula(s) for s in ("=1+1", "+1", "-1", "@x", "\tx", "a=b", "张伟", "")] == [
        "'=1+1", "'+1", "'-1", "'@x", "'\tx", "a=b", "张伟", ""]


def test_naive_safe_times_are_utc(db: Database) -> None:
    _seed(db)
    _, rows = _export(db)
    assert all(r[HEADER.index("reported_at")].endswith("Z") for r in rows[1:])
    assert datetime.fromisoformat(rows[1][HEADER.index("reported_at")]).tzinfo == UTC
