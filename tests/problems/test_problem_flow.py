"""Intern problems end to end: signed requests in, Web API calls out, records in the database."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bot.devtools.slack_requests import fill
from bot.exports.writers import write_csv
from bot.problems.export import HEADER, iter_problem_rows
from bot.problems.ids import ProblemActionId
from bot.roster.importer import import_interns
from models.audit import AuditEntry
from models.problem import Problem, ProblemEvent, ProblemStatus
from models.roster import Intern
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, OTHER_TEACHER, TEACHER, Harness
from tests.support.slack import buttons, text_of


def _problem(h: Harness) -> Problem:
    with h.db.session() as session:
        problems = session.scalars(select(Problem)).all()
        assert len(problems) == 1
        return problems[0]


def _problems(h: Harness) -> list[Problem]:
    with h.db.session() as session:
        return list(session.scalars(select(Problem).order_by(Problem.id)))


def test_problem_logged_acknowledged_updated_resolved_reopened_and_exported(harness: Harness) -> None:
    h = harness
    reply = h.report(TEACHER, category="safety", severity="p2", description="右手被机器划伤，已送医。",
                     actions_taken="已通知家长")
    assert reply.status == 200 and reply.text == ""  # an empty ack closes the modal
    assert h.deliver() > 0

    [post] = h.channel_messages()
    shown = text_of(post)
    assert "张伟 (S2024001)" in shown and "右手被机器划伤" in shown and "已通知家长" in shown
    assert "P2 – Serious" in shown and "Workplace safety or injury" in shown and "Open" in shown
    assert f"<@{MENTOR}>" in shown  # the mentor is mentioned; the teacher reported it
    assert buttons(post) == [ProblemActionId.ACKNOWLEDGE, ProblemActionId.ADD_UPDATE, ProblemActionId.RESOLVE]
    assert len(h.dms_to(MENTOR)) == 1 and h.dms_to(TEACHER) == []
    # a safety problem alerts the coordinators at once
    assert len(h.dms_to(COORD_SCHOOL)) == 1 and len(h.dms_to(COORD_ENTERPRISE)) == 1

    h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, post)
    h.deliver()
    [post] = h.channel_messages()
    assert f"Acknowledged by <@{MENTOR}>" in text_of(post) and post["edited"]
    assert ProblemActionId.ACKNOWLEDGE not in buttons(post)
    assert any("acknowledged your report" in text for text in h.dms_to(TEACHER))

    h.click(MENTOR, ProblemActionId.ADD_UPDATE, post)
    modal = h.last_modal()
    assert modal["title"]["text"] == "Add update"
    assert h.slack.view_submission(modal, fill(modal, {"text": "已安排复查"}), user_id=MENTOR).status == 200
    h.deliver()
    [post] = h.channel_messages()
    assert "1 update in the thread" in text_of(post)

    h.click(COORD_SCHOOL, ProblemActionId.RESOLVE, post)
    modal = h.last_modal()
    assert h.slack.view_submission(modal, fill(modal, {"text": "伤口已愈合，岗位已调整"}),
                                   user_id=COORD_SCHOOL).text == ""
    h.deliver()
    [post] = h.channel_messages()
    assert f"Resolved by <@{COORD_SCHOOL}>" in text_of(post) and "伤口已愈合" in text_of(post)
    assert buttons(post) == [ProblemActionId.REOPEN, ProblemActionId.ADD_UPDATE]

    h.click(TEACHER, ProblemActionId.REOPEN, post)
    h.deliver()
    [post] = h.channel_messages()
    assert "Reopened" in text_of(post)

    thread = h.thread(post["ts"])
    notes = [text_of(m) for m in thread]
    assert len(thread) == 4
    assert "acknowledged" in notes[0] and "已安排复查" in notes[1] and "resolved" in notes[2] and "reopened" in notes[3]

    problem = _problem(h)
    assert problem.status == ProblemStatus.REOPENED
    with h.db.session() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "problem")
                                  .order_by(AuditEntry.id)).all()
        assert actions == ["problem.reported", "problem.acknowledged", "problem.update", "problem.resolved",
                           "problem.reopened"]
        assert session.scalar(select(func.count()).select_from(ProblemEvent)) == 5

    out = io.StringIO()
    write_csv(out, HEADER, iter_problem_rows(h.db))
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["status"] == "reopened" and row["student_id"] == "S2024001"
    assert row["resolution"] == "伤口已愈合，岗位已调整" and row["updates"] == "1"


def test_each_dm_about_a_new_report_names_the_intern_once(harness: Harness) -> None:
    """The mentor's DM read "…about your intern 张伟 (S2024001) in #…: P2 – Serious · …: 张伟 (S2024001)"."""
    h = harness
    h.report(TEACHER, category="safety", severity="p1")
    h.deliver()
    [mentor_dm] = h.dms_to(MENTOR)
    assert mentor_dm.count("张伟") == 1 and mentor_dm.count("S2024001") == 1, mentor_dm
    assert "about your intern 张伟 (S2024001)" in mentor_dm and mentor_dm.endswith(
        "P1 – Critical · Workplace safety or injury"), mentor_dm
    for alert in h.dms_to(COORD_SCHOOL):
        assert alert.count("S2024001") == 1, alert


