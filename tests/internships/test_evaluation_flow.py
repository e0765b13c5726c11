"""The end of an internship through Slack's edges: the mentor's DM after the end date, the modal and
its inline errors, who may submit, retries, the teacher's notice, and reminders once per period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from bot.devtools.slack_requests import Reply, fill
from bot.i18n.language import set_language
from bot.internships import jobs
from bot.internships.ids import InternshipActionId
from bot.internships.snapshot import evaluation_snapshot
from bot.roster.importer import import_interns
from models.internship import Grade, InternshipEvaluation
from models.roster import Intern
from scheduler.jobs import REMINDERS
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, OTHER_TEACHER, TEACHER, Harness, dm

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


def _open(h: Harness, user: str) -> dict[str, Any]:
    before = len(h.fake.calls_to("views.open"))
    h.click(user, InternshipActionId.EVALUATE, dm(h, MENTOR, InternshipActionId.EVALUATE), channel="D" + MENTOR)
    assert len(h.fake.calls_to("views.open")) == before + 1, h.ephemerals()
    return h.last_modal()


def _submit(h: Harness, user: str, view: dict[str, Any], **answers: Any) -> Reply:
    return h.slack.view_submission(view, fill(view, answers), user_id=user)


def _count(h: Harness) -> int:
    with h.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(InternshipEvaluation)) or 0)


def test_the_reminders_job_runs_the_evaluation_requests() -> None:
    assert jobs.request_evaluations in [part.run for part in REMINDERS]


def test_mentor_is_asked_after_the_end_date_evaluates_and_the_teacher_sees_it(harness: Harness) -> None:
    h = harness
    intern_id, end = _ended_yesterday(h)
    assert jobs.request_evaluations(h.services, _moment(end)) == 0  # the last day is not past yet
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=1))) == 1
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=1))) == 0  # a second run: nothing
    h.deliver()
    request = dm(h, MENTOR, InternshipActionId.EVALUATE)
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
        [stored] = session.scalars(select(InternshipEvaluation).where(InternshipEvaluation.intern_id == intern_id))
        result = evaluation_snapshot(stored)
        assert session.scalar(select(InternshipEvaluation).where(InternshipEvaluation.intern_id == other)) is None
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
        h.click(user, InternshipActionId.EVALUATE, dm(h, MENTOR, InternshipActionId.EVALUATE), channel="D" + MENTOR)
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
    h.click(MENTOR, InternshipActionId.EVALUATE, dm(h, MENTOR, InternshipActionId.EVALUATE), channel="D" + MENTOR)
    assert any(f"<@{COORD_ENTERPRISE}> has already evaluated" in t for t in h.ephemerals())


def test_an_internship_that_has_not_ended_cannot_be_evaluated(harness: Harness) -> None:
    h = harness
    _, end = _ended_yesterday(h)
    jobs.request_evaluations(h.services, _moment(end + timedelta(days=1)))
    h.deliver()
    _set_end(h, "S2024001", _shanghai_today() + timedelta(days=5))  # extended after the request went out
    h.click(MENTOR, InternshipActionId.EVALUATE, dm(h, MENTOR, InternshipActionId.EVALUATE), channel="D" + MENTOR)
    assert any("has not reached its end date" in t for t in h.ephemerals())


def test_the_request_is_in_the_mentors_language(harness: Harness) -> None:
    h = harness
    _, end = _ended_yesterday(h)
    set_language(h.db, MENTOR, "zh_CN")
    jobs.request_evaluations(h.services, _moment(end + timedelta(days=1)))
    h.deliver()
    request = dm(h, MENTOR, InternshipActionId.EVALUATE)
    assert "请填写实习鉴定" in request["text"]
    view = _open(h, MENTOR)
    assert view["title"]["text"] == "填写实习鉴定"
    errors = _submit(h, MENTOR, view, **GRADES).json()["errors"]
    assert errors == {"certificate": "请确认实习证明已出具。"}


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


def _cohort(h: Harness, tmp_path: Path, end: date, size: int) -> None:
    """`size` more interns of 李强 (MENTOR) at 深职院–华为, all ending on `end` with S2024001 and S2024002;
    A0001 (another partnership, another mentor) years later."""
    path = tmp_path / "cohort.csv"
    path.write_text("student_id,name,partnership,teacher,mentor,start_date,end_date,position\n" + "".join(
        f"C{n:03d},{'<!channel> 学生' if n == 0 else '学生'}{n:02d},深职院–华为,{TEACHER},{MENTOR},"
        f"2025-09-01,{end},装配\n" for n in range(size)), encoding="utf-8")
    import_interns(h.db, path)
    _set_end(h, "A0001", date(2031, 1, 1))
    with h.db.transaction() as session:
        session.execute(update(Intern).where(Intern.student_id.in_(["S2024001", "S2024002"]))
                        .values(start_date=date(2025, 9, 1), end_date=end))


def _request_dms(h: Harness) -> list[dict[str, Any]]:
    """The DMs listing several interns (a line each, with its block id), as they stand now."""
    return [m for m in h.fake.messages("D" + MENTOR)
            if any(b["type"] == "section" and str(b.get("block_id")).startswith("intern:")
                   for b in m.get("blocks") or [])]


def _evaluate_buttons(message: dict[str, Any]) -> dict[str, str]:
    """block_id → intern id of each Evaluate button left on a listing DM."""
    return {b["block_id"]: b["accessory"]["value"] for b in message.get("blocks") or []
            if (b.get("accessory") or {}).get("action_id") == InternshipActionId.EVALUATE}


def test_a_cohort_ending_together_is_asked_in_one_dm_per_forty_interns(harness: Harness, tmp_path: Path) -> None:
    """A mentor with 45 interns ending the same day gets two DMs listing them, not 45; evaluating one
    takes its button off the DM that listed it; the reminder lists only those still missing."""
    h = harness
    end = date(2026, 7, 1)  # a Wednesday, past: the evaluation can be made
    _cohort(h, tmp_path, end, 43)
    assert jobs.request_evaluations(h.services, _moment(date(2026, 7, 2))) == 45
    assert jobs.request_evaluations(h.services, _moment(date(2026, 7, 2)) + timedelta(hours=2)) == 0
    h.deliver()
    first, second = _request_dms(h)
    assert [len(_evaluate_buttons(first)), len(_evaluate_buttons(second))] == [40, 5]
    assert len(first["blocks"]) <= 50 and all(len(str(b.get("text"))) <= 3000 for b in first["blocks"])
    assert first["text"].startswith("The internships of 40 of your interns (深职院–华为) have ended.")
    shown = str(first["blocks"]) + str(second["blocks"])
    assert "&lt;!channel&gt; 学生00 (C000)" in shown and "<!channel>" not in shown
    assert "*张伟 (S2024001)* · ended Jul 1, 2026" in shown
    assert not h.dms_to(TEACHER)

    target = _evaluate_buttons(first)["intern:" + str(h.intern_id("C005"))]  # listed by student id
    before = len(h.fake.calls_to("views.open"))
    h.slack.block_action(user_id=MENTOR, action_id=InternshipActionId.EVALUATE, value=target,
                         block_id=f"intern:{target}", channel_id="D" + MENTOR, message_ts=first["ts"])
    h.settle()
    assert len(h.fake.calls_to("views.open")) == before + 1, h.ephemerals()
    assert _submit(h, MENTOR, h.last_modal(), **GRADES, certificate=["issued"]).status == 200
    h.deliver()
    first, second = _request_dms(h)
    assert len(_evaluate_buttons(first)) == 39 and f"intern:{target}" not in _evaluate_buttons(first)
    assert f":white_check_mark: 学生05 (C005): evaluated by <@{MENTOR}>." in str(first["blocks"])
    assert "1 of 40 evaluated." in str(first["blocks"]) and len(_evaluate_buttons(second)) == 5

    assert jobs.request_evaluations(h.services, _moment(date(2026, 7, 6))) == 44  # 3 working days on
    h.deliver()
    reminders = [m for m in _request_dms(h) if m["text"].startswith("Reminder:")]
    assert [len(_evaluate_buttons(m)) for m in reminders] == [40, 4]
    assert reminders[0]["text"].startswith(
        "Reminder: the evaluations of 40 internships (深职院–华为) are still missing.")
    assert len(h.dms_to(MENTOR)) == 4


def test_a_listing_dm_says_thank_you_once_every_intern_on_it_is_evaluated(harness: Harness, tmp_path: Path) -> None:
    h = harness
    end = _shanghai_today() - timedelta(days=1)
    _cohort(h, tmp_path, end, 1)  # three interns of MENTOR's
    set_language(h.db, MENTOR, "zh_CN")
    assert jobs.request_evaluations(h.services, _moment(end + timedelta(days=1))) == 3
    h.deliver()
    [listing] = _request_dms(h)
    assert listing["text"].startswith("您的 3 名实习生（深职院–华为）的实习已结束")
    for intern_id in list(_evaluate_buttons(listing).values()):
        h.slack.block_action(user_id=COORD_ENTERPRISE, action_id=InternshipActionId.EVALUATE, value=intern_id,
                             block_id=f"intern:{intern_id}", channel_id="D" + MENTOR, message_ts=listing["ts"])
        h.settle()
        assert _submit(h, COORD_ENTERPRISE, h.last_modal(), **GRADES, certificate=["issued"]).status == 200
    h.deliver()
    [listing] = _request_dms(h)
    assert not _evaluate_buttons(listing) and listing["text"] == "3 份实习鉴定（深职院–华为）已全部填写，谢谢。"
    assert f"<@{COORD_ENTERPRISE}>" in str(listing["blocks"])
    assert _count(h) == 3
