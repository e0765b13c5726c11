"""bot.plans.numbers on a known data set, and its promise to the review pack: a constant number of queries
however many partnerships it is asked about (both databases)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bot.plans.college import college_pictures
from bot.plans.numbers import Hiring, combined, hiring, placement, totals
from bot.storage.db import Database
from models.plan import Plan, PlanLine
from models.recruitment import Opening, Recommendation, RecommendationStatus
from models.roster import Intern, Outcome, Partnership, Person, Side

SPRING = (date(2027, 3, 1), date(2027, 6, 30))
AT = datetime(2027, 5, 10, 8, 0, tzinfo=UTC)


def _partnership(session: Session, n: int, teacher: Person, mentor: Person) -> Partnership:
    """A partnership of one college with a two-line plan (5 and 3 planned), four interns of whom three fill
    the plan and two ended in spring, one opening, two recommendations: one hired, one offered."""
    p = Partnership(name=f"合作{n:03d}", school="示范职业技术学院", enterprise=f"企业{n}", channel_id=f"C{n:08d}")
    session.add(p)
    session.flush()
    plan = Plan(partnership_id=p.id, period="2027 spring", start_date=SPRING[0], end_date=SPRING[1])
    session.add(plan)
    session.flush()
    lines = [PlanLine(plan_id=plan.id, partnership_id=p.id, ref=ref, major=major, post="装配", planned=planned,
                      order_class=None) for ref, major, planned in (("A", "机电", 5), ("B", "电子", 3))]
    session.add_all(lines)
    session.flush()
    interns = [Intern(student_id=f"S{n:03d}{i}", name=f"学生{i}", partnership_id=p.id, teacher=teacher, mentor=mentor,
                      start_date=SPRING[0], end_date=end, position="装配", plan_line_id=line)
               for i, (end, line) in enumerate(((date(2027, 5, 1), lines[0].id), (date(2027, 5, 2), lines[0].id),
                                                (date(2027, 9, 1), lines[1].id), (date(2027, 9, 1), None)))]
    session.add_all(interns)
    session.flush()
    opening = Opening(partnership_id=p.id, title="装配工", post="装配", number=2, deadline=date(2027, 5, 31),
                      posted_by=mentor, source_key=f"k{n}", created_at=AT)
    session.add(opening)
    session.flush()
    session.add_all([
        Recommendation(opening_id=opening.id, intern_id=interns[0].id, recommended_by_id=teacher.id,
                       status=RecommendationStatus.HIRED, offered_at=AT, hired_at=AT, created_at=AT),
        Recommendation(opening_id=opening.id, intern_id=interns[1].id, recommended_by_id=teacher.id,
                       status=RecommendationStatus.OFFERED, offered_at=AT, created_at=AT)])
    interns[0].outcome, interns[1].outcome = Outcome.HIRED, Outcome.OFFERED
    return p


def _queries(db: Database, read: Callable[[Session], Any]) -> tuple[int, Any]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.session() as session:
            result = read(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len([s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]), result


def test_numbers_for_a_known_data_set_in_constant_queries(db: Database) -> None:
    with db.transaction() as session:
        teacher = Person(slack_user_id="U0TEACHER", name="王芳", side=Side.SCHOOL)
        mentor = Person(slack_user_id="U0MENTOR", name="李强", side=Side.ENTERPRISE)
        session.add_all([teacher, mentor])
        ids = [_partnership(session, n, teacher, mentor).id for n in range(12)]
        college_id = session.get(Partnership, ids[0]).college_id  # type: ignore[union-attr]

    counts = {}
    for size in (2, 12):
        asked = ids[:size]
        n_place, rows = _queries(db, lambda s, asked=asked: placement(s, asked, "2027 spring"))
        n_range, by_range = _queries(db, lambda s, asked=asked: placement(s, asked, (date(2027, 4, 1),
                                                                                 date(2027, 4, 1))))
        n_hire, figures = _queries(db, lambda s, asked=asked: hiring(s, asked, SPRING))
        counts[size] = (n_place, n_range, n_hire)
        assert len(rows) == 2 * size and rows == by_range
        assert set(totals(rows).values()) == {(3, 8)}
        assert [(r.major, r.planned, r.placed, r.short) for r in rows[:2]] == [("机电", 5, 2, 3), ("电子", 3, 1, 2)]
        assert figures == {pid: Hiring(pid, openings=1, positions=2, recommendations=2, offers=2, hires=1, cohort=2,
                                       cohort_hired=1) for pid in asked}
        assert {f.employment_rate for f in figures.values()} == {0.5}
        college = combined(list(figures.values()))
        assert (college.hires, college.cohort, college.employment_rate) == (size, 2 * size, 0.5)
    assert counts[2] == counts[12] == (1, 1, 3)
    # Outside the spring: no plan, and a cohort with nobody.
    with db.session() as session:
        assert placement(session, ids, "2028 spring") == []
        assert hiring(session, ids[:1], (date(2026, 1, 1), date(2026, 12, 31)))[ids[0]].employment_rate is None

    n_college, [picture] = _queries(db, lambda s: college_pictures(s, [(college_id, "示范职业技术学院")],
                                                                   date(2027, 5, 15)))
    assert n_college == 7 and len(picture.partnerships) == 12
    assert {(g.current_interns, g.placed, g.planned, g.hires) for g in picture.partnerships} == {(2, 3, 8, 1)}
    assert (picture.hiring.hires, picture.hiring.cohort, picture.hiring.employment_rate) == (12, 24, 0.5)