def test_user_text_is_escaped_everywhere_it_is_posted(harness: Harness) -> None:
    h = harness
    hostile = "<!channel> ping <@U0MENTOR> see <https://evil.example|here> & more"
    h.report(TEACHER, category="other", severity="p4", description=hostile, actions_taken="<!here>")
    h.deliver()
    [post] = h.channel_messages()
    shown = text_of(post)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt; ping &lt;@U0MENTOR&gt; see &lt;https://evil.example|here&gt; &amp; more" in shown
    h.click(MENTOR, ProblemActionId.ADD_UPDATE, post)
    modal = h.last_modal()
    h.slack.view_submission(modal, fill(modal, {"text": "<!everyone> hi"}), user_id=MENTOR)
    h.deliver()
    [note] = h.thread(post["ts"])
    assert "<!everyone>" not in text_of(note) and "&lt;!everyone&gt;" in text_of(note)


def test_long_texts_reach_the_channel_whole_however_much_escaping_makes_of_them(harness: Harness) -> None:
    """The form takes 3,000 characters; escaped, an `&` takes five and a `<` four. The post carries every
    character of the description, the actions taken and the updates, in as many sections as it takes."""
    h = harness
    description = ("A&B <安全> " * 400)[:2990] + "——最后十个字很重要"
    actions = "已送医 & 通知家长 " * 250
    h.report(TEACHER, description=description, actions_taken=actions[:3000])
    h.deliver()
    [post] = h.channel_messages()
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section" and "text" in b]
    assert all(len(text) <= 3000 for text in sections) and len(post["blocks"]) <= 50
    shown = "".join(sections)

    def escaped(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    assert escaped(description) in shown.replace("*What happened*\n", "")
    assert escaped(actions[:3000].strip()) in shown
    assert shown.count("——最后十个字很重要") == 1


def test_a_long_description_is_split_between_words(harness: Harness) -> None:
    """A 3,000-character description split into two sections as "…&lt;@U0DEMOMEN" | "TOR&gt;…": the first
    section took as many characters as fitted, wherever that fell."""
    h = harness
    head = "*What happened*\n"
    words = "Checked the guard " * 165 + "again "  # 2,976 characters: the old cut fell 8 characters into the next
    assert len(head) + len(words) + 8 == 3000
    description = words + "<@U0DEMOMENTOR> told."  # 2,997 characters, within the form's 3,000
    h.report(TEACHER, description=description)
    h.deliver()
    [post] = h.channel_messages()
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section" and "text" in b]
    first, second = (text for text in sections if "Checked" in text or "told" in text)
    assert first.startswith(head) and len(first) <= 3000
    assert first[len(head):] + second == description.replace("<", "&lt;").replace(">", "&gt;")
    assert first.endswith(" ") and second.startswith("&lt;@U0DEMOMENTOR&gt; told."), (first[-30:], second)

def test_a_date_before_the_internship_began_is_refused_inline(harness: Harness) -> None:
    """张伟's internship began on 2026-09-01: 2025-10-08 is a slip of the year, not a report to store."""
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    for day, accepted in (("2025-10-08", False), ("2026-08-31", False), ("2026-09-01", True)):
        values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
                             "description": f"工资拖欠 {day}", "occurred_on": day})
        reply = h.slack.view_submission(view, values, user_id=TEACHER)
        if accepted:
            assert reply.text == ""
        else:
            assert reply.json() == {"response_action": "errors", "errors": {
                "occurred_on": "This is before the internship began: pick a date during the internship."}}
    with h.db.session() as session:
        assert [p.occurred_on.isoformat() for p in session.scalars(select(Problem))] == ["2026-09-01"]
    with h.db.transaction() as session:  # an internship not begun yet: a problem at the pre-placement training
        session.execute(update(Intern).where(Intern.student_id == "S2024002")
                        .values(start_date=date.today() + timedelta(days=30)))
    view = h.open_modal("/intern-issue", OTHER_TEACHER)
    three_days_ago = (date.today() - timedelta(days=3)).isoformat()
    values = fill(view, {"intern_id": str(h.intern_id("S2024002")), "category": "safety", "severity": "p2",
                         "description": "岗前培训未讲安全规程", "occurred_on": three_days_ago})
    assert h.slack.view_submission(view, values, user_id=OTHER_TEACHER).text == ""


