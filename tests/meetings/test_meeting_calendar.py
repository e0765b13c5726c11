"""Meetings over time: timezones and DST, reminders, minutes and action items, the read API, export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.cli import main
from bot.devtools.slack_requests import fill
from bot.exports.writers import write_csv
from bot.meetings import jobs
from bot.meetings.export import HEADER, iter_meeting_rows
from bot.meetings.ids import MeetingActionId
from models.meeting import Meeting, MeetingStatus
from models.schedule import JobRun
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, MENTOR, OUTSIDER, Harness
from tests.support.meetings import initial_answers, local_today, only_meeting, schedule
from tests.support.slack import buttons, text_of


def _second_sunday_of_march(year: int) -> date:
    first = date(year, 3, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


def test_los_angeles_times_follow_daylight_saving_and_skipped_times_are_refused(harness: Harness) -> None:
    h = harness
    change = _second_sunday_of_march(local_today("America/Los_Angeles").year + 1)
    reply, _ = schedule(h, OUTSIDER, date=(change - timedelta(days=7)).isoformat(), start_time="10:00",
                        title="Q1 review (PST)", invitees=[OUTSIDER])
    assert reply.text == ""
    reply, _ = schedule(h, OUTSIDER, date=(change + timedelta(days=1)).isoformat(), start_time="10:00",
                        title="Q1 review (PDT)", invitees=[OUTSIDER])
    assert reply.text == ""
    reply, _ = schedule(h, OUTSIDER, date=change.isoformat(), start_time="02:30", invitees=[OUTSIDER])
    assert list(reply.json()["errors"]) == ["start_time"]  # 02:30 does not exist that night
    with h.db.session() as session:
        starts = {title: at for title, at in session.execute(select(Meeting.title, Meeting.starts_at))}
    assert starts["Q1 review (PST)"].hour == 18 and starts["Q1 review (PDT)"].hour == 17
    h.deliver()
    posts = h.channel_messages("C0OTHER")
    assert "America/Los_Angeles" in text_of(posts[0]) and "10:00" in text_of(posts[1])


def test_the_default_title_names_the_quarter_in_the_partnerships_timezone(harness: Harness) -> None:
    h = harness
    view = h.open_modal("/coop-meeting", OUTSIDER)
    today = local_today("America/Los_Angeles")
    assert initial_answers(view)["title"] == f"Q{(today.month - 1) // 3 + 1} {today.year} cooperation review"
    assert initial_answers(view)["invitees"] == [OUTSIDER]  # the group: coordinators and members only


def test_reminders_a_day_and_an_hour_before_once_each(harness: Harness) -> None:
    h = harness
    schedule(h)
    h.deliver()
    meeting = only_meeting(h)
    start = meeting.starts_at
    assert jobs.send_meeting_reminders(h.services, start - timedelta(hours=25)) == 0
    assert jobs.send_meeting_reminders(h.services, start - timedelta(hours=23)) == 1
    assert jobs.send_meeting_reminders(h.services, start - timedelta(hours=22)) == 0  # run twice: once
    assert jobs.send_meeting_reminders(h.services, start - timedelta(minutes=50)) == 1
    assert jobs.send_meeting_reminders(h.services, start - timedelta(minutes=10)) == 0
    assert jobs.send_meeting_reminders(h.services, start + timedelta(minutes=1)) == 0
    h.deliver()
    [post] = h.channel_messages()
    notes = [text_of(m) for m in h.thread(post["ts"])]
    assert len(notes) == 2 and "Coming up" in notes[0] and "In one hour" in notes[1]
    with h.db.session() as session:
        assert sorted(session.scalars(select(JobRun.subject))) == [f"meeting:{meeting.id}:1h",
                                                                  f"meeting:{meeting.id}:24h"]
    assert h.services.meetings.next_meeting(meeting.partnership_id, start - timedelta(days=1)) == meeting
    assert h.services.meetings.next_meeting(meeting.partnership_id, start) is None
    with h.db.session() as session:
        assert h.services.meetings.in_quarter(session, meeting.partnership_id, meeting.quarter) == meeting
        assert h.services.meetings.in_quarter(session, meeting.partnership_id, "1999Q1") is None


def _hold_meeting(h: Harness) -> int:
    """Schedule a meeting and move it into the past (as if it had been held two hours ago)."""
    schedule(h, title="=HYPERLINK(\"http://evil\")")
    h.deliver()
    meeting = only_meeting(h)
    with h.db.transaction() as session:
        session.execute(update(Meeting).where(Meeting.id == meeting.id)
                        .values(starts_at=datetime.now(UTC) - timedelta(hours=3)))
    return meeting.id


def test_minutes_action_items_reminders_and_marking_done(harness: Harness) -> None:
    h = harness
    meeting_id = _hold_meeting(h)
    now = datetime.now(UTC)
    assert jobs.ask_for_minutes(h.services, now) == 1
    assert jobs.ask_for_minutes(h.services, now) == 0
    h.deliver()
    [request] = [m for m in h.fake.messages("D" + COORD_SCHOOL) if MeetingActionId.RECORD_MINUTES in buttons(m)]

    h.click(MEMBER, MeetingActionId.RECORD_MINUTES, request, channel="D" + COORD_SCHOOL)
    assert "only the organiser and the partnership's coordinators" in h.ephemerals()[-1]
    h.click(COORD_SCHOOL, MeetingActionId.RECORD_MINUTES, request, channel="D" + COORD_SCHOOL)
    modal = h.last_modal()
    assert modal["title"]["text"] == "Record minutes"
    today = local_today()
    answers = {"minutes": "=1+1 会议纪要：实习生整体表现良好。", "item1_owner": MEMBER, "item1_text": "整理实习生名单",
               "item1_due": today.isoformat(), "item2_owner": COORD_ENTERPRISE, "item2_text": "安排下季度岗位",
               "item2_due": (today + timedelta(days=30)).isoformat(), "item3_text": "没有负责人"}
    body = h.slack.view_submission(modal, fill(modal, answers), user_id=COORD_SCHOOL).json()
    assert body["errors"] == {"item3_owner": "Choose who will do it.", "item3_due": "Pick the date it is due."}
    del answers["item3_text"]
    body = h.slack.view_submission(modal, fill(modal, {**answers, "item1_owner": "U0OUTSIDER"}),
                                   user_id=COORD_SCHOOL).json()
    assert list(body["errors"]) == ["item1_owner"]
    outsider = "Only people on this partnership's roster can own an action item."
    body = h.slack.view_submission(modal, fill(modal, {**answers, "item1_owner": "U0OUTSIDER", "item3_text": "x",
                                                       "item2_owner": "U0OUTSIDER", "minutes": " "}),
                                   user_id=COORD_SCHOOL).json()
    assert body["errors"] == {  # the form's errors and the roster's, in one answer
        "item3_owner": "Choose who will do it.", "item3_due": "Pick the date it is due.",
        "minutes": "Write the minutes (at most 3,000 characters).", "item1_owner": outsider, "item2_owner": outsider}
    assert h.slack.view_submission(modal, fill(modal, answers), user_id=COORD_SCHOOL).text == ""
    h.deliver()

    meeting = only_meeting(h)
    assert meeting.status == MeetingStatus.HELD and len(meeting.action_items) == 2
    [post] = h.channel_messages()
    assert "Held" in text_of(post) and "2 action items in the thread" in text_of(post) and buttons(post) == []
    thread = h.thread(post["ts"])
    assert "会议纪要" in text_of(thread[0])
    items = [m for m in thread if MeetingActionId.ACTION_ITEM_DONE in buttons(m)]
    assert len(items) == 2 and "整理实习生名单" in text_of(items[0]) and f"<@{MEMBER}>" in text_of(items[0])

    assert jobs.send_action_item_reminders(h.services, datetime.now(UTC)) == 1  # only the one due today
    assert jobs.send_action_item_reminders(h.services, datetime.now(UTC)) == 0
    h.deliver()
    assert any("Due" in text for text in h.dms_to(MEMBER))

    h.click(MENTOR, MeetingActionId.ACTION_ITEM_DONE, items[0])
    assert "only the action item's owner" in h.ephemerals()[-1]
    [dm] = [m for m in h.fake.messages("D" + MEMBER) if "整理实习生名单" in text_of(m) and "Due" not in m["text"]]
    h.click(MEMBER, MeetingActionId.ACTION_ITEM_DONE, dm, channel="D" + MEMBER)
    h.click(MEMBER, MeetingActionId.ACTION_ITEM_DONE, dm, channel="D" + MEMBER)  # clicked twice
    assert "already done" in h.ephemerals()[-1]
    h.deliver()
    done_in_thread = h.fake.message("C0PARTNER", items[0]["ts"])
    done_in_dm = h.fake.message("D" + MEMBER, dm["ts"])
    for message in (done_in_thread, done_in_dm):
        assert "✅ Done" in text_of(message) and buttons(message) == [] and message["edited"]
    [still_open] = h.services.meetings.open_action_items(meeting.partnership_id)
    assert still_open.owner == COORD_ENTERPRISE
    later = datetime.now(UTC) + timedelta(days=31)
    assert jobs.send_action_item_reminders(h.services, later) == 1
    assert meeting_id == meeting.id


def test_export_meetings_as_csv(harness: Harness, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    h = harness
    _hold_meeting(h)
    meeting = only_meeting(h)
    post = h.channel_messages()[0]
    h.click(MEMBER, MeetingActionId.RSVP_GOING, post)
    h.click(COORD_ENTERPRISE, MeetingActionId.RSVP_DECLINED, post)
    out = io.StringIO()
    assert write_csv(out, HEADER, iter_meeting_rows(h.db)) == 1
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["status"] == "scheduled" and row["title"] == "'=HYPERLINK(\"http://evil\")"
    assert (row["going"], row["maybe"], row["declined"], row["no_answer"]) == ("1", "0", "1", "1")
    assert row["timezone"] == "Asia/Shanghai" and row["starts_at"].endswith("Z")
    assert row["invitees"] == "陈静; 张敏; 赵磊" and meeting.id == int(row["id"])

    monkeypatch.setenv("DATABASE_URL", h.db.url)
    assert main(["export", "meetings"]) == 0
    printed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["id"] for r in printed] == [row["id"]]
