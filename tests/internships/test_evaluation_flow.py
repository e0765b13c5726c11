"""The end of an internship through Slack's edges: the mentor's DM after the end date, the modal and
its inline errors, who may submit, retries, the teacher's notice, and reminders once per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.internships import jobs
from bot.internships.ids import InternshipActionId
from bot.internships.snapshot import evaluation_for
from bot.language import set_language
from models.internship import Grade, InternshipEvaluation
from models.roster import Intern
from scheduler.jobs import reminder_hooks
from tests.harness import COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, OTHER_TEACHER, TEACHER, Harness
from tests.slack_requests import Reply, fill

GRADES = {"attendance": "excellent", "professional_skills": "good", "attitude": "excellent",
          "safety_awareness": "pass", "teamwork": "good"}


def _shanghai_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


def _moment(day: date) -> datetime:
    """Noon in Shanghai on `day`."""
    return datetime.combine(day, time(12, 0), tzinfo=ZoneInfo("Asia/Shanghai"))


def _set_end(h: Harness, student_id: str, end: date) -> int:
    with h.db.transaction() as session:
        session.execute(update(Intern).where(Intern.student_id == student_id).values(end_date=end))
    return h.intern_id(student_id)


def _only_ending(h: Harness, end: date) -> int:
    """S2024001 (teacher 王芳, mentor 李强) ends on `end`; the other interns years later."""
    for other in ("S2024002", "A0001"):
        _set_end(h, other, date(2031, 1, 1))
    return _set_end(h, "S2024001", end)


def _ended_yesterday(h: Harness) -> tuple[int, date]:
    end = _shanghai_today() - timedelta(days=1)
    return _only_ending(h, end), end


def _request_dm(h: Harness, user: str) -> dict[str, Any]:
    for message in reversed(h.fake.messages("D" + user)):
        for block in message.get("blocks") or []:
            if any(e.get("action_id") == InternshipActionId.EVALUATE for e in block.get("elements") or []):
                return message
    raise AssertionError(f"no evaluation request in {user}'s DMs")


def _open(h: Harness, user: str) -> dict[str, Any]:
    before = len(h.fake.calls_to("views.open"))
    h.click(user, InternshipActionId.EVALUATE, _request_dm(h, MENTOR), channel="D" + MENTOR)
    assert len(h.fake.calls_to("views.open")) == before + 1, h.ephemerals()
    return h.last_modal()


def _submit(h: Harness, user: str, view: dict[str, Any], **answers: Any) -> Reply:
    return h.slack.view_submission(view, fill(view, answers), user_id=user)


def _count(h: Harness) -> int:
    with h.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(InternshipEvaluation)) or 0)


def test_the_reminders_job_runs_the_evaluation_requests() -> None:
    assert jobs.request_evaluations in reminder_hooks()


def test_mentor_is_asked_after_the_end_date_evaluates_and_the_teacher_sees_it(harness: Harness) -> None:
    h = harness
    intern_id, end = _ended_yesterday(h)
    assert jobs.request_evaluations(h.services, _moment(end)) == 0  # the last day is not past yet
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=1))) == 1
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=1))) == 0  # a second run: nothing
    h.deliver()
    request = _request_dm(h, MENTOR)
    assert "张伟 (S2024001)" in request["text"] and "internship certificate" in request["text"]
    assert not h.dms_to(TEACHER)

    view = _open(h, MENTOR)
    assert view["title"]["text"] == "Evaluate internship"
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert {*GRADES, "comments", "certificate"} <= blocks

    reply = _submit(h, MENTOR, view, attendance="good", comments="x" * 10)  # grades missing, no certificate
    errors = reply.json()["errors"]
    assert set(errors) == {"professional_skills", "attitude", "safety_awareness", "teamwork", "certificate"}
    assert errors["certificate"] == "Confirm that the internship certificate has been issued."
    assert _count(h) == 0

    answers = {**GRADES, "comments": "踏实肯干 <!channel>", "certificate": ["issued"]}
    assert _submit(h, MENTOR, view, **answers).status == 200
    assert _submit(h, MENTOR, view, **answers).status == 200  # Slack's retry of the same view
    assert _count(h) == 1
    h.deliver()

    [notice] = [c.args for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == TEACHER]
    assert f"<@{MENTOR}> evaluated the internship of 张伟 (S2024001)" in notice["text"]
    shown = str(notice["blocks"])
    assert "*Attendance:* Excellent" in shown and "*Safety awareness:* Pass" in shown
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert "Internship certificate issued." in shown
    updated = [m for m in h.fake.messages("D" + MENTOR) if "evaluated the internship" in m.get("text", "")]
    assert updated and not any(b.get("type") == "actions" for b in updated[-1].get("blocks") or [])

    other = h.intern_id("S2024002")
    with h.db.session() as session:
        result = evaluation_for(session, intern_id)
        assert evaluation_for(session, other) is None
    assert result is not None and result.evaluator == MENTOR and result.certificate_issued
    assert result.grades["safety_awareness"] == Grade.PASS and result.comments == "踏实肯干 <!channel>"
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=10))) == 0  # done: no reminders

    h.click(COORD_ENTERPRISE, InternshipActionId.EVALUATE, request, channel="D" + MENTOR)
    assert any("has already evaluated this internship" in text for text in h.ephemerals())


def test_the_teacher_reads_the_mentors_comments_whole(harness: Harness) -> None:
    """The form takes 3,000 characters; escaped, "&" takes five: the teacher's DM carries every one of them."""
    h = harness
    _, end = _ended_yesterday(h)
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=1))) == 1
    h.deliver()
    comments = ("安全意识强 & 能吃苦 <第一名> " * 200)[:3000].strip()
    reply = _submit(h, MENTOR, _open(h, MENTOR), **GRADES, comments=comments, certificate=["issued"])
    assert reply.status == 200 and reply.text == ""
    h.deliver()
    [notice] = [c.args for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == TEACHER]
    sections = [b["text"]["text"] for b in notice["blocks"] if b["type"] == "section"]
    assert len(notice["blocks"]) <= 50 and all(len(text) <= 3000 for text in sections)
    shown = "".join(sections[2:]).removeprefix("*Comments:*\n")
    assert shown == comments.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_only_the_mentor_or_an_enterprise_coordinator_may_evaluate(harness: Harness) -> None:
    h = harness
    _, end = _ended_yesterday(h)
    jobs.request_evaluations(h.services, _moment(end + timedelta(days=1)))
    h.deliver()
    before = len(h.fake.calls_to("views.open"))
    for user in (TEACHER, OTHER_TEACHER, COORD_SCHOOL):
        h.click(user, InternshipActionId.EVALUATE, _request_dm(h, MENTOR), channel="D" + MENTOR)
    assert len(h.fake.calls_to("views.open")) == before
    refusals = [t for t in h.ephemerals() if "only the intern's mentor or an enterprise coordinator" in t]
    assert len(refusals) == 3

    view = _open(h, COORD_ENTERPRISE)
    # The teacher replays the coordinator's modal under their own name: decided again on submit.
    refused = _submit(h, TEACHER, view, **GRADES, certificate=["issued"])
    assert "only the intern's mentor" in refused.json()["errors"]["attendance"]
    assert _count(h) == 0
    assert _submit(h, COORD_ENTERPRISE, view, **GRADES, certificate=["issued"]).status == 200
    assert _count(h) == 1
    h.click(MENTOR, InternshipActionId.EVALUATE, _request_dm(h, MENTOR), channel="D" + MENTOR)
    assert any(f"<@{COORD_ENTERPRISE}> has already evaluated" in t for t in h.ephemerals())


