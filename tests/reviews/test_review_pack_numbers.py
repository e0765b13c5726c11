"""Placed against planned, hires and the employment rate in the quarterly review pack, read back from the PDF
for a known data set (English and Chinese); a dean's `/coop review` gets one pack of the college's partnerships;
the pack's numbers still take the same queries for one partnership or several."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.quarters import Quarter
from bot.recruitment.forms import OpeningInput
from models.base import utcnow
from models.plan import Plan, PlanLine
from models.recruitment import RecommendationStatus
from models.roster import Intern, Partnership, Person
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, NOBODY, OUTSIDER, TEACHER, Harness
from tests.support.reviews import known_problems as _known_problems
from tests.support.reviews import pack_files as _pack_files
from tests.support.reviews import pdf_text as _pdf_text

DEAN = "U0DEAN0001"


def _known_plan_and_hiring(h: Harness) -> int:
    """深职院–华为: a plan running now with two lines (2 planned in the order class 华为鸿蒙订单班, 3 planned),
    each filled by one intern; an opening, both interns recommended, one offered, the other hired (a hire is an
    offer too: 2 offers); both internships ended two days ago. So: placed 2 of 5; 1 opening (2 posts), 2
    recommended, 1 hire; employment rate 50% (1 of 2)."""
    today = utcnow().date()
    with h.db.transaction() as session:
        pid = session.scalar(select(Partnership.id).where(Partnership.channel_id == CHANNEL))
        assert pid is not None
        plan = Plan(partnership_id=pid, period="2027 order classes", start_date=today - timedelta(days=60),
                    end_date=today + timedelta(days=60))
        session.add(plan)
        session.flush()
        lines = [PlanLine(plan_id=plan.id, partnership_id=pid, ref="HW-SW", major="软件技术", post="软件测试",
                          planned=2, order_class="华为鸿蒙订单班"),
                 PlanLine(plan_id=plan.id, partnership_id=pid, ref="HW-HW", major="电子信息", post="硬件装配",
                          planned=3, order_class=None)]
        session.add_all(lines)
        session.flush()
        for student_id, line in (("S2024001", lines[0]), ("S2024002", lines[1])):
            intern = session.scalar(select(Intern).where(Intern.student_id == student_id))
            assert intern is not None
            intern.plan_line_id, intern.end_date = line.id, today - timedelta(days=2)
    service = h.services.recruitment
    opening = service.post_opening(COORD_ENTERPRISE, OpeningInput(
        partnership=pid, title="测试工程师", post="软件测试", number=2, deadline=today + timedelta(days=9)),
        "test:opening")
    made = service.recommend(opening.id, COORD_SCHOOL, [h.intern_id("S2024001"), h.intern_id("S2024002")])
    offered = next(r for r in made if r.intern.student_id == "S2024001")
    hired = next(r for r in made if r.intern.student_id == "S2024002")
    service.decide(offered.id, COORD_ENTERPRISE, RecommendationStatus.OFFERED)
    service.decide(hired.id, COORD_ENTERPRISE, RecommendationStatus.HIRED)
    h.deliver()
    return pid


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Interns placed against planned this quarter 2 of 5", "Hires in the last four quarters 1",
            "Employment rate 50% (1 of 2)", "Placed against planned: 2 of 5 interns",
            "软件技术 · 软件测试 (order class 华为鸿蒙订单班) 2 1 1", "电子信息 · 硬件装配 3 1 2",
            "Openings posted 1", "Posts in those openings 2", "Interns recommended 2", "Offers made 2", "Hires 1",
            "Interns whose internship ended 2",
            "Employment rate: of the interns whose internship ended in the last four quarters, the share"]),
    ("zh_CN", ["本季度实习生安排情况 计划 5 人，已安排 2 人", "近四个季度录用人数 1", "就业率 50%（2 人中录用 1 人）",
               "软件技术 · 软件测试（订单班：华为鸿蒙订单班） 2 1 1", "发布的招聘岗位 1", "推荐的实习生 2",
               "发出的录用意向 2", "录用人数 1", "实习结束的实习生 2"]),
])
def test_the_pack_shows_placed_against_planned_hires_and_the_employment_rate(harness: Harness, language: str,
                                                                           words: list[str]) -> None:
    h = harness
    _known_plan_and_hiring(h)
    with h.db.transaction() as session:  # the coordinator reads coopbot in this language
        session.execute(update(Person).where(Person.slack_user_id == COORD_SCHOOL).values(locale=language))
    assert h.slack.command("/coop", "review", user_id=COORD_SCHOOL, channel_id=CHANNEL).status == 200
    h.deliver()
    [pack] = _pack_files(h)
    assert pack["channel_id"] == "D" + COORD_SCHOOL
    text = _pdf_text(pack["content"])
    for expected in words:
        assert expected in text, (expected, text)


def _a_dean_and_a_second_partnership_of_the_college(h: Harness, tmp_path: Path) -> int:
    """A dean of 深圳职业技术大学 (the college of 深职院–华为), and a second partnership of that college with
    one intern (whose internship ends later this quarter) and one problem reported; Other College–Acme is another
    college's."""
    from bot.roster.importer import import_people
    from models.problem import Category, Problem, ProblemStatus, Severity

    people = tmp_path / "deans.csv"
    people.write_text("slack_user_id,name,email,side,roles,partnership\n"
                      f"{DEAN},周院长,,school,dean,深职院–华为\n", encoding="utf-8")
    import_people(h.db, people)
    # Its intern's internship ends later this quarter: not ended yet, so not in the employment rate's cohort.
    last_day = Quarter.of(date.today()).last_day
    ends = last_day if last_day > date.today() + timedelta(days=1) else date.today() + timedelta(days=30)
    with h.db.transaction() as session:
        home = session.scalar(select(Partnership).where(Partnership.channel_id == CHANNEL))
        assert home is not None
        second = Partnership(name="深职院–腾讯", school=home.school, enterprise="腾讯", channel_id="C0THIRD",
                             college_id=home.college_id)
        session.add(second)
        session.flush()
        intern = Intern(student_id="S2024901", name="李娜", partnership_id=second.id,
                        teacher_id=session.scalar(select(Person.id).where(Person.slack_user_id == TEACHER)),
                        mentor_id=session.scalar(select(Person.id).where(Person.slack_user_id == COORD_ENTERPRISE)),
                        start_date=date.today() - timedelta(days=30), end_date=ends,
                        position="运维")
        session.add(intern)
        session.flush()
        session.add(Problem(partnership_id=second.id, intern_id=intern.id, reporter_id=intern.teacher_id,
                            category=Category.PAY, severity=Severity.P2, description="x",
                            occurred_on=date.today(), status=ProblemStatus.OPEN))
        return second.id