def test_text_with_nothing_visible_in_it_counts_as_empty(harness: Harness) -> None:
    """Zero-width spaces, joiners, a BOM, ideographic and no-break spaces would post as a blank line."""
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    for invisible in ("\u200b", "\u200b\u200d\ufeff", "\u3000\u00a0\u2060 "):
        values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
                             "description": invisible, "occurred_on": date.today().isoformat()})
        body = h.slack.view_submission(view, values, user_id=TEACHER).json()
        assert body["response_action"] == "errors" and set(body["errors"]) == {"description"}, repr(invisible)
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 0


def test_bad_input_comes_back_inline_and_stores_nothing(harness: Harness) -> None:
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
                         "description": "   \n  ", "occurred_on": tomorrow})
    reply = h.slack.view_submission(view, values, user_id=TEACHER)
    assert reply.status == 200
    body = reply.json()
    assert body == {"response_action": "errors", "errors": {  # every field's error in the one answer
        "description": "Describe what happened (at most 3,000 characters).",
        "occurred_on": "The date cannot be in the future."}}

    values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "pay", "severity": "p3",
                         "description": "工资被拖欠两个月", "occurred_on": tomorrow})
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert body == {"response_action": "errors", "errors": {"occurred_on": "The date cannot be in the future."}}

    values["description"]["value"]["value"] = "长" * 3001  # more than the modal allows (a forged payload)
    values["occurred_on"]["value"]["selected_date"] = date.today().isoformat()
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert list(body["errors"]) == ["description"]

    values["description"]["value"]["value"] = "x"
    values["category"]["value"]["selected_option"] = {"text": {"type": "plain_text", "text": "x"}, "value": "nope"}
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert list(body["errors"]) == ["category"]
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 0
    h.deliver()
    assert h.fake.calls_to("chat.postMessage") == []


