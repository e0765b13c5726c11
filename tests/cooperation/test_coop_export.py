"""`/coop export [partnership] [Q1 2027]`: a coordinator's records as an XLSX file in their DM; others refused."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select, update

from models.problem import Problem
from models.roster import Partnership
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, NOBODY, OUTSIDER, TEACHER, Harness


def _files(h: Harness) -> list[dict]:
    return [f for f in h.fake.files.values() if f.get("completed") and str(f["name"]).startswith("coopbot-export")]


def test_coop_export_sends_the_partnerships_records_for_a_quarter_to_the_dm(harness: Harness) -> None:
    h = harness
    assert h.report(TEACHER, severity="p2").status == 200
    assert h.report(TEACHER, severity="p3").status == 200
    assert h.report(OUTSIDER, student_id="A0001").status == 200  # another partnership's
    h.deliver()
    with h.db.transaction() as session:  # one report in Q1 2027, one in Q2 2027
        first, second, _ = session.scalars(select(Problem.id).order_by(Problem.id)).all()
        session.execute(update(Problem).where(Problem.id == first).values(created_at=datetime(2027, 2, 1, 3,
                                                                                              tzinfo=UTC)))
        session.execute(update(Problem).where(Problem.id == second).values(created_at=datetime(2027, 5, 1, 3,
                                                                                               tzinfo=UTC)))
    assert h.slack.command("/coop", "export 深职院 Q1 2027", user_id=COORD_SCHOOL).status == 200
    h.deliver()
    [file] = _files(h)
    assert file["channel_id"] == "D" + COORD_SCHOOL
    book = load_workbook(io.BytesIO(file["content"]), read_only=True)
    assert {"issues", "exchanges", "meetings", "evaluations", "ledger"} <= set(book.sheetnames)
    issues = list(book["issues"].iter_rows(values_only=True))
    assert [row[0] for row in issues[1:]] == [first]  # this partnership's, reported in the quarter
    assert h.slack.command("/coop", "export", user_id=COORD_SCHOOL).status == 200
    h.deliver()
    whole = load_workbook(io.BytesIO(_files(h)[-1]["content"]), read_only=True)
    assert [row[0] for row in list(whole["issues"].iter_rows(values_only=True))[1:]] == [first, second]
    refused = len(h.ephemerals())
    for user in (TEACHER, MEMBER, NOBODY):
        assert h.slack.command("/coop", "export", user_id=user).status == 200
        h.settle()
    assert h.slack.command("/coop", "export Acme", user_id=COORD_SCHOOL).status == 200  # not theirs
    h.deliver()
    assert len(_files(h)) == 2
    answers = h.ephemerals()[refused:]
    assert sum("only a partnership's coordinators and its college's deans can export" in a for a in answers) == 2
    assert any("None of your partnerships is called “Acme”" in a for a in answers)


def test_an_enterprise_coordinators_export_has_no_school_side_report(harness: Harness) -> None:
    """A teacher's health report is the college's alone (decision 0009): the enterprise coordinator's
    `/coop export` leaves it out, the college coordinator's has it."""
    h = harness
    assert h.report(TEACHER, severity="p3", category="hours").status == 200
    assert h.report(TEACHER, severity="p2", category="health", description="学生因焦虑失眠就医").status == 200
    h.deliver()
    with h.db.session() as session:
        ordinary, health = session.scalars(select(Problem.id).order_by(Problem.id)).all()
    sheets = {}
    for user in (COORD_ENTERPRISE, COORD_SCHOOL):
        assert h.slack.command("/coop", "export", user_id=user).status == 200
        h.deliver()
        book = load_workbook(io.BytesIO(_files(h)[-1]["content"]), read_only=True)
        sheets[user] = [row[0] for row in list(book["issues"].iter_rows(values_only=True))[1:]]
    assert sheets == {COORD_ENTERPRISE: [ordinary], COORD_SCHOOL: [ordinary, health]}


def test_a_dean_exports_the_colleges_partnerships_and_no_other(harness: Harness, tmp_path: Path) -> None:
    """A dean (no membership, a college-level reader) exports every partnership of the college; another
    college's partnership is neither in the file nor theirs to name."""
    from bot.roster.importer import import_people

    h = harness
    DEAN = "U0DEAN0001"
    people = tmp_path / "deans.csv"
    people.write_text("slack_user_id,name,email,side,roles,partnership\n"
                      f"{DEAN},周院长,,school,dean,深职院–华为\n", encoding="utf-8")
    import_people(h.db, people)
    assert h.report(TEACHER, severity="p2").status == 200
    assert h.report(TEACHER, severity="p3", category="health", description="学生因焦虑失眠就医").status == 200
    assert h.report(OUTSIDER, student_id="A0001").status == 200  # Other College–Acme: another college's
    h.deliver()
    with h.db.session() as session:
        ours = list(session.scalars(select(Problem.id).join(Partnership).where(Partnership.name == "深职院–华为")
                                    .order_by(Problem.id)))
    assert len(ours) == 2
    assert h.slack.command("/coop", "export", user_id=DEAN).status == 200
    h.deliver()
    [file] = _files(h)
    assert file["channel_id"] == "D" + DEAN
    book = load_workbook(io.BytesIO(file["content"]), read_only=True)
    rows = list(book["issues"].iter_rows(values_only=True))
    at = rows[0].index("partnership")
    assert [row[0] for row in rows[1:]] == ours  # the college's, the school-side report too: a dean is school-side
    assert {row[at] for row in rows[1:]} == {"深职院–华为"}
    refused = len(h.ephemerals())
    assert h.slack.command("/coop", "export Acme", user_id=DEAN).status == 200  # another college's
    h.deliver()
    assert len(_files(h)) == 1
    assert any("None of your partnerships is called “Acme”" in a for a in h.ephemerals()[refused:])