def test_a_dean_gets_one_pack_of_the_colleges_partnerships(harness: Harness, tmp_path: Path) -> None:
    h = harness
    _known_problems(h)  # three in 深职院–华为
    assert h.report(OUTSIDER, student_id="A0001").status == 200  # another college's: not in the dean's pack
    pid = _known_plan_and_hiring(h)
    second = _a_dean_and_a_second_partnership_of_the_college(h, tmp_path)
    assert h.slack.command("/coop", "review", user_id=DEAN, channel_id="D" + DEAN).status == 200
    h.deliver()
    [pack] = _pack_files(h)
    with h.db.session() as session:
        college = session.scalar(select(Partnership.college_id).where(Partnership.id == pid))
    assert pack["channel_id"] == "D" + DEAN and pack["name"].endswith(f"-college-{college}.pdf")
    text = _pdf_text(pack["content"])
    assert "深圳职业技术大学 · page 1 深圳职业技术大学 Quarterly review pack" in text, text[:200]
    assert "深职院–华为: 深圳职业技术大学 and 华为技术有限公司" in text and "深职院–腾讯" in text
    assert "Other College–Acme" not in text
    for expected in ("Problems reported in the last four quarters 4", "Interns placed against planned this quarter "
                     "2 of 5", "Employment rate 50% (1 of 2)", "深职院–华为: 软件技术 · 软件测试",
                     # per partnership: openings, recommended, offers, hires, employment rate
                     "深职院–华为 1 2 2 1 50% (1 of 2)", "深职院–腾讯 0 0 0 0 no data"):
        assert expected in text, (expected, text)
    assert second != pid
    # In one of the college's channels the dean gets that partnership's pack; in another college's, nothing.
    assert h.slack.command("/coop", "review", user_id=DEAN, channel_id="C0THIRD").status == 200
    h.deliver()
    assert _pack_files(h)[-1]["name"].endswith(f"-partnership-{second}.pdf")
    before = len(_pack_files(h))
    refused = len(h.ephemerals())
    for user, channel in ((DEAN, "C0OTHER"), (NOBODY, "D" + NOBODY), (TEACHER, "D" + TEACHER)):
        assert h.slack.command("/coop", "review", user_id=user, channel_id=channel).status == 200
        h.settle()
    h.deliver()
    assert len(_pack_files(h)) == before
    answers = h.ephemerals()[refused:]
    assert len(answers) == 3 and sum("deans can read" in a for a in answers) == 2


def test_the_packs_numbers_with_plans_and_hiring_take_the_same_queries_for_one_partnership_or_several(
        harness: Harness, tmp_path: Path) -> None:
    from sqlalchemy import event

    from bot.reviews.data import load

    h = harness
    pid = _known_plan_and_hiring(h)
    second = _a_dean_and_a_second_partnership_of_the_college(h, tmp_path)
    with h.db.session() as session:
        ids = list(session.scalars(select(Partnership.id).order_by(Partnership.id)))
    assert len(ids) == 3 and {pid, second} <= set(ids)
    counts = []
    for scope in ([pid], ids):
        statements: list[str] = []

        def count(*args: object, into: list[str] = statements) -> None:
            into.append(str(args[2]))

        event.listen(h.db.engine, "before_cursor_execute", count)
        try:
            with h.db.session() as session:
                data = load(session, scope, "scope", utcnow().date())
        finally:
            event.remove(h.db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
        assert data.placed_planned == (2, 5)
        assert (data.hiring_total.hires, data.hiring_total.cohort_hired, data.hiring_total.cohort) == (1, 1, 2)
        assert sorted(data.hiring) == sorted(scope)
    assert counts[0] == counts[1], counts
