"""Priority recruitment over HTTP, as Slack drives it: the enterprise posts an opening from App Home, the
college recommends interns best evaluated first, the enterprise records an offer and a hire, a teacher and a
dean are refused privately, and bot.plans.numbers counts it all."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.devtools.slack_requests import fill
from bot.plans.numbers import hiring
from bot.problems.ids import ProblemActionId
from bot.recruitment.ids import RecruitmentActionId
from models.internship import Grade, InternshipEvaluation
from models.problem import Problem, ProblemStatus
from models.recruitment import Opening, Recommendation, RecommendationStatus
from models.roster import Intern, Outcome, Person
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness

DEAN = "U0DEAN0001"


def _evaluate(h: Harness, student_id: str, grades: tuple[Grade, ...]) -> None:
    with h.db.transaction() as session:
        intern = session.scalar(select(Intern).where(Intern.student_id == student_id))
        assert intern is not None
        mentor = session.get(Person, intern.mentor_id)
        fields = dict(zip(("attendance", "professional_skills", "attitude", "safety_awareness", "teamwork"),
                          grades, strict=True))
        session.add(InternshipEvaluation(intern=intern, evaluator=mentor, certificate_issued=True,
                                         source_key=f"seed:{student_id}", **fields))


def _home(h: Harness, user: str) -> dict[str, Any]:
    h.slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"})
    h.deliver()
    return dict(h.fake.home(user))


def _has_button(view: dict[str, Any], action_id: str) -> bool:
    return any(e.get("action_id") == action_id for b in view["blocks"]
               for e in [*(b.get("elements") or []), b.get("accessory") or {}])


def _dms_with(h: Harness, user: str, action_id: str) -> list[dict[str, Any]]:
    return [m for m in h.fake.messages("D" + user)
            if any(e.get("action_id") == action_id for b in m.get("blocks") or [] for e in b.get("elements") or [])]


def test_an_opening_is_posted_recommended_offered_and_filled(harness: Harness, tmp_path: Path) -> None:
    h = harness
    _evaluate(h, "S2024001", (Grade.GOOD, Grade.GOOD, Grade.PASS, Grade.GOOD, Grade.PASS))
    _evaluate(h, "S2024002", (Grade.EXCELLENT,) * 4 + (Grade.GOOD,))

    # The enterprise posts an opening from App Home (a teacher has no such button).
    assert _has_button(_home(h, COORD_ENTERPRISE), RecruitmentActionId.OPEN_OPENING_FORM)
    assert not _has_button(_home(h, TEACHER), RecruitmentActionId.OPEN_OPENING_FORM)
    before = len(h.fake.calls_to("views.open"))
    reply = h.slack.block_action(user_id=COORD_ENTERPRISE, action_id=RecruitmentActionId.OPEN_OPENING_FORM,
                                 channel_id=None)
    assert reply.status == 200
    h.fake.wait_for("views.open", count=before + 1)
    form = h.last_modal()
    deadline = date.today() + timedelta(days=30)
    answers = {"title": "测试工程师 <!channel>", "post": "软件测试", "number": "2", "deadline": deadline.isoformat(),
               "description": "转正后签订劳动合同"}
    submitted = h.slack.view_submission(form, fill(form, answers), user_id=COORD_ENTERPRISE)
    assert submitted.status == 200 and not submitted.text, submitted.text
    again = h.slack.view_submission(form, fill(form, answers), user_id=COORD_ENTERPRISE)  # a retry
    assert again.status == 200
    h.deliver()
    [post] = [m for m in h.channel_messages(CHANNEL) if "Job opening" in json.dumps(m, ensure_ascii=False)]
    shown = json.dumps(post, ensure_ascii=False)
    assert "&lt;!channel&gt;" in post["text"] and "<!channel>" not in post["text"]  # escaped
    with h.db.session() as session:
        assert len(session.scalars(select(Opening)).all()) == 1

    # The college recommends: the picker lists the best evaluated first, each with its result.
    before = len(h.fake.calls_to("views.open"))
    h.click(COORD_SCHOOL, RecruitmentActionId.RECOMMEND, post)
    h.fake.wait_for("views.open", count=before + 1)
    picker = h.last_modal()
    block = next(b for b in picker["blocks"] if b.get("block_id") == "interns")
    labels = [o["text"]["text"] for o in block["element"]["options"]]
    assert labels == ["欧阳娜娜 (S2024002) · Excellent ×4, Good ×1", "张伟 (S2024001) · Good ×3, Pass ×2"]
    ids = [o["value"] for o in block["element"]["options"]]
    done = h.slack.view_submission(picker, fill(picker, {"interns": ids}), user_id=COORD_SCHOOL)
    assert done.status == 200 and not done.text, done.text
    h.deliver()
    dms = _dms_with(h, COORD_ENTERPRISE, RecruitmentActionId.HIRE)
    assert len(dms) == 2
    first = json.dumps(dms[0], ensure_ascii=False)
    assert "recommends 欧阳娜娜 (S2024002)" in first and "Excellent ×4, Good ×1" in first

    # A teacher trying to record a hire is refused privately; nothing changes.
    h.click(TEACHER, RecruitmentActionId.HIRE, dms[0], channel="D" + COORD_ENTERPRISE)
    h.deliver()
    assert any("only the enterprise's coordinators and mentors" in e for e in h.ephemerals())
    with h.db.session() as session:
        assert {r.status for r in session.scalars(select(Recommendation))} == {RecommendationStatus.RECOMMENDED}

    # The mentor records an offer, the enterprise coordinator the hire; the intern's record carries it.
    h.click(MENTOR, RecruitmentActionId.OFFER, dms[0], channel="D" + COORD_ENTERPRISE)
    h.click(COORD_ENTERPRISE, RecruitmentActionId.HIRE, dms[0], channel="D" + COORD_ENTERPRISE)
    h.deliver()
    with h.db.session() as session:
        intern = session.scalar(select(Intern).where(Intern.student_id == "S2024002"))
        assert intern is not None and intern.outcome == Outcome.HIRED
        pid = intern.partnership_id
        figures = hiring(session, [pid], (date.today() - timedelta(days=1), date.today() + timedelta(days=1)))[pid]
    assert (figures.openings, figures.positions, figures.recommendations, figures.offers, figures.hires) == (
        1, 2, 2, 1, 1)
    from tests.support.cli import operator_env, run

    exported = run(["export", "recruitment"], operator_env(h.db), tmp_path)
    assert exported.returncode == 0, exported.stderr
    rows = [line.split(",") for line in exported.stdout.splitlines()]
    assert rows[0][14] == "status" and sorted((r[10], r[14]) for r in rows[1:]) == [
        ("S2024001", "recommended"), ("S2024002", "hired")]
    redrawn = json.dumps(h.fake.messages("D" + COORD_ENTERPRISE), ensure_ascii=False)
    assert "*Status:* Hired" in redrawn
    assert "Title" in shown or "测试工程师" in shown


def test_a_dean_sees_the_college_read_only_and_is_refused_any_action(harness: Harness, tmp_path: Path) -> None:
    from bot.roster.importer import import_people

    h = harness
    people = tmp_path / "deans.csv"
    people.write_text("slack_user_id,name,email,side,roles,partnership\n"
                      f"{DEAN},周院长,,school,dean,深职院–华为\n", encoding="utf-8")
    import_people(h.db, people)
    h.report(TEACHER, severity="p1")
    h.deliver()
    home = _home(h, DEAN)
    text = json.dumps(home, ensure_ascii=False)
    assert "College: 深圳职业技术大学" in text
    assert "深职院–华为" in text and "2 current interns" in text and "P1 – Critical 1" in text
    assert "Other College–Acme" not in text  # another college
    assert not _has_button(home, RecruitmentActionId.OPEN_OPENING_FORM)
    # Read-only: the home offers the dean no action but the language setting, and the service refuses any.
    actions = [e.get("action_id") for b in home["blocks"] for e in [*(b.get("elements") or []),
                                                                   b.get("accessory") or {}] if e.get("action_id")]
    assert actions == ["home_language"]
    reply = h.slack.command("/intern-issue", "", user_id=DEAN)
    assert reply.status == 200
    h.deliver()
    assert any("does not allow" in e for e in h.ephemerals())
    [report] = [m for m in h.channel_messages(CHANNEL) if "P1" in m["text"]]
    h.click(DEAN, ProblemActionId.ACKNOWLEDGE, report)
    h.deliver()
    with h.db.session() as session:
        assert {p.status for p in session.scalars(select(Problem))} == {ProblemStatus.OPEN}
    assert len([e for e in h.ephemerals() if "does not allow" in e]) == 2


def test_digests_show_hires_and_the_employment_rate_for_a_known_data_set(harness: Harness, tmp_path: Path) -> None:
    """Two interns of 深职院–华为 ended two days ago; one was hired. The partnership's weekly digest and the
    dean's college digest both read: 1 hire, employment rate 50% (1 of 2)."""
    from bot.recruitment.forms import OpeningInput
    from bot.roster.importer import import_people
    from models.base import utcnow
    from scheduler.jobs import run_job

    h = harness
    now = utcnow()
    ended = max(now.date() - timedelta(days=2), date(now.year, 1, 1))
    with h.db.transaction() as session:
        for intern in session.scalars(select(Intern).where(Intern.student_id.in_(["S2024001", "S2024002"]))):
            intern.end_date = ended
        pid = session.scalar(select(Intern.partnership_id).where(Intern.student_id == "S2024001"))
    assert pid is not None
    people = tmp_path / "deans.csv"
    people.write_text("slack_user_id,name,email,side,roles,partnership\n"
                      f"{DEAN},周院长,,school,dean,深职院–华为\n", encoding="utf-8")
    import_people(h.db, people)
    service = h.services.recruitment
    opening = service.post_opening(COORD_ENTERPRISE, OpeningInput(
        partnership=pid, title="测试工程师", post="软件测试", number=1, deadline=now.date() + timedelta(days=9)),
        "test:opening")
    made = service.recommend(opening.id, COORD_SCHOOL, [h.intern_id("S2024001"), h.intern_id("S2024002")])
    hired = next(r for r in made if r.intern.student_id == "S2024002")
    service.decide(hired.id, COORD_ENTERPRISE, RecommendationStatus.HIRED)

    [college] = h.services.digests.post_college_digests(now)
    assert college.posted
    h.deliver()
    [dean_dm] = [m for m in h.fake.messages("D" + DEAN) if "College digest" in m["text"]]
    shown = json.dumps(dean_dm["blocks"], ensure_ascii=False)
    assert "Hires: 1 · employment rate: 50% (1 of 2 interns whose internship ended this year)" in shown
    assert "深职院–华为" in shown and "hires 1" in shown
    assert not [b for b in dean_dm["blocks"] if b["type"] == "actions"]  # read-only
    assert not h.services.digests.post_college_digests(now)[0].posted  # once a week

    run_job("digest", h.services, now + timedelta(days=1))  # the week up to today
    h.deliver()
    digest = json.dumps([m["blocks"] for m in h.channel_messages(CHANNEL) if "Cooperation digest" in m["text"]],
                        ensure_ascii=False)
    assert "Openings: 1 · recommendations: 2 · offers: 1" in digest
    assert "Hires: 1 · employment rate: 50% (1 of 2 interns whose internship ended in this period)" in digest