def test_an_internship_that_has_not_ended_cannot_be_evaluated(harness: Harness) -> None:
    h = harness
    _, end = _ended_yesterday(h)
    jobs.request_evaluations(h.services, _moment(end + timedelta(days=1)))
    h.deliver()
    _set_end(h, "S2024001", _shanghai_today() + timedelta(days=5))  # extended after the request went out
    h.click(MENTOR, InternshipActionId.EVALUATE, _request_dm(h, MENTOR), channel="D" + MENTOR)
    assert any("has not reached its end date" in t for t in h.ephemerals())


def test_the_request_is_in_the_mentors_language(harness: Harness) -> None:
    h = harness
    _, end = _ended_yesterday(h)
    set_language(h.db, MENTOR, "zh_CN")
    jobs.request_evaluations(h.services, _moment(end + timedelta(days=1)))
    h.deliver()
    request = _request_dm(h, MENTOR)
    assert "请完成实习评价" in request["text"]
    view = _open(h, MENTOR)
    assert view["title"]["text"] == "实习评价"
    errors = _submit(h, MENTOR, view, **GRADES).json()["errors"]
    assert errors == {"certificate": "请确认实习证明已发放。"}


def test_reminders_every_three_working_days_until_done_once_each(harness: Harness) -> None:
    h = harness
    end = date(2027, 6, 30)  # a Wednesday
    _only_ending(h, end)
    runs = {  # day → DMs expected (working days after the end: Thu 1, Fri 2, Mon 3, Tue 4, Wed 5, Thu 6)
        date(2027, 7, 1): 1, date(2027, 7, 2): 0, date(2027, 7, 3): 0, date(2027, 7, 5): 1,
        date(2027, 7, 6): 0, date(2027, 7, 7): 0, date(2027, 7, 8): 1,
    }
    for day, expected in runs.items():
        assert jobs.request_evaluations(h.services, _moment(day)) == expected, day
        assert jobs.request_evaluations(h.services, _moment(day) + timedelta(hours=1)) == 0, day
    h.deliver()
    texts = h.dms_to(MENTOR)
    assert len(texts) == 3 and sum(t.startswith("Reminder:") for t in texts) == 2


def test_a_late_first_run_sends_the_request_alone(harness: Harness) -> None:
    h = harness
    end = date(2027, 6, 30)
    _only_ending(h, end)
    assert jobs.request_evaluations(h.services, _moment(date(2027, 7, 6))) == 1  # 4 working days late
    assert jobs.request_evaluations(h.services, _moment(date(2027, 7, 7))) == 0  # not a reminder at once
    assert jobs.request_evaluations(h.services, _moment(date(2027, 7, 8))) == 1  # the next period's
    h.deliver()
    texts = h.dms_to(MENTOR)
    assert [t.startswith("Reminder:") for t in texts] == [False, True]
    assert jobs.request_evaluations(h.services, _moment(date(2028, 7, 8))) == 0  # long ago: left alone