def test_every_field_error_comes_back_in_one_answer(harness: Harness) -> None:
    """The form's own errors and the service's (which need the database) together, not one round each."""
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    next_week = (date.today() + timedelta(days=7)).isoformat()
    values = fill(view, {"intern_id": str(h.intern_id("A0001")), "category": "pay", "severity": "p3",
                         "description": "another partnership's intern, a date to come", "occurred_on": next_week})
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert body["errors"] == {"intern_id": "You can only report on interns of your own partnerships.",
                              "occurred_on": "The date cannot be in the future."}
    values = fill(view, {"severity": "p3", "description": "", "occurred_on": next_week})  # no intern chosen
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert body["errors"] == {"intern_id": "Choose an intern from the list.", "category": "Choose a category.",
                              "description": "Describe what happened (at most 3,000 characters).",
                              "occurred_on": "The date cannot be in the future."}
    values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "severity": "p3", "description": "x",
                         "occurred_on": "2025-10-08"})  # before 张伟's internship began
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert body["errors"] == {"category": "Choose a category.", "occurred_on": (
        "This is before the internship began: pick a date during the internship.")}
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Problem)) == 0


def test_a_teacher_cannot_report_on_another_partnerships_intern(harness: Harness) -> None:
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    values = fill(view, {"intern_id": str(h.intern_id("A0001")), "category": "pay", "severity": "p3",
                         "description": "forged intern id", "occurred_on": date.today().isoformat()})
    body = h.slack.view_submission(view, values, user_id=TEACHER).json()
    assert body["errors"] == {"intern_id": "You can only report on interns of your own partnerships."}


def test_the_same_submission_twice_makes_one_report_and_one_post(harness: Harness) -> None:
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "hours", "severity": "p3",
                         "description": "连续三周夜班", "occurred_on": date.today().isoformat()})
    assert h.slack.view_submission(view, values, user_id=TEACHER).status == 200
    assert h.slack.view_submission(view, values, user_id=TEACHER).status == 200  # Slack retry / double submit
    h.deliver()
    assert len(h.channel_messages()) == 1
    _problem(h)


def test_double_click_changes_state_once(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, severity="p3", category="hours")
    h.deliver()
    [post] = h.channel_messages()
    h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, post)
    h.click(MENTOR, ProblemActionId.ACKNOWLEDGE, post)  # the old message, clicked again
    h.deliver()
    assert len(h.fake.calls_to("chat.update")) == 1
    assert len(h.thread(post["ts"])) == 1
    assert any("already acknowledged" in text for text in h.ephemerals())
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "problem.acknowledged")) == 1


def test_people_without_the_role_are_refused_privately(harness: Harness) -> None:
    h = harness
    h.report(TEACHER, severity="p3", category="hours")
    h.deliver()
    [post] = h.channel_messages()
    h.click(OTHER_TEACHER, ProblemActionId.ACKNOWLEDGE, post)  # a teacher, but not this intern's
    h.click("U0OUTSIDER", ProblemActionId.RESOLVE, post)  # another partnership's coordinator
    h.click("U0NOBODY", ProblemActionId.ACKNOWLEDGE, post)  # on no roster
    h.click("U0MEMBER", ProblemActionId.ADD_UPDATE, post)  # a member only
    refusals = h.ephemerals()
    assert len(refusals) == 4
    assert sum("your role does not allow" in text for text in refusals) == 3
    assert sum("not on a coopbot roster" in text for text in refusals) == 1
    assert _problem(h).status == ProblemStatus.OPEN
    h.deliver()
    assert h.fake.calls_to("chat.update") == [] and len(h.fake.calls_to("views.open")) == 1


def test_people_without_a_reporting_role_cannot_open_the_form(harness: Harness) -> None:
    h = harness
    expected = {"U0NOBODY": "not on a coopbot roster", "U0MEMBER": "your role does not allow"}
    for count, (user, words) in enumerate(expected.items(), start=1):
        assert h.slack.command("/intern-issue", user_id=user).status == 200
        h.settle()
        assert words in h.fake.wait_for("response_url", count=count)[-1].args["text"]
    assert h.fake.calls_to("views.open") == []


