"""The calendar files people get, read back with the icalendar library: RFC 5546's rules for each method, and the
people's own characters (a calendar file is not Slack markup)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from icalendar import Calendar
from sqlalchemy import update

from bot.devtools.slack_requests import fill
from bot.meetings.ics import meeting_ics
from bot.meetings.ids import MeetingActionId
from bot.meetings.snapshot import InviteeSnapshot
from models.roster import Person
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MEMBER, Harness
from tests.support.meetings import calendar_files, event_of, only_meeting, schedule
from tests.support.samples import meeting

TITLE = 'Q1 <review> & "plan"; budget, staffing <!channel>'
LOCATION = "<https://meet.example.com/a?b=1&c=2> 会议室 A302"
AGENDA = "1. <b>实习生</b> & safety\n2. next steps; a, b"
NOW = datetime(2027, 1, 4, 1, 0, tzinfo=UTC)


def rfc5546_problems(calendar: Any) -> list[str]:
    """What RFC 5546 (§3.2.1 PUBLISH, §3.2.2 REQUEST, §3.2.5 CANCEL) forbids in this event."""
    method = str(calendar["METHOD"])
    [event] = calendar.walk("VEVENT")
    organizers, attendees = len(_list(event.get("ORGANIZER"))), len(_list(event.get("ATTENDEE")))
    problems = []
    if method in ("REQUEST", "CANCEL") and organizers != 1:
        problems.append(f"{method} without ORGANIZER")
    if method in ("REQUEST", "CANCEL") and attendees < 1:
        problems.append(f"{method} without ATTENDEE")
    if method == "PUBLISH" and attendees:
        problems.append("PUBLISH with ATTENDEE")
    if method == "CANCEL" and str(event["STATUS"]) != "CANCELLED":
        problems.append("CANCEL not CANCELLED")
    return problems


def _list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _parse(content: bytes) -> Any:
    return Calendar.from_ical(content)


def test_a_file_for_someone_without_an_address_is_a_publish_with_their_characters() -> None:
    nobody_has_one = meeting(title=TITLE, location=LOCATION, agenda=AGENDA)
    calendar = _parse(meeting_ics(nobody_has_one, now=NOW, recipient_email=None))
    assert str(calendar["METHOD"]) == "PUBLISH" and rfc5546_problems(calendar) == []
    [event] = calendar.walk("VEVENT")
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
    assert str(event["SUMMARY"]) == TITLE and str(event["LOCATION"]) == LOCATION
    assert str(event["DESCRIPTION"]) == AGENDA
    assert "＜" not in meeting_ics(nobody_has_one, now=NOW, recipient_email=None).decode()

    with_addresses = replace(nobody_has_one, organiser_email="chen@szpt.edu.cn", invitees=(
        InviteeSnapshot("U1", "Wang \"Fang\"; <x>", "wang@szpt.edu.cn", None), InviteeSnapshot("U2", "Li", None, None)))
    request = _parse(meeting_ics(with_addresses, now=NOW, recipient_email="wang@szpt.edu.cn"))
    assert str(request["METHOD"]) == "REQUEST" and rfc5546_problems(request) == []
    [event] = request.walk("VEVENT")
    [attendee] = _list(event["ATTENDEE"])
    assert str(attendee) == "mailto:wang@szpt.edu.cn" and attendee.params["CN"] == 'Wang "Fang"; <x>'
    publish = _parse(meeting_ics(with_addresses, now=NOW, recipient_email=None))  # Li's file: not an attendee
    assert str(publish["METHOD"]) == "PUBLISH" and rfc5546_problems(publish) == []
    assert str(publish.walk("VEVENT")[0]["ORGANIZER"]) == "mailto:chen@szpt.edu.cn"
    no_organiser = replace(with_addresses, organiser_email=None)  # a REQUEST needs an ORGANIZER
    assert str(_parse(meeting_ics(no_organiser, now=NOW, recipient_email="wang@szpt.edu.cn"))["METHOD"]) == "PUBLISH"


def _files_by_person(h: Harness, words: str) -> dict[str, Any]:
    return {f["channel_id"][1:]: f for f in calendar_files(h) if words in f["initial_comment"]}


def test_each_person_gets_a_file_rfc_5546_allows_and_slack_shows_it_escaped(harness: Harness) -> None:
    h = harness
    with h.db.transaction() as session:  # the member has no e-mail address on the roster
        session.execute(update(Person).where(Person.slack_user_id == MEMBER).values(email=None))
    schedule(h, title=TITLE, location=LOCATION, agenda=AGENDA)
    h.deliver()
    files = _files_by_person(h, "invited")
    assert set(files) == {COORD_SCHOOL, COORD_ENTERPRISE, MEMBER}
    for person, file in files.items():
        calendar = file["ics"]
        assert rfc5546_problems(calendar) == [], person
        event = event_of(file)
        assert str(event["SUMMARY"]) == TITLE and str(event["LOCATION"]) == LOCATION  # as typed
        assert str(event["DESCRIPTION"]) == AGENDA
        assert "<!channel>" not in file["title"] and "<!channel>" not in file["initial_comment"]  # Slack: escaped
        assert "&lt;!channel&gt;" in file["initial_comment"]
    assert str(files[MEMBER]["ics"]["METHOD"]) == "PUBLISH"
    assert "ATTENDEE" not in event_of(files[MEMBER])
    assert str(files[COORD_ENTERPRISE]["ics"]["METHOD"]) == "REQUEST"
    attendees = {str(a) for a in _list(event_of(files[COORD_ENTERPRISE])["ATTENDEE"])}
    assert attendees == {"mailto:chenjing@szpt.edu.cn", "mailto:zhangmin@huawei.com"}

    [post] = h.channel_messages()
    h.click(COORD_SCHOOL, MeetingActionId.CANCEL, post)
    modal = h.last_modal()
    assert h.slack.view_submission(modal, fill(modal, {"reason": "改期"}), user_id=COORD_SCHOOL).text == ""
    h.deliver()
    cancelled = _files_by_person(h, "cancelled")
    assert str(cancelled[COORD_ENTERPRISE]["ics"]["METHOD"]) == "CANCEL"
    assert str(cancelled[MEMBER]["ics"]["METHOD"]) == "PUBLISH"
    for file in cancelled.values():
        event = event_of(file)
        assert rfc5546_problems(file["ics"]) == [] and str(event["STATUS"]) == "CANCELLED"
        assert event["SEQUENCE"] == 1 and str(event["UID"]) == only_meeting(h).ics_uid


def test_an_organiser_without_an_address_sends_everyone_a_publish(harness: Harness) -> None:
    h = harness
    with h.db.transaction() as session:
        session.execute(update(Person).where(Person.slack_user_id == COORD_SCHOOL).values(email=None))
    schedule(h, title=TITLE)
    h.deliver()
    files = _files_by_person(h, "invited")
    assert len(files) == 3
    for file in files.values():
        assert str(file["ics"]["METHOD"]) == "PUBLISH" and rfc5546_problems(file["ics"]) == []
        assert "ORGANIZER" not in event_of(file) and "ATTENDEE" not in event_of(file)
