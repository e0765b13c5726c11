"""Meetings end to end: scheduling, inline errors, answers updated in place, refusals, calendar files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.devtools.slack_requests import fill
from bot.meetings.ids import MeetingActionId
from models.audit import AuditEntry
from models.meeting import Meeting, MeetingInvitee, MeetingStatus, Rsvp
from models.roster import Partnership
from scheduler.jobs import run_job
from tests.support.harness import (
    CHANNEL,
    COORD_ENTERPRISE,
    COORD_SCHOOL,
    MEMBER,
    MENTOR,
    OTHER_CHANNEL,
    TEACHER,
    Harness,
)
from tests.support.meetings import calendar_files, event_of, initial_answers, local_today, only_meeting, schedule
from tests.support.slack import buttons, text_of

GROUP = [COORD_SCHOOL, COORD_ENTERPRISE, MEMBER]


def test_schedule_announces_sends_calendar_files_and_counts_answers_in_place(harness: Harness) -> None:
    h = harness
    reply, view = schedule(h, title="第一季度校企合作会议 <!channel>", start_time="14:30")
    assert reply.status == 200 and reply.text == ""
    assert view["title"]["text"] == "Schedule a meeting"
    today = local_today()
    quarter = (today.month - 1) // 3 + 1
    assert any(b.get("element", {}).get("initial_value") == f"Q{quarter} {today.year} cooperation review"
               for b in view["blocks"])
    h.deliver()

    meeting = only_meeting(h)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.organiser == COORD_SCHOOL
    assert meeting.starts_at.utcoffset() == timedelta(0)
    assert meeting.starts_at.hour == 6 and meeting.starts_at.minute == 30  # 14:30 in Shanghai is 06:30 UTC
    assert sorted(i.slack_user_id for i in meeting.invitees) == sorted(GROUP)

    [post] = h.channel_messages()
    shown = text_of(post)
    assert "第一季度校企合作会议 &lt;!channel&gt;" in shown
    mrkdwn = [post["text"], *(b["text"]["text"] for b in post["blocks"] if b.get("text", {}).get("type") == "mrkdwn")]
    assert not any("<!channel>" in part for part in mrkdwn)  # the header is plain_text: never parsed
    assert "深圳 会议室 A302" in shown and "实习生情况" in shown and "Asia/Shanghai" in shown
    assert "Going: 0" in shown
    assert buttons(post)[:3] == [MeetingActionId.RSVP_GOING, MeetingActionId.RSVP_MAYBE,
                                 MeetingActionId.RSVP_DECLINED]

    files = calendar_files(h)
    assert sorted(f["channel_id"] for f in files) == sorted("D" + u for u in GROUP)
    event = event_of(files[0])
    assert files[0]["ics"]["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["SUMMARY"]) == "第一季度校企合作会议 <!channel>" and str(event["UID"]) == meeting.ics_uid
    assert "invited" in files[0]["initial_comment"]
    assert "&lt;!channel&gt;" in files[0]["initial_comment"] and "<!channel>" not in files[0]["initial_comment"]
    assert files[0]["title"] == "第一季度校企合作会议 ＜!channel＞"  # a file's title is shown as typed

    h.click(COORD_ENTERPRISE, MeetingActionId.RSVP_GOING, post)
    h.click(MEMBER, MeetingActionId.RSVP_GOING, post)
    h.click(MEMBER, MeetingActionId.RSVP_GOING, post)  # a double click changes nothing
    h.click(COORD_SCHOOL, MeetingActionId.RSVP_DECLINED, post)
    h.deliver()
    [post] = h.channel_messages()
    shown = text_of(post)
    assert f"Going: 2 — <@{COORD_ENTERPRISE}>, <@{MEMBER}>" in shown
    assert "Maybe: 0" in shown and f"Can't go: 1 — <@{COORD_SCHOOL}>" in shown and post["edited"]
    assert len(h.fake.calls_to("chat.update")) == 3
    h.click(MEMBER, MeetingActionId.RSVP_MAYBE, post)  # changing one's mind moves the name
    h.deliver()
    shown = text_of(h.channel_messages()[0])
    assert f"Going: 1 — <@{COORD_ENTERPRISE}>" in shown and f"Maybe: 1 — <@{MEMBER}>" in shown
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "meeting.rsvp")) == 4


def test_bad_times_durations_and_partnerships_come_back_inline(harness: Harness) -> None:
    h = harness
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    reply, view = schedule(h, date=yesterday)
    assert reply.json() == {"response_action": "errors",
                            "errors": {"date": "That time has already passed in the partnership's timezone."}}
    now_there = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    if now_there.hour >= 1:  # earlier today, in Shanghai (skip in the first hour of the day there)
        body = h.slack.view_submission(view, fill(view, {
            "partnership_id": view["blocks"][0]["element"]["initial_option"]["value"], "title": "x",
            "date": now_there.date().isoformat(), "start_time": "00:00", "duration_minutes": "60"}),
            user_id=COORD_SCHOOL).json()
        assert list(body["errors"]) == ["start_time"]
    for duration in ("0", "481", "1.5"):
        reply, _ = schedule(h, duration_minutes=duration)
        assert reply.json()["errors"] == {
            "duration_minutes": "The duration must be between 1 and 480 minutes (8 hours)."}
    with h.db.session() as session:
        other = session.scalar(select(Partnership.id).where(Partnership.channel_id == OTHER_CHANNEL))
    forged = {"text": {"type": "plain_text", "text": "x"}, "value": str(other)}
    reply, view = schedule(h, partnership_id=forged)  # a forged option: a partnership the caller is not in
    assert reply.json()["errors"] == {
        "partnership_id": "You can only schedule meetings for partnerships you coordinate."}
    reply, _ = schedule(h, invitees=[MEMBER, "U0OUTSIDER"])  # someone of another partnership
    assert list(reply.json()["errors"]) == ["invitees"]
    reply, _ = schedule(h, duration_minutes="480", title="   ")
    assert list(reply.json()["errors"]) == ["title"]
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Meeting)) == 0
    h.deliver()
    assert h.fake.calls_to("chat.postMessage") == [] and h.fake.files == {}


def test_every_field_error_of_a_meeting_comes_back_in_one_answer(harness: Harness) -> None:
    """The form's errors (a duration of 0, no title) with the service's (a past date, someone of another
    partnership invited), in one answer; rescheduling likewise."""
    h = harness
    past = "That time has already passed in the partnership's timezone."
    duration = "The duration must be between 1 and 480 minutes (8 hours)."
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    reply, _ = schedule(h, duration_minutes="0", date=yesterday)
    assert reply.json() == {"response_action": "errors", "errors": {"duration_minutes": duration, "date": past}}
    reply, _ = schedule(h, duration_minutes="0", date=yesterday, title="  ", invitees=[MEMBER, "U0OUTSIDER"])
    assert reply.json()["errors"] == {
        "title": "Give the meeting a title (at most 200 characters).", "duration_minutes": duration, "date": past,
        "invitees": "Only people on this partnership's roster can be invited."}
    reply, view = schedule(h, date=yesterday, invitees=[MEMBER, "U0OUTSIDER"])  # the service's own, together
    assert reply.json()["errors"] == {"date": past, "invitees": "Only people on this partnership's roster can be "
                                                                 "invited."}
    answers = {**initial_answers(view), "date": yesterday}  # no start time: the date is still checked
    body = h.slack.view_submission(view, fill(view, answers), user_id=COORD_SCHOOL).json()
    assert body["errors"] == {"start_time": "Pick a start time.", "date": past}

    schedule(h)
    h.deliver()
    [post] = h.channel_messages()
    h.click(COORD_SCHOOL, MeetingActionId.RESCHEDULE, post)
    modal = h.last_modal()
    values = fill(modal, {"date": yesterday, "start_time": "09:00", "duration_minutes": "0"})
    body = h.slack.view_submission(modal, values, user_id=COORD_SCHOOL).json()
    assert body == {"response_action": "errors", "errors": {"duration_minutes": duration, "date": past}}
    assert only_meeting(h).ics_sequence == 0


def test_only_coordinators_schedule_and_only_the_right_people_act(harness: Harness) -> None:
    h = harness
    for count, (user, words) in enumerate([(TEACHER, "only the partnership's coordinators can schedule"),
                                           (MEMBER, "only the partnership's coordinators can schedule"),
                                           ("U0NOBODY", "not on a coopbot roster")], start=1):
        assert h.slack.command("/coop-meeting", user_id=user).status == 200
        h.settle()
        assert words in h.fake.wait_for("response_url", count=count)[-1].args["text"]
    schedule(h)
    h.deliver()
    [post] = h.channel_messages()
    before = len(h.ephemerals())
    h.click("U0OUTSIDER", MeetingActionId.RSVP_GOING, post)  # on another partnership's roster only
    h.click(MEMBER, MeetingActionId.RESCHEDULE, post)  # invited, but neither organiser nor coordinator
    h.click("U0OUTSIDER", MeetingActionId.CANCEL, post)  # another partnership's coordinator
    refusals = h.ephemerals()[before:]
    assert len(refusals) == 3
    assert "only people on this partnership's roster can answer its meetings" in refusals[0]
    assert all("only the organiser and the partnership's coordinators" in r for r in refusals[1:])
    assert len(h.fake.calls_to("views.open")) == 1  # only the schedule modal
    assert only_meeting(h).invitees[0].rsvp is None


def test_anyone_on_the_roster_answers_the_channels_announcement_and_joins_the_meeting(harness: Harness) -> None:
    """The buttons are in the partnership's channel for everyone there: a mentor and a teacher who were not
    invited answer, and become the meeting's people like the invitees; outsiders are still refused."""
    h = harness
    schedule(h)  # the cooperation group is invited: the coordinators and the member
    h.deliver()
    [post] = h.channel_messages()
    meeting_id = only_meeting(h).id
    for _ in range(2):  # a double click: the second arrives while the first is still being handled
        reply = h.slack.block_action(user_id=MENTOR, action_id=MeetingActionId.RSVP_GOING, value=str(meeting_id),
                                     block_id=f"meeting:{meeting_id}:rsvp", channel_id=CHANNEL,
                                     message_ts=post["ts"])
        assert reply.status == 200
    h.settle()
    h.click(TEACHER, MeetingActionId.RSVP_MAYBE, post)
    h.click(TEACHER, MeetingActionId.RSVP_MAYBE, post)  # the same answer again changes nothing
    before = len(h.ephemerals())
    h.click("U0OUTSIDER", MeetingActionId.RSVP_GOING, post)  # only on another partnership's roster
    h.click("U0NOBODY", MeetingActionId.RSVP_GOING, post)  # on no roster
    refusals = h.ephemerals()[before:]
    assert "only people on this partnership's roster can answer its meetings" in refusals[0]
    assert "not on a coopbot roster" in refusals[1]
    h.deliver()

    meeting = only_meeting(h)
    answers = {i.slack_user_id: i.rsvp for i in meeting.invitees}
    assert answers == {COORD_SCHOOL: None, COORD_ENTERPRISE: None, MEMBER: None, MENTOR: Rsvp.GOING,
                       TEACHER: Rsvp.MAYBE}  # each once: the double click did not add the mentor twice
    with h.db.session() as session:
        assert session.scalar(select(func.count()).select_from(MeetingInvitee)
                              .where(MeetingInvitee.meeting_id == meeting_id)) == 5
    shown = text_of(h.channel_messages()[0])
    assert f"Going: 1 — <@{MENTOR}>" in shown and f"Maybe: 1 — <@{TEACHER}>" in shown
    joined = [f for f in calendar_files(h) if f["channel_id"] in ("D" + MENTOR, "D" + TEACHER)]
    assert sorted(f["channel_id"] for f in joined) == sorted(["D" + MENTOR, "D" + TEACHER])  # one file each
    assert all("You answered" in f["initial_comment"] for f in joined)
    assert str(event_of(joined[0])["UID"]) == meeting.ics_uid
    assert all(f["channel_id"] not in ("DU0OUTSIDER", "DU0NOBODY") for f in calendar_files(h))

    run_job("reminders", h.services, meeting.starts_at - timedelta(hours=23))  # the day-before reminder
    h.deliver()
    [reminder] = [m for m in h.thread(post["ts"]) if "Coming up" in m["text"]]
    assert f"<@{MENTOR}>" in text_of(reminder) and f"<@{TEACHER}>" in text_of(reminder)

    h.click(COORD_SCHOOL, MeetingActionId.CANCEL, h.channel_messages()[0])  # changes reach them too
    modal = h.last_modal()
    assert h.slack.view_submission(modal, fill(modal, {"reason": "改期"}), user_id=COORD_SCHOOL).text == ""
    h.deliver()
    notices = [f["channel_id"] for f in calendar_files(h) if "cancelled" in f["initial_comment"]]
    assert sorted(notices) == sorted("D" + u for u in (*GROUP, MENTOR, TEACHER))