def test_intern_picker_searches_only_the_callers_partnerships(harness: Harness) -> None:
    h = harness
    reply = h.slack.block_suggestion(user_id=TEACHER, action_id=ProblemActionId.INTERN_SELECT,
                                     block_id="intern_id", value="欧阳")
    options = reply.json()["options"]
    assert [o["text"]["text"] for o in options] == ["欧阳娜娜 (S2024002)"]
    everyone = h.slack.block_suggestion(user_id=TEACHER, action_id=ProblemActionId.INTERN_SELECT,
                                        block_id="intern_id", value="").json()["options"]
    assert {o["text"]["text"] for o in everyone} == {"张伟 (S2024001)", "欧阳娜娜 (S2024002)"}
    nobody = h.slack.block_suggestion(user_id="U0NOBODY", action_id=ProblemActionId.INTERN_SELECT,
                                      block_id="intern_id", value="").json()
    assert nobody["options"] == []
    by_id = h.slack.block_suggestion(user_id=TEACHER, action_id=ProblemActionId.INTERN_SELECT,
                                     block_id="intern_id", value="2024001").json()["options"]
    assert [o["text"]["text"] for o in by_id] == ["张伟 (S2024001)"]
    assert CHANNEL  # the demo roster's channel is what the options belong to


def test_a_long_name_in_the_intern_picker_is_shortened_and_keeps_the_student_id(harness: Harness,
                                                                                tmp_path: Path) -> None:
    """Slack cuts an option at 75 characters; the student id is what tells namesakes apart, so the name gives way."""
    h = harness
    name = "阿卜杜热合曼·买买提艾力 Abdurahman Mamatali Muhammad Abdurahman Long Name Junior"
    interns = tmp_path / "long.csv"
    interns.write_text("student_id,name,partnership,teacher,mentor,start_date,end_date,position\n"
                       f"S2026L001,{name},深职院–华为,{TEACHER},{MENTOR},2026-09-01,2027-06-30,焊工\n",
                       encoding="utf-8")
    import_interns(h.db, interns)
    [choice] = h.slack.block_suggestion(user_id=TEACHER, action_id=ProblemActionId.INTERN_SELECT,
                                        block_id="intern_id", value="阿卜杜").json()["options"]
    shown = choice["text"]["text"]
    assert len(shown) <= 75 and shown.endswith("… (S2026L001)")
    assert shown.startswith("阿卜杜热合曼·买买提艾力 Abdurahman")


def test_a_report_while_the_database_stays_locked_is_refused_inline_and_nothing_is_stored(
        harness: Harness) -> None:
    """Another process holds the database (a long transaction, a table locked by hand). Slack waits 3 s in
    all: the report says "busy, nothing saved" inline within them, instead of Slack's own error while the
    report goes through unseen a moment later. Submitted again once the lock is gone, it is stored once."""
    h = harness
    view = h.open_modal("/intern-issue", TEACHER)
    values = fill(view, {"intern_id": str(h.intern_id("S2024001")), "category": "safety", "severity": "p2",
                         "description": "锁住的时候报告", "occurred_on": date.today().isoformat()})
    holder = h.db.engine.raw_connection()
    try:
        cursor = holder.cursor()
        if h.db.is_sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        else:
            cursor.execute("LOCK TABLE problem IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        reply = h.slack.view_submission(view, values, user_id=TEACHER)
        waited = time.monotonic() - started
        assert reply.status == 200 and waited < 3.0, (reply.status, waited)
        assert "The database is busy right now, so nothing was saved" in reply.json()["errors"]["intern_id"]
    finally:
        holder.rollback()
        holder.close()
    h.settle()
    assert _problems(h) == []
    assert h.slack.view_submission(view, values, user_id=TEACHER).text == ""
    assert [p.description for p in _problems(h)] == ["锁住的时候报告"]