def test_reschedule_and_cancel_update_the_post_and_send_new_calendar_files(harness: Harness) -> None:
    h = harness
    schedule(h)
    h.deliver()
    [post] = h.channel_messages()
    first = only_meeting(h)

    h.click(COORD_ENTERPRISE, MeetingActionId.RESCHEDULE, post)  # a coordinator, not the organiser
    modal = h.last_modal()
    assert modal["title"]["text"] == "Reschedule meeting"
    new_day = (local_today() + timedelta(days=9)).isoformat()
    values = fill(modal, {"date": new_day, "start_time": "09:00", "duration_minutes": "120",
                          "location": "腾讯会议 123-456"})
    assert h.slack.view_submission(modal, values, user_id=COORD_ENTERPRISE).text == ""
    assert h.slack.view_submission(modal, values, user_id=COORD_ENTERPRISE).text == ""  # retried: once only
    h.deliver()
    moved = only_meeting(h)
    assert moved.ics_sequence == 1 and moved.ics_uid == first.ics_uid
    assert moved.starts_at == datetime.fromisoformat(f"{new_day}T01:00:00+00:00")  # 09:00 Shanghai
    updates = [f for f in calendar_files(h) if "moved" in f["initial_comment"]]
    assert len(updates) == 3
    event = event_of(updates[0])
    assert event["SEQUENCE"] == 1 and event.decoded("DTSTART") == moved.starts_at
    assert str(event["UID"]) == first.ics_uid and event.decoded("DTEND") == moved.starts_at + timedelta(hours=2)
    [post] = h.channel_messages()
    assert "腾讯会议 123-456" in text_of(post) and "120 minutes" in text_of(post)
    assert any("moved this meeting" in text_of(m) for m in h.thread(post["ts"]))

    h.click(COORD_SCHOOL, MeetingActionId.CANCEL, post)
    modal = h.last_modal()
    assert h.slack.view_submission(modal, fill(modal, {"reason": "领导出差"}), user_id=COORD_SCHOOL).text == ""
    h.deliver()
    cancelled = only_meeting(h)
    assert cancelled.status == MeetingStatus.CANCELLED and cancelled.ics_sequence == 2
    notices = [f for f in calendar_files(h) if "cancelled" in f["initial_comment"]]
    assert len(notices) == 3
    assert notices[0]["ics"]["METHOD"] == "CANCEL"
    event = event_of(notices[0])
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 2 and str(event["UID"]) == first.ics_uid
    [post] = h.channel_messages()
    assert "Cancelled" in text_of(post) and buttons(post) == []
    assert "领导出差" in text_of(h.thread(post["ts"])[-1])
    h.slack.block_action(user_id=MEMBER, action_id=MeetingActionId.RSVP_GOING, value=str(cancelled.id),
                         channel_id=CHANNEL, message_ts=post["ts"])
    h.settle()
    assert "this meeting was cancelled" in h.ephemerals()[-1]
    assert all(i.rsvp != Rsvp.GOING for i in only_meeting(h).invitees)
    opened = len(h.fake.calls_to("views.open"))
    for stale in (MeetingActionId.RESCHEDULE, MeetingActionId.CANCEL, MeetingActionId.RECORD_MINUTES):
        h.slack.block_action(user_id=COORD_SCHOOL, action_id=stale, value=str(cancelled.id), channel_id=CHANNEL,
                             message_ts=post["ts"])  # a button on a copy of the post from before
        h.settle()
        assert h.ephemerals()[-1] == "Nothing changed: this meeting was cancelled.", stale
    assert len(h.fake.calls_to("views.open")) == opened  # no form to fill in first


@pytest.mark.parametrize("action_id", [MeetingActionId.OPEN_SCHEDULE, MeetingActionId.OPEN_SCHEDULE_FROM_OLD_PROMPT])
def test_the_quarterly_prompts_button_opens_the_schedule_modal(harness: Harness, action_id: str) -> None:
    """The prompt's button, and the one on prompts posted before it used the meeting workflow's own id."""
    h = harness

    with h.db.session() as session:
        partnership = session.scalar(select(Partnership.id).where(Partnership.channel_id == CHANNEL))
    reply = h.slack.block_action(user_id=COORD_SCHOOL, action_id=action_id, value=f"{partnership}:2027Q1",
                                 channel_id=CHANNEL, message_ts="1700000000.000100")
    assert reply.status == 200
    h.fake.wait_for("views.open")
    modal = h.last_modal()
    assert modal["title"]["text"] == "Schedule a meeting"
    assert modal["blocks"][0]["element"]["initial_option"]["value"] == str(partnership)
    h.slack.block_action(user_id=TEACHER, action_id=action_id, value=f"{partnership}:2027Q1",
                         channel_id=CHANNEL, message_ts="1700000000.000100")
    h.settle()
    assert "only the partnership's coordinators can schedule" in h.ephemerals()[-1]
